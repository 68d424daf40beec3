-- Statistics of the whole published record (what /stats shows without a
-- filter), kept exact by triggers in the transaction that changes the record,
-- so the first view after a publication reads a few hundred rows instead of
-- every document (store/stats.go). Rows count: 'month' incidents per YYYY-MM
-- and category family (k1, k2), 'nomonth' incidents without a known month,
-- 'target' persons targeted per role and gender, 'outlet' incidents per
-- targeted outlet: the definitions of the filtered queries in stats.go.
CREATE TABLE public_stats (
    kind  TEXT NOT NULL,
    k1    TEXT NOT NULL,
    k2    TEXT NOT NULL,
    n     BIGINT NOT NULL,
    PRIMARY KEY (kind, k1, k2)
);

-- The rows one published document adds to public_stats.
CREATE FUNCTION public_stats_rows(d jsonb, ds text) RETURNS TABLE (kind text, k1 text, k2 text) LANGUAGE sql STABLE AS $$
    WITH v AS (
        SELECT e.value FROM jsonb_array_elements(CASE WHEN jsonb_typeof(d->'violations') = 'array' THEN d->'violations' ELSE '[]'::jsonb END) e
    ), tg AS (
        SELECT t.value FROM v, jsonb_array_elements(CASE WHEN jsonb_typeof(v.value->'targets') = 'array' THEN v.value->'targets' ELSE '[]'::jsonb END) t
    )
    SELECT DISTINCT 'month', substr(ds, 1, 7),
        COALESCE(NULLIF((SELECT vt.family FROM vocab_terms vt WHERE vt.vocab = 'category' AND vt.code = v.value->>'category'), ''), 'other')
        FROM v WHERE ds <> '' AND d->>'date_precision' IN ('day', 'month')
    UNION ALL
    SELECT 'nomonth', '', '' WHERE NOT (ds <> '' AND d->>'date_precision' IN ('day', 'month'))
    UNION ALL
    SELECT 'target', COALESCE(tg.value->>'role', ''), COALESCE(tg.value->>'gender', '') FROM tg WHERE tg.value->>'kind' = 'person'
    UNION ALL
    SELECT DISTINCT 'outlet', o, '' FROM (SELECT CASE WHEN tg.value->>'kind' = 'person' THEN tg.value->>'outlet'
        WHEN tg.value->>'kind' IN ('outlet', 'website') THEN tg.value->>'name' END AS o FROM tg) x WHERE o IS NOT NULL AND o <> ''
$$;

CREATE FUNCTION public_stats_apply(d jsonb, ds text, s integer) RETURNS void LANGUAGE sql AS $$
    INSERT INTO public_stats (kind, k1, k2, n)
    SELECT r.kind, r.k1, r.k2, s * COUNT(*) FROM public_stats_rows(d, ds) r GROUP BY r.kind, r.k1, r.k2
    ON CONFLICT (kind, k1, k2) DO UPDATE SET n = public_stats.n + excluded.n;
    DELETE FROM public_stats WHERE n = 0 AND s < 0;
$$;

CREATE FUNCTION public_stats_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'published' THEN
        PERFORM public_stats_apply(OLD.doc::jsonb, OLD.date_sort, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'published' THEN
        PERFORM public_stats_apply(NEW.doc::jsonb, NEW.date_sort, 1);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER public_stats_change AFTER INSERT OR UPDATE OR DELETE ON public_incidents
    FOR EACH ROW EXECUTE FUNCTION public_stats_trigger();

-- The record as it is now.
INSERT INTO public_stats (kind, k1, k2, n)
SELECT r.kind, r.k1, r.k2, COUNT(*) FROM public_incidents p, public_stats_rows(p.doc::jsonb, p.date_sort) r
    WHERE p.status = 'published' GROUP BY r.kind, r.k1, r.k2;
