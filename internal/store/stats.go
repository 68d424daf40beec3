package store

import (
	"context"
	"fmt"
	"sort"

	"github.com/presswatch/presswatch/internal/domain"
)

var _ domain.StatsStore = (*DB)(nil)

// Stats counts, for the filter, incidents per month and family, per actor
// type, family, country and province, targeted persons per role and gender,
// and the most targeted outlets. The whole record reads public_stats and
// the facets; a filter is one pass over the in-memory index
// (pubindex_stats.go). Without the index, the cross tabulations read the
// published documents (json_each on SQLite, jsonb_array_elements on
// PostgreSQL). Results are cached per generation of the published record,
// like the facets.
func (d *DB) Stats(ctx context.Context, f domain.IncidentFilter) (*domain.Stats, error) {
	f.Defaults()
	if out, ok, err := d.indexStats(ctx, f); err != nil || ok {
		return out, err
	}
	facets, err := d.Facets(ctx, f)
	if err != nil {
		return nil, err
	}
	out := &domain.Stats{
		Incidents: facets.Incidents, Persons: facets.Persons,
		Families: facets.Fields["family"], ActorTypes: facets.Fields["actor_type"],
		Countries: facets.Fields["country"], Admin1: facets.Fields["admin1"],
		Monthly: []domain.MonthFamilyCount{}, Targets: []domain.RoleGenderCount{}, Outlets: []domain.FacetCount{},
	}
	q := d.compile(f)
	if q.none || out.Incidents == 0 {
		return out, nil
	}
	tx, err := d.ReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	gen, err := publicGeneration(ctx, tx)
	if err != nil {
		return nil, err
	}
	key := "s|" + cacheKey(f)
	if v, ok := d.cache.get(gen, key); ok {
		c := v.(*domain.Stats)
		out.Monthly, out.NoMonth, out.Targets, out.Outlets = c.Monthly, c.NoMonth, c.Targets, c.Outlets
		return out, nil
	}
	if q.plain && !wholeStatsOff {
		// The whole record: public_stats holds the answer (migration 0070).
		if err := d.wholeStats(ctx, tx, out); err != nil {
			return nil, err
		}
		d.cache.put(gen, key, &domain.Stats{Monthly: out.Monthly, NoMonth: out.NoMonth, Targets: out.Targets, Outlets: out.Outlets})
		return out, nil
	}
	sq := d.statsSQL(q)
	rows, err := tx.Query(ctx, sq.monthly, q.args...)
	if err != nil {
		return nil, fmt.Errorf("store: stats monthly: %w", err)
	}
	for rows.Next() {
		var c domain.MonthFamilyCount
		if err := rows.Scan(&c.Month, &c.Family, &c.Count); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: stats monthly: %w", err)
		}
		out.Monthly = append(out.Monthly, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: stats monthly: %w", err)
	}
	if err := tx.QueryRow(ctx, sq.noMonth, q.args...).Scan(&out.NoMonth); err != nil {
		return nil, fmt.Errorf("store: stats without month: %w", err)
	}
	rows, err = tx.Query(ctx, sq.targets, q.args...)
	if err != nil {
		return nil, fmt.Errorf("store: stats targets: %w", err)
	}
	for rows.Next() {
		var c domain.RoleGenderCount
		if err := rows.Scan(&c.Role, &c.Gender, &c.Count); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: stats targets: %w", err)
		}
		out.Targets = append(out.Targets, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: stats targets: %w", err)
	}
	rows, err = tx.Query(ctx, sq.outlets, append(append([]any{}, q.args...), domain.StatsTopOutlets)...)
	if err != nil {
		return nil, fmt.Errorf("store: stats outlets: %w", err)
	}
	for rows.Next() {
		var c domain.FacetCount
		if err := rows.Scan(&c.Value, &c.Count); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: stats outlets: %w", err)
		}
		out.Outlets = append(out.Outlets, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: stats outlets: %w", err)
	}
	sortStats(out)
	d.cache.put(gen, key, &domain.Stats{Monthly: out.Monthly, NoMonth: out.NoMonth, Targets: out.Targets, Outlets: out.Outlets})
	return out, nil
}

