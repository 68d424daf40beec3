-- Which published incidents changed in which generation, so that readers
-- keeping an in-memory index of the public record (search.go, pubindex.go)
-- apply only the changes instead of reloading a million rows. Triggers fill
-- it; a bump of public_generation tags the pending rows with the new
-- generation (SQLite has one writer, so every pending row is the bumping
-- transaction's) and forgets changes older than 10,000 generations.
CREATE TABLE public_changes (
    seq          INTEGER PRIMARY KEY,
    incident_id  INTEGER NOT NULL,
    gen          INTEGER
);
CREATE INDEX public_changes_gen ON public_changes(gen);

CREATE TRIGGER public_changes_insert AFTER INSERT ON public_incidents BEGIN
    INSERT INTO public_changes (incident_id) VALUES (NEW.id);
END;
CREATE TRIGGER public_changes_update AFTER UPDATE ON public_incidents BEGIN
    INSERT INTO public_changes (incident_id) VALUES (NEW.id);
END;
CREATE TRIGGER public_changes_delete AFTER DELETE ON public_incidents BEGIN
    INSERT INTO public_changes (incident_id) VALUES (OLD.id);
END;
CREATE TRIGGER public_changes_tag AFTER UPDATE OF gen ON public_generation BEGIN
    UPDATE public_changes SET gen = NEW.gen WHERE gen IS NULL;
    DELETE FROM public_changes WHERE gen < NEW.gen - 10000;
END;
