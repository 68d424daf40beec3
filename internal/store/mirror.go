package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/presswatch/presswatch/internal/domain"
)

var _ domain.MirrorStore = (*DB)(nil)

const mirrorColumns = `id, url, kind, label, public, state, problem, checked_at, built_at, size, root, verified_at, created_at, updated_at`

func scanMirror(sc interface{ Scan(...any) error }) (*domain.Mirror, error) {
	m := &domain.Mirror{}
	err := sc.Scan(&m.ID, &m.URL, &m.Kind, &m.Label, &m.Public, &m.State, &m.Problem, TimeScanner{&m.CheckedAt},
		TimeScanner{&m.BuiltAt}, &m.Size, &m.Root, TimeScanner{&m.VerifiedAt}, TimeScanner{&m.CreatedAt}, TimeScanner{&m.UpdatedAt})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// ListMirrors returns every mirror by id.
func (d *DB) ListMirrors(ctx context.Context) ([]*domain.Mirror, error) {
	rows, err := d.Reader().Query(ctx, `SELECT `+mirrorColumns+` FROM mirrors ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: list mirrors: %w", err)
	}
	defer rows.Close()
	var out []*domain.Mirror
	for rows.Next() {
		m, err := scanMirror(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list mirrors: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list mirrors: %w", TranslateError(err))
	}
	return out, nil
}

// FindMirror returns one mirror or ENOTFOUND.
func (d *DB) FindMirror(ctx context.Context, id int64) (*domain.Mirror, error) {
	return findMirror(ctx, d.Reader(), id)
}

func findMirror(ctx context.Context, q Querier, id int64) (*domain.Mirror, error) {
	m, err := scanMirror(q.QueryRow(ctx, `SELECT `+mirrorColumns+` FROM mirrors WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Mirror")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find mirror %d: %w", id, TranslateError(err))
	}
	return m, nil
}

var errMirrorTaken = domain.InvalidFields(map[string]string{"url": "This mirror is already listed."})

// CreateMirror validates m, inserts it and records an audit row.
func (d *DB) CreateMirror(ctx context.Context, by *domain.User, m *domain.Mirror) error {
	m.Normalize()
	if err := m.Validate(); err != nil {
		return err
	}
	if m.Kind == domain.MirrorUSBNote {
		m.URL = ""
	}
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	m.State, m.CreatedAt, m.UpdatedAt = domain.MirrorUnchecked, tx.Now, tx.Now
	err = tx.QueryRow(ctx, `INSERT INTO mirrors (url, kind, label, public, state, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, m.URL, m.Kind, m.Label, m.Public, m.State,
		tx.d.Time(tx.Now), tx.d.Time(tx.Now)).Scan(&m.ID)
	if domain.IsCode(TranslateError(err), domain.ECONFLICT) {
		return errMirrorTaken
	}
	if err != nil {
		return fmt.Errorf("store: create mirror: %w", TranslateError(err))
	}
	if err := audit(ctx, tx, by, "mirror.create", mirrorObject(m.ID), m.Kind+" "+m.URL+" "+m.Label); err != nil {
		return err
	}
	return tx.Commit()
}

// UpdateMirror changes a mirror's URL, kind, label and visibility; a new
// URL forgets the last watch.
func (d *DB) UpdateMirror(ctx context.Context, by *domain.User, m *domain.Mirror) error {
	m.Normalize()
	if err := m.Validate(); err != nil {
		return err
	}
	if m.Kind == domain.MirrorUSBNote {
		m.URL = ""
	}
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	old, err := findMirror(ctx, tx, m.ID)
	if err != nil {
		return err
	}
	q := `UPDATE mirrors SET url = ?, kind = ?, label = ?, public = ?, updated_at = ? WHERE id = ?`
	if old.URL != m.URL {
		q = `UPDATE mirrors SET url = ?, kind = ?, label = ?, public = ?, updated_at = ?, state = 'unchecked', problem = '',
			checked_at = NULL, built_at = NULL, size = 0, root = '', verified_at = NULL WHERE id = ?`
	}
	_, err = tx.Exec(ctx, q, m.URL, m.Kind, m.Label, m.Public, tx.d.Time(tx.Now), m.ID)
	if domain.IsCode(err, domain.ECONFLICT) {
		return errMirrorTaken
	}
	if err != nil {
		return fmt.Errorf("store: update mirror %d: %w", m.ID, err)
	}
	detail := m.Kind + " " + m.URL + " " + m.Label
	if !m.Public {
		detail += " (not public)"
	}
	if err := audit(ctx, tx, by, "mirror.update", mirrorObject(m.ID), detail); err != nil {
		return err
	}
	return tx.Commit()
}

// DeleteMirror removes a mirror and records an audit row.
func (d *DB) DeleteMirror(ctx context.Context, by *domain.User, id int64) error {
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	old, err := findMirror(ctx, tx, id)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM mirrors WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: delete mirror %d: %w", id, err)
	}
	if err := audit(ctx, tx, by, "mirror.delete", mirrorObject(id), old.Kind+" "+old.URL+" "+old.Label); err != nil {
		return err
	}
	return tx.Commit()
}

// RecordMirrorCheck stores one watch's result; a verified checkpoint
// becomes the mirror's last verified one.
func (d *DB) RecordMirrorCheck(ctx context.Context, id int64, c domain.MirrorCheck) error {
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if c.CheckedAt.IsZero() {
		c.CheckedAt = tx.Now
	}
	var built any
	if !c.BuiltAt.IsZero() {
		built = tx.d.Time(c.BuiltAt)
	}
	var res sql.Result
	if c.Verified {
		res, err = tx.Exec(ctx, `UPDATE mirrors SET state = ?, problem = ?, checked_at = ?, built_at = ?, size = ?, root = ?, verified_at = ?
			WHERE id = ?`, c.State, c.Problem, tx.d.Time(c.CheckedAt), built, c.Size, c.Root, tx.d.Time(c.CheckedAt), id)
	} else {
		res, err = tx.Exec(ctx, `UPDATE mirrors SET state = ?, problem = ?, checked_at = ? WHERE id = ?`,
			c.State, c.Problem, tx.d.Time(c.CheckedAt), id)
	}
	if err != nil {
		return fmt.Errorf("store: record mirror check %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("Mirror")
	}
	return tx.Commit()
}

// OnionAddress returns the instance's onion address ("" when none).
func (d *DB) OnionAddress(ctx context.Context) (string, error) {
	var v string
	err := d.Reader().QueryRow(ctx, `SELECT value FROM mirror_settings WHERE name = 'onion'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: onion address: %w", TranslateError(err))
	}
	return v, nil
}

// SetOnionAddress changes the instance's onion address ("" removes it).
func (d *DB) SetOnionAddress(ctx context.Context, by *domain.User, addr string) error {
	if msg := domain.ValidOnionAddress(addr); msg != "" {
		return domain.InvalidFields(map[string]string{"onion": msg})
	}
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if addr == "" {
		_, err = tx.Exec(ctx, `DELETE FROM mirror_settings WHERE name = 'onion'`)
	} else {
		_, err = tx.Exec(ctx, `INSERT INTO mirror_settings (name, value) VALUES ('onion', ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, addr)
	}
	if err != nil {
		return fmt.Errorf("store: set onion address: %w", err)
	}
	if err := audit(ctx, tx, by, "mirror.onion", "mirrors", addr); err != nil {
		return err
	}
	return tx.Commit()
}

func mirrorObject(id int64) string { return "mirror:" + strconv.FormatInt(id, 10) }
