-- The incidents-shape CSV row of every public incident, built when it is
-- written (writePublic) so that /incidents.csv reads one small row per
-- incident instead of decoding its document: ref, and cells, the CSV
-- encoding of the columns status to demo, each after a comma
-- (domain.IncidentCSV; the export adds url and snapshot_at). vocab is the
-- domain.FamiliesFingerprint of the category families the cells were
-- built with: the export takes a row only when it matches the current
-- vocabulary and decodes the document otherwise. Rows of databases older
-- than this migration are filled by DB.FillPublicCSV (store/export_csv.go).
-- The rows are kept in date order (the export's usual order, public_date's)
-- so that an export reads each page of them once.
CREATE TABLE public_csv (
    date_sort  TEXT NOT NULL,
    id         INTEGER NOT NULL,
    vocab      TEXT NOT NULL,
    ref        TEXT NOT NULL,
    cells      BLOB NOT NULL,
    PRIMARY KEY (date_sort, id)
) WITHOUT ROWID;

-- A row follows its incident's date (its key) and goes with it. No index on
-- id: the export joins on the whole key, and an index on id alone would be
-- the planner's choice, one random read per row.
CREATE TRIGGER public_csv_redate AFTER UPDATE OF date_sort ON public_incidents WHEN OLD.date_sort <> NEW.date_sort BEGIN
    DELETE FROM public_csv WHERE date_sort = OLD.date_sort AND id = OLD.id;
END;
CREATE TRIGGER public_csv_delete AFTER DELETE ON public_incidents BEGIN
    DELETE FROM public_csv WHERE date_sort = OLD.date_sort AND id = OLD.id;
END;
