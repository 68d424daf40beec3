-- A copy of the in-memory index of the published record (pubindex_saved.go):
-- a new process starts from it and applies public_changes since its
-- generation, instead of reading every published incident. One row; a
-- cache, never the record.
CREATE TABLE public_index_saved (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    format  INTEGER NOT NULL,
    gen     BIGINT NOT NULL,
    data    BYTEA NOT NULL
);
