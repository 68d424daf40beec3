-- Stories (SQLite): censored stories, testimonies, analyses. The working
-- copy is a JSON document like incidents; the real name of an author not
-- shown by name is only ever stored sealed (author_sealed, an age file).
CREATE TABLE stories (
    id                 INTEGER PRIMARY KEY,
    slug               TEXT NOT NULL UNIQUE,
    kind               TEXT NOT NULL,
    title              TEXT NOT NULL,
    publication        TEXT NOT NULL,
    version            INTEGER NOT NULL,
    doc                TEXT NOT NULL,
    author_sealed      BLOB,
    intake_report_id   INTEGER,
    deposit_id         INTEGER,
    created_at         TEXT NOT NULL,
    created_by         INTEGER REFERENCES users(id),
    updated_at         TEXT NOT NULL,
    updated_by         INTEGER REFERENCES users(id),
    published_version  INTEGER NOT NULL DEFAULT 0,
    published_at       TEXT
);
CREATE INDEX stories_publication ON stories(publication, id);

CREATE TABLE story_revisions (
    story_id    INTEGER NOT NULL REFERENCES stories(id),
    number      INTEGER NOT NULL,
    doc         TEXT NOT NULL,
    author_id   INTEGER,
    note        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    PRIMARY KEY (story_id, number)
);

-- user_id 0 is the story's source (stories from intake).
CREATE TABLE story_approvals (
    story_id    INTEGER NOT NULL REFERENCES stories(id),
    revision    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    comment     TEXT NOT NULL DEFAULT '',
    revoked     INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (story_id, revision, user_id)
);

CREATE TABLE public_stories (
    id                  INTEGER PRIMARY KEY REFERENCES stories(id),
    slug                TEXT NOT NULL UNIQUE,
    status              TEXT NOT NULL,
    kind                TEXT NOT NULL,
    country             TEXT NOT NULL DEFAULT '',
    language            TEXT NOT NULL,
    search_text         TEXT NOT NULL DEFAULT '',
    first_published_at  TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    content_sha256      TEXT NOT NULL,
    revision            INTEGER NOT NULL,
    doc                 TEXT NOT NULL
);
CREATE INDEX public_stories_list ON public_stories(status, first_published_at);

CREATE TABLE public_story_terms (
    story_id  INTEGER NOT NULL REFERENCES public_stories(id),
    field     TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (story_id, field, value)
);
CREATE INDEX public_story_terms_value ON public_story_terms(field, value);
