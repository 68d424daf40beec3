-- The incidents-shape CSV row of every public incident, built when it is
-- written (writePublic) so that /incidents.csv reads one small row per
-- incident instead of decoding its document: ref, and cells, the CSV
-- encoding of the columns status to demo, each after a comma
-- (domain.IncidentCSV; the export adds url and snapshot_at). vocab is the
-- domain.FamiliesFingerprint of the category families the cells were
-- built with: the export takes a row only when it matches the current
-- vocabulary and decodes the document otherwise ('' matches none).
-- The rows are kept in date order (the export's usual order) and the
-- triggers keep one row per public incident, with its date and status, so
-- that an unfiltered export reads this table alone, in order. Rows without
-- cells (incidents published before this migration, dates or statuses
-- changed outside writePublic) are built by DB.FillPublicCSV.
CREATE TABLE public_csv (
    date_sort  TEXT NOT NULL,
    id         INTEGER NOT NULL,
    status     TEXT NOT NULL,
    vocab      TEXT NOT NULL,
    ref        TEXT NOT NULL,
    cells      BLOB NOT NULL,
    PRIMARY KEY (date_sort, id)
) WITHOUT ROWID;

INSERT INTO public_csv (date_sort, id, status, vocab, ref, cells)
    SELECT date_sort, id, status, '', ref, X'' FROM public_incidents;

-- No index on id: the export joins on the whole key, and an index on id
-- alone would be the planner's choice, one random read per row.
CREATE TRIGGER public_csv_insert AFTER INSERT ON public_incidents BEGIN
    INSERT INTO public_csv (date_sort, id, status, vocab, ref, cells)
        VALUES (NEW.date_sort, NEW.id, NEW.status, '', NEW.ref, X'') ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER public_csv_update AFTER UPDATE OF date_sort, status ON public_incidents
    WHEN OLD.date_sort <> NEW.date_sort OR OLD.status <> NEW.status BEGIN
    UPDATE public_csv SET date_sort = NEW.date_sort, status = NEW.status, vocab = ''
        WHERE date_sort = OLD.date_sort AND id = OLD.id;
END;
CREATE TRIGGER public_csv_delete AFTER DELETE ON public_incidents BEGIN
    DELETE FROM public_csv WHERE date_sort = OLD.date_sort AND id = OLD.id;
END;