// wholeStats reads the statistics of every published incident from
// public_stats, which triggers keep exact in the writing transaction, so
// the first view after a publication reads a few hundred rows, not every
// document.
func (d *DB) wholeStats(ctx context.Context, tx *Tx, out *domain.Stats) error {
	rows, err := tx.Query(ctx, "SELECT kind, k1, k2, n FROM public_stats WHERE n > 0")
	if err != nil {
		return fmt.Errorf("store: whole stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, k1, k2 string
		var n int
		if err := rows.Scan(&kind, &k1, &k2, &n); err != nil {
			return fmt.Errorf("store: whole stats: %w", err)
		}
		switch kind {
		case "month":
			out.Monthly = append(out.Monthly, domain.MonthFamilyCount{Month: k1, Family: k2, Count: n})
		case "nomonth":
			out.NoMonth += n
		case "target":
			out.Targets = append(out.Targets, domain.RoleGenderCount{Role: k1, Gender: k2, Count: n})
		case "outlet":
			out.Outlets = append(out.Outlets, domain.FacetCount{Value: k1, Count: n})
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: whole stats: %w", err)
	}
	sortStats(out)
	sortOutlets(out)
	return nil
}

// sortOutlets keeps the most targeted outlets in the filtered query's
// order and limit: count, then name.
func sortOutlets(out *domain.Stats) {
	sort.Slice(out.Outlets, func(i, j int) bool {
		a, b := out.Outlets[i], out.Outlets[j]
		return a.Count > b.Count || a.Count == b.Count && a.Value < b.Value
	})
	if len(out.Outlets) > domain.StatsTopOutlets {
		out.Outlets = out.Outlets[:domain.StatsTopOutlets]
	}
}

// indexStats answers Stats for a filter with one pass over the in-memory
// index (totals, facets and statistics together, all cached); ok is false
// when the SQL path must answer (the whole record, which public_stats
// holds, or an index that cannot).
func (d *DB) indexStats(ctx context.Context, f domain.IncidentFilter) (*domain.Stats, bool, error) {
	q := d.compile(f)
	if q.plain || q.none {
		return nil, false, nil
	}
	tx, err := d.snapshotTx(ctx)
	if err != nil {
		return nil, false, err
	}
	defer tx.Rollback()
	gen, err := publicGeneration(ctx, tx)
	if err != nil {
		return nil, false, err
	}
	key := cacheKey(f)
	fv, haveFacets := d.cache.get(gen, "f|"+key)
	sv, haveStats := d.cache.get(gen, "s|"+key)
	if haveFacets && haveStats {
		return statsOut(cloneFacets(fv.(*domain.Facets)), sv.(*domain.Stats)), true, nil
	}
	idx, m, err := d.indexMatcher(ctx, tx, gen, f, q)
	if err != nil || idx == nil {
		return nil, false, err
	}
	shape := idx.statsShape()
	if shape == nil {
		return nil, false, nil
	}
	res := idx.run(m, pass{facets: true, needTotal: true, stats: shape})
	facets := idx.facets(res)
	st := &domain.Stats{Monthly: []domain.MonthFamilyCount{}, Targets: []domain.RoleGenderCount{}, Outlets: []domain.FacetCount{}}
	if err := shape.fill(idx, res.stats, st); err != nil {
		return nil, false, err
	}
	d.cache.put(gen, "t|"+key, totals{facets.Incidents, facets.Persons})
	d.cache.put(gen, "f|"+key, cloneFacets(facets))
	d.cache.put(gen, "s|"+key, st)
	return statsOut(facets, st), true, nil
}

// statsOut joins the facets and the statistics of a filter into Stats.
func statsOut(facets *domain.Facets, st *domain.Stats) *domain.Stats {
	return &domain.Stats{
		Incidents: facets.Incidents, Persons: facets.Persons,
		Families: facets.Fields["family"], ActorTypes: facets.Fields["actor_type"],
		Countries: facets.Fields["country"], Admin1: facets.Fields["admin1"],
		Monthly: st.Monthly, NoMonth: st.NoMonth, Targets: st.Targets, Outlets: st.Outlets,
	}
}

func sortStats(out *domain.Stats) {
	sort.Slice(out.Monthly, func(i, j int) bool {
		a, b := out.Monthly[i], out.Monthly[j]
		return a.Month < b.Month || a.Month == b.Month && a.Family < b.Family
	})
	sort.Slice(out.Targets, func(i, j int) bool {
		a, b := out.Targets[i], out.Targets[j]
		return a.Count > b.Count || a.Count == b.Count && (a.Role < b.Role || a.Role == b.Role && a.Gender < b.Gender)
	})
}

// wholeStatsOff makes tests compare public_stats with the SQL path.
var wholeStatsOff bool

type statsQueries struct{ monthly, noMonth, targets, outlets string }

// statsSQL builds the statistics queries over the compiled filter; each
// takes q.args (outlets takes the limit after them).
func (d *DB) statsSQL(q publicQuery) statsQueries {
	where := q.where()
	if d.dialect.IsPostgres() {
		hasMonth := "p.date_sort <> '' AND p.doc->>'date_precision' IN ('day', 'month')"
		targets := " FROM public_incidents p CROSS JOIN LATERAL jsonb_array_elements(COALESCE(p.doc->'violations', '[]'::jsonb)) v(value)" +
			" CROSS JOIN LATERAL jsonb_array_elements(COALESCE(v.value->'targets', '[]'::jsonb)) tg(value)"
		return statsQueries{
			monthly: "SELECT substr(p.date_sort, 1, 7), t.value, COUNT(*) FROM public_incidents p JOIN public_terms t ON t.incident_id = p.id AND t.field = 'family'" +
				where + " AND " + hasMonth + " GROUP BY 1, 2",
			noMonth: "SELECT COUNT(*) FROM public_incidents p" + where + " AND NOT (" + hasMonth + ")",
			targets: "SELECT COALESCE(tg.value->>'role', ''), COALESCE(tg.value->>'gender', ''), COUNT(*)" + targets +
				where + " AND tg.value->>'kind' = 'person' GROUP BY 1, 2",
			outlets: "SELECT o, COUNT(DISTINCT id) FROM (SELECT p.id AS id, CASE WHEN tg.value->>'kind' = 'person' THEN tg.value->>'outlet'" +
				" WHEN tg.value->>'kind' IN ('outlet', 'website') THEN tg.value->>'name' END AS o" + targets + where +
				") x WHERE o IS NOT NULL AND o <> '' GROUP BY o ORDER BY 2 DESC, 1 LIMIT ?",
		}
	}
	hasMonth := "p.date_sort <> '' AND json_extract(p.doc, '$.date_precision') IN ('day', 'month')"
	targets := " FROM public_incidents p, json_each(p.doc, '$.violations') v, json_each(v.value, '$.targets') tg"
	return statsQueries{
		monthly: "SELECT substr(p.date_sort, 1, 7), t.value, COUNT(*) FROM public_incidents p JOIN public_terms t ON t.incident_id = p.id AND t.field = 'family'" +
			where + " AND " + hasMonth + " GROUP BY 1, 2",
		noMonth: "SELECT COUNT(*) FROM public_incidents p" + where + " AND NOT (" + hasMonth + ")",
		targets: "SELECT COALESCE(json_extract(tg.value, '$.role'), ''), COALESCE(json_extract(tg.value, '$.gender'), ''), COUNT(*)" + targets +
			where + " AND json_extract(tg.value, '$.kind') = 'person' GROUP BY 1, 2",
		outlets: "SELECT o, COUNT(DISTINCT id) FROM (SELECT p.id AS id, CASE WHEN json_extract(tg.value, '$.kind') = 'person' THEN json_extract(tg.value, '$.outlet')" +
			" WHEN json_extract(tg.value, '$.kind') IN ('outlet', 'website') THEN json_extract(tg.value, '$.name') END AS o" + targets + where +
			") x WHERE o IS NOT NULL AND o <> '' GROUP BY o ORDER BY 2 DESC, 1 LIMIT ?",
	}
}
