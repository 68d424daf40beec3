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
    n     INTEGER NOT NULL,
    PRIMARY KEY (kind, k1, k2)
) WITHOUT ROWID;

CREATE TRIGGER public_stats_insert AFTER INSERT ON public_incidents WHEN NEW.status = 'published' BEGIN
    INSERT INTO public_stats (kind, k1, k2, n)
    SELECT kind, k1, k2, COUNT(*) FROM (
        SELECT DISTINCT NEW.id AS id, 'month' AS kind, substr(NEW.date_sort, 1, 7) AS k1,
            COALESCE(NULLIF((SELECT vt.family FROM vocab_terms vt WHERE vt.vocab = 'category' AND vt.code = json_extract(v.value, '$.category')), ''), 'other') AS k2
            FROM json_each(NEW.doc, '$.violations') v WHERE NEW.date_sort <> '' AND json_extract(NEW.doc, '$.date_precision') IN ('day', 'month')
        UNION ALL
        SELECT NEW.id, 'nomonth', '', '' WHERE NOT (NEW.date_sort <> '' AND json_extract(NEW.doc, '$.date_precision') IN ('day', 'month'))
        UNION ALL
        SELECT NEW.id, 'target', COALESCE(json_extract(tg.value, '$.role'), ''), COALESCE(json_extract(tg.value, '$.gender'), '')
            FROM json_each(NEW.doc, '$.violations') v, json_each(v.value, '$.targets') tg WHERE json_extract(tg.value, '$.kind') = 'person'
        UNION ALL
        SELECT DISTINCT id, 'outlet', o, '' FROM (SELECT NEW.id AS id, CASE WHEN json_extract(tg.value, '$.kind') = 'person' THEN json_extract(tg.value, '$.outlet')
            WHEN json_extract(tg.value, '$.kind') IN ('outlet', 'website') THEN json_extract(tg.value, '$.name') END AS o
            FROM json_each(NEW.doc, '$.violations') v, json_each(v.value, '$.targets') tg) WHERE o IS NOT NULL AND o <> ''
    ) WHERE true GROUP BY kind, k1, k2
    ON CONFLICT (kind, k1, k2) DO UPDATE SET n = public_stats.n + excluded.n;
END;
CREATE TRIGGER public_stats_update_old AFTER UPDATE ON public_incidents WHEN OLD.status = 'published' BEGIN
    INSERT INTO public_stats (kind, k1, k2, n)
    SELECT kind, k1, k2, -COUNT(*) FROM (
        SELECT DISTINCT OLD.id AS id, 'month' AS kind, substr(OLD.date_sort, 1, 7) AS k1,
            COALESCE(NULLIF((SELECT vt.family FROM vocab_terms vt WHERE vt.vocab = 'category' AND vt.code = json_extract(v.value, '$.category')), ''), 'other') AS k2
            FROM json_each(OLD.doc, '$.violations') v WHERE OLD.date_sort <> '' AND json_extract(OLD.doc, '$.date_precision') IN ('day', 'month')
        UNION ALL
        SELECT OLD.id, 'nomonth', '', '' WHERE NOT (OLD.date_sort <> '' AND json_extract(OLD.doc, '$.date_precision') IN ('day', 'month'))
        UNION ALL
        SELECT OLD.id, 'target', COALESCE(json_extract(tg.value, '$.role'), ''), COALESCE(json_extract(tg.value, '$.gender'), '')
            FROM json_each(OLD.doc, '$.violations') v, json_each(v.value, '$.targets') tg WHERE json_extract(tg.value, '$.kind') = 'person'
        UNION ALL
        SELECT DISTINCT id, 'outlet', o, '' FROM (SELECT OLD.id AS id, CASE WHEN json_extract(tg.value, '$.kind') = 'person' THEN json_extract(tg.value, '$.outlet')
            WHEN json_extract(tg.value, '$.kind') IN ('outlet', 'website') THEN json_extract(tg.value, '$.name') END AS o
            FROM json_each(OLD.doc, '$.violations') v, json_each(v.value, '$.targets') tg) WHERE o IS NOT NULL AND o <> ''
    ) WHERE true GROUP BY kind, k1, k2
    ON CONFLICT (kind, k1, k2) DO UPDATE SET n = public_stats.n + excluded.n;
    DELETE FROM public_stats WHERE n = 0;
