-- The public log (internal/ledger). log_entries rows with idx NULL are the
-- outbox: written in the transaction of the change they record, given a leaf
-- index by the integrator.
CREATE INDEX log_entries_outbox ON log_entries(seq) WHERE idx IS NULL;
CREATE INDEX log_entries_ref ON log_entries(ref, seq);

-- tlog's stored hashes, by stored-hash index (tlog.StoredHashIndex).
CREATE TABLE log_hashes (
    id    BIGINT PRIMARY KEY,
    hash  BYTEA NOT NULL
);

-- The published checkpoint (a signed note with witness cosignatures).
CREATE TABLE log_checkpoint (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    note        BYTEA NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- Public content whose SHA-256 a log entry records, kept byte-exact so that
-- readers can recompute the hash: served at path.
CREATE TABLE log_content (
    path        TEXT PRIMARY KEY,
    ref         TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    content     BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX log_content_ref ON log_content(ref);
