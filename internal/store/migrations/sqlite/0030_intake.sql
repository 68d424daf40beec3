-- Anonymous intake (SQLite). Content is sealed (age files); rows hold
-- metadata only. Report keys live only in intake_envelopes, deleted at
-- retention (secure_delete is on).
CREATE TABLE intake_sources (
    id          INTEGER PRIMARY KEY,
    lookup_key  BLOB NOT NULL UNIQUE,
    public_key  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE intake_reports (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER NOT NULL REFERENCES intake_sources(id) ON DELETE CASCADE,
    status       TEXT NOT NULL DEFAULT 'new',
    assigned_to  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    public_key   TEXT NOT NULL,
    incident_id  INTEGER,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX intake_reports_source ON intake_reports(source_id);
CREATE INDEX intake_reports_status ON intake_reports(status, id);
CREATE INDEX intake_reports_expires ON intake_reports(expires_at);

CREATE TABLE intake_envelopes (
    report_id   INTEGER PRIMARY KEY REFERENCES intake_reports(id) ON DELETE CASCADE,
    sealed      BLOB NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE intake_messages (
    id          INTEGER PRIMARY KEY,
    report_id   INTEGER NOT NULL REFERENCES intake_reports(id) ON DELETE CASCADE,
    direction   TEXT NOT NULL,
    author_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    sealed      BLOB NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX intake_messages_report ON intake_messages(report_id, id);

CREATE TABLE intake_attachments (
    id                INTEGER PRIMARY KEY,
    report_id         INTEGER NOT NULL REFERENCES intake_reports(id) ON DELETE CASCADE,
    message_id        INTEGER REFERENCES intake_messages(id) ON DELETE CASCADE,
    name              TEXT NOT NULL,
    blob_sha256       TEXT NOT NULL,
    plaintext_sha256  TEXT NOT NULL,
    size              INTEGER NOT NULL,
    cipher_size       INTEGER NOT NULL,
    sealed_meta       BLOB NOT NULL,
    missing           INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL
);
CREATE INDEX intake_attachments_report ON intake_attachments(report_id, id);
CREATE INDEX intake_attachments_blob ON intake_attachments(blob_sha256);

CREATE TABLE intake_derivations (
    id                INTEGER PRIMARY KEY,
    report_id         INTEGER,
    attachment_id     INTEGER,
    original_sha256   TEXT NOT NULL,
    published_sha256  TEXT NOT NULL,
    media_type        TEXT NOT NULL,
    size              INTEGER NOT NULL,
    confirmed         INTEGER NOT NULL DEFAULT 0,
    created_by        INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at        TEXT NOT NULL
);
CREATE INDEX intake_derivations_report ON intake_derivations(report_id);

CREATE TABLE intake_editor_keys (
    user_id     INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    public_key  TEXT NOT NULL,
    wrapped     BLOB NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
