-- The incidents-shape CSV row of every public incident, built when it is
-- written (writePublic) so that /incidents.csv reads one small row per
-- incident instead of decoding its document: ref, and cells, the CSV
-- encoding of the columns status to demo, each after a comma
-- (domain.IncidentCSV; the export adds url and snapshot_at). vocab is the
-- domain.FamiliesFingerprint of the category families the cells were
-- built with: the export takes a row only when it matches the current
-- vocabulary and decodes the document otherwise ('' matches none).
-- The key is in date order and the trigger keeps one row per public
-- incident, with its date and status, as on SQLite. Rows without cells
-- are built by DB.FillPublicCSV.
CREATE TABLE public_csv (
    date_sort  TEXT NOT NULL,
    id         BIGINT NOT NULL,
    status     TEXT NOT NULL,
    vocab      TEXT NOT NULL,
    ref        TEXT NOT NULL,
    cells      BYTEA NOT NULL,
    PRIMARY KEY (date_sort, id)
);

INSERT INTO public_csv (date_sort, id, status, vocab, ref, cells)
    SELECT date_sort, id, status, '', ref, ''::bytea FROM public_incidents;

CREATE FUNCTION public_csv_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO public_csv (date_sort, id, status, vocab, ref, cells)
            VALUES (NEW.date_sort, NEW.id, NEW.status, '', NEW.ref, ''::bytea) ON CONFLICT DO NOTHING;
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM public_csv WHERE date_sort = OLD.date_sort AND id = OLD.id;
    ELSIF OLD.date_sort <> NEW.date_sort OR OLD.status <> NEW.status THEN
        UPDATE public_csv SET date_sort = NEW.date_sort, status = NEW.status, vocab = ''
            WHERE date_sort = OLD.date_sort AND id = OLD.id;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER public_csv_change AFTER INSERT OR UPDATE OF date_sort, status OR DELETE ON public_incidents
    FOR EACH ROW EXECUTE FUNCTION public_csv_trigger();
