-- Which published incidents changed in which generation, so that readers
-- keeping an in-memory index of the public record (search.go, pubindex.go)
-- apply only the changes instead of reloading a million rows. Triggers fill
-- it; the bump of public_generation (which serialises publishers on its row
-- lock, so generations commit in order) tags the pending rows it sees (its
-- own and those of transactions committed before it) with the new
-- generation and forgets changes older than 10,000 generations.
CREATE TABLE public_changes (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id  BIGINT NOT NULL,
    gen          BIGINT
);
CREATE INDEX public_changes_gen ON public_changes(gen);

CREATE FUNCTION public_changes_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO public_changes (incident_id) VALUES (OLD.id);
    ELSE
        INSERT INTO public_changes (incident_id) VALUES (NEW.id);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER public_changes_note AFTER INSERT OR UPDATE OR DELETE ON public_incidents
    FOR EACH ROW EXECUTE FUNCTION public_changes_note();

CREATE FUNCTION public_changes_tag() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE public_changes SET gen = NEW.gen WHERE gen IS NULL;
    DELETE FROM public_changes WHERE gen < NEW.gen - 10000;
    RETURN NULL;
END
$$;
CREATE TRIGGER public_changes_tag AFTER UPDATE OF gen ON public_generation
    FOR EACH ROW EXECUTE FUNCTION public_changes_tag();
