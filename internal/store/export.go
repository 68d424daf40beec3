package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/presswatch/presswatch/internal/domain"
)

// exportPragmas tune the SQLite connection an export streams on, and
// exportReset puts it back as the reader pool had it. A memory map reads
// pages without a pread and a copy each: 170,000 rows per CPU second
// instead of 110,000 with the default page cache (and 68,000 with a 64 MiB
// cache), docs/bench/publicdata.md.
var (
	exportPragmas = []string{"PRAGMA mmap_size = 2147418112"} // SQLite's default ceiling
	exportReset   = []string{"PRAGMA mmap_size = 0"}
)

// EachPublicJSON streams the stored document of every published incident
// the filter selects, in the filter's order (like EachPublic, paging
// ignored), without decoding it: doc is the JSON encoding of
// domain.PublicIncident (on PostgreSQL, jsonb's text form: same content,
// other key order). doc is only valid during fn, which must not keep it.
// The whole stream reads one snapshot. It is the fast path of the exports:
// no per-row allocation or decoding here, so the caller decides what to
// decode.
func (d *DB) EachPublicJSON(ctx context.Context, f domain.IncidentFilter, fn func(doc []byte) error) error {
	f.Defaults()
	sort := effectiveSort(f)
	q := d.compile(f)
	if q.none {
		return nil
	}
	s, args := d.pageSQL(f, q, sort, nil, 0, 0)
	var id, doc, key, upd sql.RawBytes
	return d.streamExport(ctx, "each public json", s, args, func(rows *sql.Rows) error {
		if err := rows.Scan(&id, &doc, &key, &upd); err != nil {
			return fmt.Errorf("store: each public json: %w", err)
		}
		return fn(doc)
	})
}

// streamExport runs query s on one reader connection (memory-mapped on
// SQLite) and calls each for every row.
func (d *DB) streamExport(ctx context.Context, what, s string, args []any, each func(*sql.Rows) error) error {
	conn, err := d.read.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, TranslateError(err))
	}
	defer conn.Close()
	if !d.dialect.IsPostgres() {
		for _, p := range exportPragmas {
			if _, err := conn.ExecContext(ctx, p); err != nil {
				return fmt.Errorf("store: %s: %w", what, err)
			}
		}
		// The connection goes back to the reader pool: give it back as
		// it was (a fresh context, in case ctx is already cancelled).
		defer func() {
			for _, p := range exportReset {
				conn.ExecContext(context.WithoutCancel(ctx), p)
			}
		}()
	}
	rows, err := conn.QueryContext(ctx, d.dialect.Rebind(s), args...)
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, TranslateError(err))
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: %s: %w", what, TranslateError(err))
	}
	return nil
}