END;
CREATE TRIGGER public_stats_update_new AFTER UPDATE ON public_incidents WHEN NEW.status = 'published' BEGIN
    INSERT INTO public_stats (kind, k1, k2, n)
    SELECT kind, k1, k2, COUNT(*) FROM (
        SELECT DISTINCT NEW.id AS id, 'month' AS kind, substr(NEW.date_sort, 1, 7) AS k1,
            COALESCE(NULLIF((SELECT vt.family FROM vocab_terms vt WHERE vt.vocab = 'category' AND vt.code = json_extract(v.value, '$.category')), ''), 'other') AS k2
            FROM json_each(NEW.doc, '$.violations') v WHERE NEW.date_sort <> '' AND json_extract(NEW.doc, '$.date_precision') IN ('day', 'month')
        UNION ALL
        SELECT NEW.id, 'nomonth', '', '' WHERE NOT (NEW.date_sort <> '' AND json_extract(NEW.doc, '$.date_precision') IN ('day', 'month'))
        UNION ALL
        SELECT NEW.id, 'target', COALESCE(json_extract(tg.value, '$.role'), ''), COALESCE(json_extract(tg.value, '$.gender'), '')
            FROM json_each(NEW.doc, '$.violations') v, json_each(v.value, '$.targets') tg WHERE json_extract(tg.value, '$.kind') = 'person'
        UNION ALL
        SELECT DISTINCT id, 'outlet', o, '' FROM (SELECT NEW.id AS id, CASE WHEN json_extract(tg.value, '$.kind') = 'person' THEN json_extract(tg.value, '$.outlet')
            WHEN json_extract(tg.value, '$.kind') IN ('outlet', 'website') THEN json_extract(tg.value, '$.name') END AS o
            FROM json_each(NEW.doc, '$.violations') v, json_each(v.value, '$.targets') tg) WHERE o IS NOT NULL AND o <> ''
    ) WHERE true GROUP BY kind, k1, k2
    ON CONFLICT (kind, k1, k2) DO UPDATE SET n = public_stats.n + excluded.n;
END;
CREATE TRIGGER public_stats_delete AFTER DELETE ON public_incidents WHEN OLD.status = 'published' BEGIN
    INSERT INTO public_stats (kind, k1, k2, n)
    SELECT kind, k1, k2, -COUNT(*) FROM (
        SELECT DISTINCT OLD.id AS id, 'month' AS kind, substr(OLD.date_sort, 1, 7) AS k1,
            COALESCE(NULLIF((SELECT vt.family FROM vocab_terms vt WHERE vt.vocab = 'category' AND vt.code = json_extract(v.value, '$.category')), ''), 'other') AS k2
            FROM json_each(OLD.doc, '$.violations') v WHERE OLD.date_sort <> '' AND json_extract(OLD.doc, '$.date_precision') IN ('day', 'month')
        UNION ALL
        SELECT OLD.id, 'nomonth', '', '' WHERE NOT (OLD.date_sort <> '' AND json_extract(OLD.doc, '$.date_precision') IN ('day', 'month'))
        UNION ALL
        SELECT OLD.id, 'target', COALESCE(json_extract(tg.value, '$.role'), ''), COALESCE(json_extract(tg.value, '$.gender'), '')
            FROM json_each(OLD.doc, '$.violations') v, json_each(v.value, '$.targets') tg WHERE json_extract(tg.value, '$.kind') = 'person'
        UNION ALL
        SELECT DISTINCT id, 'outlet', o, '' FROM (SELECT OLD.id AS id, CASE WHEN json_extract(tg.value, '$.kind') = 'person' THEN json_extract(tg.value, '$.outlet')
            WHEN json_extract(tg.value, '$.kind') IN ('outlet', 'website') THEN json_extract(tg.value, '$.name') END AS o
            FROM json_each(OLD.doc, '$.violations') v, json_each(v.value, '$.targets') tg) WHERE o IS NOT NULL AND o <> ''
    ) WHERE true GROUP BY kind, k1, k2
    ON CONFLICT (kind, k1, k2) DO UPDATE SET n = public_stats.n + excluded.n;
    DELETE FROM public_stats WHERE n = 0;
END;

-- The record as it is now.
INSERT INTO public_stats (kind, k1, k2, n)
SELECT kind, k1, k2, COUNT(*) FROM (
        SELECT DISTINCT p.id AS id, 'month' AS kind, substr(p.date_sort, 1, 7) AS k1,
            COALESCE(NULLIF((SELECT vt.family FROM vocab_terms vt WHERE vt.vocab = 'category' AND vt.code = json_extract(v.value, '$.category')), ''), 'other') AS k2
            FROM public_incidents p, json_each(p.doc, '$.violations') v WHERE p.status = 'published' AND p.date_sort <> '' AND json_extract(p.doc, '$.date_precision') IN ('day', 'month')
        UNION ALL
        SELECT p.id, 'nomonth', '', '' FROM public_incidents p WHERE p.status = 'published' AND NOT (p.date_sort <> '' AND json_extract(p.doc, '$.date_precision') IN ('day', 'month'))
        UNION ALL
        SELECT p.id, 'target', COALESCE(json_extract(tg.value, '$.role'), ''), COALESCE(json_extract(tg.value, '$.gender'), '')
            FROM public_incidents p, json_each(p.doc, '$.violations') v, json_each(v.value, '$.targets') tg WHERE p.status = 'published' AND json_extract(tg.value, '$.kind') = 'person'
        UNION ALL
        SELECT DISTINCT id, 'outlet', o, '' FROM (SELECT p.id AS id, CASE WHEN json_extract(tg.value, '$.kind') = 'person' THEN json_extract(tg.value, '$.outlet')
            WHEN json_extract(tg.value, '$.kind') IN ('outlet', 'website') THEN json_extract(tg.value, '$.name') END AS o
            FROM public_incidents p, json_each(p.doc, '$.violations') v, json_each(v.value, '$.targets') tg WHERE p.status = 'published') WHERE o IS NOT NULL AND o <> ''
) WHERE true GROUP BY kind, k1, k2;
