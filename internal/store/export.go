package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/presswatch/presswatch/internal/domain"
)

// exportMmapSize is the SQLite memory map an export's connection uses while
// it streams: pages are read from the map instead of one pread and copy
// each, which halves the engine's cost per row on a large database.
var exportMmapSize int64 = 1 << 30

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
	conn, err := d.read.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: each public json: %w", TranslateError(err))
	}
	defer conn.Close()
	if !d.dialect.IsPostgres() && exportMmapSize > 0 {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA mmap_size = %d", exportMmapSize)); err != nil {
			return fmt.Errorf("store: each public json: %w", err)
		}
		// The connection goes back to the reader pool: give it back as
		// it was (a fresh context, in case ctx is already cancelled).
		defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA mmap_size = 0")
	}
	rows, err := conn.QueryContext(ctx, d.dialect.Rebind(s), args...)
	if err != nil {
		return fmt.Errorf("store: each public json: %w", TranslateError(err))
	}
	defer rows.Close()
	var id, doc, key, upd sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&id, &doc, &key, &upd); err != nil {
			return fmt.Errorf("store: each public json: %w", err)
		}
		if err := fn(doc); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: each public json: %w", TranslateError(err))
	}
	return nil
}
