package store

import (
	"strconv"
	"strings"
	"time"
)

// Engines.
const (
	EngineSQLite   = "sqlite"
	EnginePostgres = "postgres"
)

// Dialect holds every difference between SQLite and PostgreSQL that the
// store's SQL meets. Queries are written once with ? placeholders, standard
// upserts (ON CONFLICT … DO …) and RETURNING, which both engines accept; what
// differs is produced here.
type Dialect struct {
	Engine string
}

// IsPostgres reports whether the engine is PostgreSQL.
func (d Dialect) IsPostgres() bool { return d.Engine == EnginePostgres }

// Rebind rewrites ? placeholders to $1, $2, … for PostgreSQL. Queries must
// not contain ? inside string literals (none of the store's do).
func (d Dialect) Rebind(q string) string {
	if !d.IsPostgres() || strings.IndexByte(q, '?') < 0 {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// sqliteTimeLayout is fixed-width so that text comparison orders times.
const sqliteTimeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// Time encodes a time for a column: timestamptz on PostgreSQL, fixed-width
// RFC 3339 UTC text on SQLite, both at microsecond precision. Scan it back
// with TimeScanner.
func (d Dialect) Time(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if d.IsPostgres() {
		return t
	}
	return t.Format(sqliteTimeLayout)
}

// NullTime encodes an optional time (NULL for nil or zero).
func (d Dialect) NullTime(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return d.Time(*t)
}

// JSON encodes a JSON document for a doc column (jsonb on PostgreSQL, text on
// SQLite).
func (d Dialect) JSON(b []byte) any { return string(b) }

// ftsJoin returns the fragment that restricts public_incidents p to rows
// matching the full-text query given as its one argument (from ftsQuery).
func (d Dialect) ftsWhere() string {
	if d.IsPostgres() {
		return "p.fts @@ plainto_tsquery('simple', ?)"
	}
	return "p.id IN (SELECT rowid FROM public_fts WHERE public_fts MATCH ?)"
}

// ftsRankOrder returns the ORDER BY of a relevance sort; its placeholders
// take the full-text query once.
func (d Dialect) ftsRankOrder() string {
	if d.IsPostgres() {
		return "ts_rank(p.fts, plainto_tsquery('simple', ?)) DESC, p.date_sort DESC, p.id DESC"
	}
	return "(SELECT f.rank FROM public_fts f WHERE f.public_fts MATCH ? AND f.rowid = p.id) ASC, p.date_sort DESC, p.id DESC"
}

// ftsQuery turns plain words into the engine's query: on SQLite every word
// becomes a quoted FTS5 string (all required), on PostgreSQL the words are
// given to plainto_tsquery. Query syntax in the input is never interpreted.
// It returns "" when there is no word.
func (d Dialect) ftsQuery(words []string) string {
	if len(words) == 0 {
		return ""
	}
	if d.IsPostgres() {
		return strings.Join(words, " ")
	}
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
	}
	return strings.Join(parts, " ")
}

// categoryOfDoc returns the fragment matching working copies (incidents i)
// with a violation of the category given as its one argument.
func (d Dialect) categoryOfDoc() string {
	if d.IsPostgres() {
		return "i.doc->'violations' @> jsonb_build_array(jsonb_build_object('category', ?::text))"
	}
	return "EXISTS (SELECT 1 FROM json_each(i.doc, '$.violations') v WHERE json_extract(v.value, '$.category') = ?)"
}

// likeEscape escapes LIKE wildcards; use with ESCAPE '\'.
func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// resetIdentity returns the statement that moves table's id generator past
// explicitly inserted ids ("" on SQLite, where INTEGER PRIMARY KEY needs
// nothing).
func (d Dialect) resetIdentity(table string) string {
	if !d.IsPostgres() {
		return ""
	}
	return "SELECT setval(pg_get_serial_sequence('" + table + "', 'id'), (SELECT COALESCE(MAX(id), 1) FROM " + table + "))"
}

// snippetQuery returns the query that selects (id, highlighted text) for the
// rows whose ids follow the full-text query argument; n is the number of ids.
func (d Dialect) snippetQuery(n int) string {
	if d.IsPostgres() {
		return "SELECT id, ts_headline('simple', search_text, plainto_tsquery('simple', ?), " +
			"'StartSel=" + markOpen + ", StopSel=" + markClose + ", MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \"') " +
			"FROM public_incidents WHERE id IN (" + placeholders(n) + ")"
	}
	return "SELECT rowid, snippet(public_fts, -1, '" + markOpen + "', '" + markClose + "', '…', 24) " +
		"FROM public_fts WHERE public_fts MATCH ? AND rowid IN (" + placeholders(n) + ")"
}
