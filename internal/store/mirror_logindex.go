package store

import (
	"context"
	"database/sql"
	"fmt"
)

// LatestLogIndexes returns, per ref, the leaf index of the ref's latest log
// entry once the log has integrated it — FindPublic's LogIndex for every
// incident in one pass, so that a static mirror renders every incident page
// from one stream without a lookup per page.
func (d *DB) LatestLogIndexes(ctx context.Context) (map[string]int64, error) {
	rows, err := d.Reader().Query(ctx, "SELECT ref, idx FROM log_entries ORDER BY seq")
	if err != nil {
		return nil, fmt.Errorf("store: latest log indexes: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var ref string
		var idx sql.NullInt64
		if err := rows.Scan(&ref, &idx); err != nil {
			return nil, fmt.Errorf("store: latest log indexes: %w", TranslateError(err))
		}
		if idx.Valid {
			out[ref] = idx.Int64
		} else {
			delete(out, ref) // the latest entry is not integrated yet
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: latest log indexes: %w", TranslateError(err))
	}
	return out, nil
}
