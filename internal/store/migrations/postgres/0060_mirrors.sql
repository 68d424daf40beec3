-- Mirrors of the public site (internal/mirror): the list the instance
-- advertises to readers and watches, with the last watch's result and the
-- last checkpoint it verified.
CREATE TABLE mirrors (
    id           BIGSERIAL PRIMARY KEY,
    url          TEXT NOT NULL,
    kind         TEXT NOT NULL,
    label        TEXT NOT NULL DEFAULT '',
    public       BOOLEAN NOT NULL DEFAULT TRUE,
    state        TEXT NOT NULL DEFAULT 'unchecked',
    problem      TEXT NOT NULL DEFAULT '',
    checked_at   TIMESTAMPTZ,
    built_at     TIMESTAMPTZ,
    size         BIGINT NOT NULL DEFAULT 0,
    root         TEXT NOT NULL DEFAULT '',
    verified_at  TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
-- One row per URL; usb-notes have no URL.
CREATE UNIQUE INDEX mirrors_url ON mirrors(url) WHERE url <> '';

-- Settings of the mirror part (the instance's own onion address).
CREATE TABLE mirror_settings (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
