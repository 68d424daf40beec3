-- Evidence captures (SQLite). One row per capture; the WARC file is a blob
-- named by warc_sha256. A row is written queued, then completed once.
CREATE TABLE captures (
    id                 INTEGER PRIMARY KEY,
    url                TEXT NOT NULL,
    state              TEXT NOT NULL DEFAULT 'queued',
    final_url          TEXT NOT NULL DEFAULT '',
    status             INTEGER NOT NULL DEFAULT 0,
    fetched_at         TEXT,
    warc_sha256        TEXT NOT NULL DEFAULT '',
    warc_size          INTEGER NOT NULL DEFAULT 0,
    manifest           TEXT NOT NULL DEFAULT '{}',
    body_sha256        TEXT NOT NULL DEFAULT '',
    text_sha256        TEXT NOT NULL DEFAULT '',
    screenshot_sha256  TEXT NOT NULL DEFAULT '',
    title              TEXT NOT NULL DEFAULT '',
    error              TEXT NOT NULL DEFAULT '',
    revisit_of         INTEGER REFERENCES captures(id),
    incident_id        INTEGER REFERENCES incidents(id),
    incident_ref       TEXT NOT NULL DEFAULT '',
    requested_by       INTEGER REFERENCES users(id),
    created_at         TEXT NOT NULL,
    completed_at       TEXT
);
CREATE INDEX captures_url ON captures(url, id);
CREATE INDEX captures_incident ON captures(incident_id, id);
