-- Mirrors of the public site (internal/mirror): the list the instance
-- advertises to readers and watches, with the last watch's result and the
-- last checkpoint it verified.
CREATE TABLE mirrors (
    id           INTEGER PRIMARY KEY,
    url          TEXT NOT NULL,
    kind         TEXT NOT NULL,
    label        TEXT NOT NULL DEFAULT '',
    public       INTEGER NOT NULL DEFAULT 1,
    state        TEXT NOT NULL DEFAULT 'unchecked',
    problem      TEXT NOT NULL DEFAULT '',
    checked_at   TEXT,
    built_at     TEXT,
    size         INTEGER NOT NULL DEFAULT 0,
    root         TEXT NOT NULL DEFAULT '',
    verified_at  TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
-- One row per URL; usb-notes have no URL.
CREATE UNIQUE INDEX mirrors_url ON mirrors(url) WHERE url <> '';

-- Settings of the mirror part (the instance's own onion address).
CREATE TABLE mirror_settings (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
