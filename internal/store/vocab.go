package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/presswatch/presswatch/internal/domain"
)

var _ domain.VocabStore = (*DB)(nil)

// Terms returns every vocabulary term, active or not, by vocabulary and sort.
func (d *DB) Terms(ctx context.Context) ([]domain.Term, error) {
	rows, err := d.Reader().Query(ctx, "SELECT vocab, code, family, labels, sort, active FROM vocab_terms ORDER BY vocab, sort, code")
	if err != nil {
		return nil, fmt.Errorf("store: terms: %w", err)
	}
	defer rows.Close()
	var out []domain.Term
	for rows.Next() {
		var t domain.Term
		var labels []byte
		if err := rows.Scan(&t.Vocab, &t.Code, &t.Family, &labels, &t.Sort, &t.Active); err != nil {
			return nil, fmt.Errorf("store: terms: %w", err)
		}
		if err := json.Unmarshal(labels, &t.Labels); err != nil {
			return nil, fmt.Errorf("store: terms: labels of %s/%s: %w", t.Vocab, t.Code, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: terms: %w", err)
	}
	return out, nil
}

// SaveTerm inserts or updates a term (codes are stable: a term is never
// deleted, only deactivated) and writes an audit row.
func (d *DB) SaveTerm(ctx context.Context, t domain.Term, by *domain.User) error {
	if err := t.Validate(); err != nil {
		return err
	}
	labels, err := json.Marshal(t.Labels)
	if err != nil {
		return fmt.Errorf("store: save term: %w", err)
	}
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(ctx, `INSERT INTO vocab_terms (vocab, code, family, labels, sort, active) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (vocab, code) DO UPDATE SET family = excluded.family, labels = excluded.labels, sort = excluded.sort, active = excluded.active`,
		t.Vocab, t.Code, t.Family, tx.d.JSON(labels), t.Sort, t.Active); err != nil {
		return fmt.Errorf("store: save term: %w", err)
	}
	if err := audit(ctx, tx, by, "vocab.save", "term:"+t.Vocab+"/"+t.Code, string(labels)); err != nil {
		return err
	}
	return tx.Commit()
}
