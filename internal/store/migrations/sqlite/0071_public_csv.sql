-- The incidents-shape CSV row of every public incident, built when it is
-- written (writePublic) so that /incidents.csv reads one small row per
-- incident instead of decoding its document: ref, and cells, the CSV
-- encoding of the columns status to demo, each after a comma
-- (domain.IncidentCSV; the export adds url and snapshot_at). vocab is the
-- domain.FamiliesFingerprint of the category families the cells were
-- built with: the export takes a row only when it matches the current
-- vocabulary and decodes the document otherwise. Rows of databases older
-- than this migration are filled by DB.FillPublicCSV (store/export_csv.go).
CREATE TABLE public_csv (
    id     INTEGER PRIMARY KEY REFERENCES public_incidents(id) ON DELETE CASCADE,
    vocab  TEXT NOT NULL,
    ref    TEXT NOT NULL,
    cells  BLOB NOT NULL
);
