-- presswatch foundation schema (SQLite). Times are UTC RFC 3339 text,
-- booleans 0/1, documents JSON text.
CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL DEFAULT '',
    role            TEXT NOT NULL,
    password_hash   TEXT NOT NULL DEFAULT '',
    totp_secret     TEXT NOT NULL DEFAULT '',
    totp_last_step  INTEGER NOT NULL DEFAULT 0,
    must_change_pw  INTEGER NOT NULL DEFAULT 0,
    disabled        INTEGER NOT NULL DEFAULT 0,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    failed_since    TEXT,
    locked_until    TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE sessions (
    id_hash       TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token    TEXT NOT NULL,
    totp_passed   INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER,
    user_email  TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,
    object      TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL
);
CREATE INDEX audit_user ON audit_log(user_id, id);
CREATE INDEX audit_object ON audit_log(object, id);
CREATE INDEX audit_action ON audit_log(action, id);

CREATE TABLE vocab_terms (
    vocab   TEXT NOT NULL,
    code    TEXT NOT NULL,
    family  TEXT NOT NULL DEFAULT '',
    labels  TEXT NOT NULL,
    sort    INTEGER NOT NULL DEFAULT 0,
    active  INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (vocab, code)
);

CREATE TABLE ref_counters (
    country  TEXT NOT NULL,
    year     INTEGER NOT NULL,
    next     INTEGER NOT NULL,
    PRIMARY KEY (country, year)
);

CREATE TABLE incidents (
    id                 INTEGER PRIMARY KEY,
    ref                TEXT NOT NULL UNIQUE,
    slug               TEXT NOT NULL,
    title              TEXT NOT NULL,
    publication        TEXT NOT NULL,
    verification       TEXT NOT NULL,
    country            TEXT NOT NULL,
    date_sort          TEXT NOT NULL DEFAULT '',
    version            INTEGER NOT NULL,
    doc                TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    created_by         INTEGER,
    updated_at         TEXT NOT NULL,
    updated_by         INTEGER,
    published_version  INTEGER NOT NULL DEFAULT 0,
    published_at       TEXT,
    assigned_to        INTEGER
);
CREATE INDEX incidents_updated ON incidents(updated_at, id);
CREATE INDEX incidents_publication ON incidents(publication, updated_at);
CREATE INDEX incidents_country ON incidents(country, updated_at);
CREATE INDEX incidents_assigned ON incidents(assigned_to, updated_at);

CREATE TABLE incident_revisions (
    incident_id  INTEGER NOT NULL REFERENCES incidents(id),
    number       INTEGER NOT NULL,
    doc          TEXT NOT NULL,
    author_id    INTEGER,
    note         TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    PRIMARY KEY (incident_id, number)
);

CREATE TABLE approvals (
    incident_id  INTEGER NOT NULL REFERENCES incidents(id),
    revision     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    comment      TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    PRIMARY KEY (incident_id, revision, user_id)
);

CREATE TABLE comments (
    id           INTEGER PRIMARY KEY,
    incident_id  INTEGER NOT NULL REFERENCES incidents(id),
    user_id      INTEGER NOT NULL REFERENCES users(id),
    text         TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX comments_incident ON comments(incident_id, id);

-- The published record: one row per incident ever published.
CREATE TABLE public_incidents (
    id                  INTEGER PRIMARY KEY REFERENCES incidents(id),
    ref                 TEXT NOT NULL UNIQUE,
    slug                TEXT NOT NULL,
    status              TEXT NOT NULL,
    title               TEXT NOT NULL,
    summary             TEXT NOT NULL DEFAULT '',
    country             TEXT NOT NULL,
    admin1              TEXT NOT NULL DEFAULT '',
    date_sort           TEXT NOT NULL DEFAULT '',
    year                INTEGER NOT NULL DEFAULT 0,
    verification        TEXT NOT NULL,
    persons             INTEGER NOT NULL DEFAULT 0,
    demo                INTEGER NOT NULL DEFAULT 0,
    first_published_at  TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    content_sha256      TEXT NOT NULL,
    revision            INTEGER NOT NULL,
    doc                 TEXT NOT NULL
);
CREATE INDEX public_date ON public_incidents(status, date_sort, id);
CREATE INDEX public_updated ON public_incidents(status, updated_at, id);
CREATE INDEX public_country ON public_incidents(status, country, persons);
CREATE INDEX public_admin1 ON public_incidents(status, admin1, persons);
CREATE INDEX public_year ON public_incidents(status, year, persons);
CREATE INDEX public_verification ON public_incidents(status, verification, persons);
CREATE INDEX public_country_date ON public_incidents(country, date_sort, id);

-- Multi-valued filter fields of published (not withdrawn) incidents.
CREATE TABLE public_terms (
    incident_id  INTEGER NOT NULL REFERENCES public_incidents(id) ON DELETE CASCADE,
    field        TEXT NOT NULL,
    value        TEXT NOT NULL,
    PRIMARY KEY (field, value, incident_id)
) WITHOUT ROWID;
CREATE INDEX public_terms_incident ON public_terms(incident_id, field, value);

-- Full text of published incidents (rowid = incident id), every translation.
CREATE VIRTUAL TABLE public_fts USING fts5(
    title, summary, body, names, outlets,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Leaves of the public log, written with the change they record.
CREATE TABLE log_entries (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    idx         INTEGER UNIQUE,
    kind        TEXT NOT NULL,
    ref         TEXT NOT NULL,
    entry       BLOB NOT NULL,
    created_at  TEXT NOT NULL
);

-- Bumped by every change of the published record; read caches key on it.
CREATE TABLE public_generation (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    gen  INTEGER NOT NULL
);
INSERT INTO public_generation (id, gen) VALUES (1, 0);
