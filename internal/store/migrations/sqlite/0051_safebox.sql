-- The safe box (SQLite). Content is sealed to a per-deposit key, which is
-- stored only in deposit_envelopes (sealed to the depositor, to named
-- readers, and in pairs of release editors). Cancelling deletes every row
-- of a deposit (secure_delete is on): crypto-shredding.
CREATE TABLE deposits (
    id                 INTEGER PRIMARY KEY,
    ref                TEXT NOT NULL UNIQUE,
    depositor_user_id  INTEGER REFERENCES users(id) ON DELETE SET NULL,
    depositor_lookup   BLOB,
    depositor_key      TEXT NOT NULL,
    readers            TEXT NOT NULL DEFAULT '[]',
    release_editors    TEXT NOT NULL DEFAULT '[]',
    checkin_seconds    INTEGER NOT NULL,
    grace_seconds      INTEGER NOT NULL,
    on_silence         TEXT NOT NULL,
    sha256             TEXT NOT NULL,
    size               INTEGER NOT NULL,
    state              TEXT NOT NULL,
    story_id           INTEGER,
    last_checkin       TEXT NOT NULL,
    alerted_at         TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX deposits_lookup ON deposits(depositor_lookup);
CREATE INDEX deposits_user ON deposits(depositor_user_id);

CREATE TABLE deposit_content (
    deposit_id  INTEGER PRIMARY KEY REFERENCES deposits(id) ON DELETE CASCADE,
    sealed      BLOB NOT NULL
);

CREATE TABLE deposit_envelopes (
    id          INTEGER PRIMARY KEY,
    deposit_id  INTEGER NOT NULL REFERENCES deposits(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    outer_user  INTEGER NOT NULL DEFAULT 0,
    inner_user  INTEGER NOT NULL DEFAULT 0,
    sealed      BLOB NOT NULL
);
CREATE INDEX deposit_envelopes_deposit ON deposit_envelopes(deposit_id);

CREATE TABLE deposit_alerts (
    id          INTEGER PRIMARY KEY,
    deposit_id  INTEGER NOT NULL REFERENCES deposits(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    message     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    cleared_at  TEXT
);
CREATE INDEX deposit_alerts_open ON deposit_alerts(cleared_at, id);
