-- The incidents-shape CSV row of every public incident, built when it is
-- written (writePublic) so that /incidents.csv reads one small row per
-- incident instead of decoding its document: ref, and cells, the CSV
-- encoding of the columns status to demo, each after a comma
-- (domain.IncidentCSV; the export adds url and snapshot_at). vocab is the
-- domain.FamiliesFingerprint of the category families the cells were
-- built with: the export takes a row only when it matches the current
-- vocabulary and decodes the document otherwise. Rows of databases older
-- than this migration are filled by DB.FillPublicCSV (store/export_csv.go).
-- The key is in date order, as on SQLite.
CREATE TABLE public_csv (
    date_sort  TEXT NOT NULL,
    id         BIGINT NOT NULL,
    vocab      TEXT NOT NULL,
    ref        TEXT NOT NULL,
    cells      BYTEA NOT NULL,
    PRIMARY KEY (date_sort, id)
);

-- A row follows its incident's date (its key) and goes with it.
CREATE FUNCTION public_csv_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR OLD.date_sort <> NEW.date_sort THEN
        DELETE FROM public_csv WHERE date_sort = OLD.date_sort AND id = OLD.id;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER public_csv_change AFTER UPDATE OF date_sort OR DELETE ON public_incidents
    FOR EACH ROW EXECUTE FUNCTION public_csv_trigger();
