package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
)

var _ domain.AuditStore = (*DB)(nil)

// RecordAudit writes one audit entry in its own transaction.
func (d *DB) RecordAudit(ctx context.Context, e *domain.AuditEntry) error {
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := insertAudit(ctx, tx, e); err != nil {
		return err
	}
	return tx.Commit()
}

// audit writes an audit row by user in tx. by may be nil (the command line).
func audit(ctx context.Context, tx *Tx, by *domain.User, action, object, detail string) error {
	e := &domain.AuditEntry{Action: action, Object: object, Detail: detail}
	if by != nil {
		e.UserID, e.UserEmail = by.ID, by.Email
	}
	return insertAudit(ctx, tx, e)
}

// InsertAudit writes e in tx (for other teams' use cases); it fills ID and
// CreatedAt (tx.Now when zero).
func InsertAudit(ctx context.Context, tx *Tx, e *domain.AuditEntry) error {
	return insertAudit(ctx, tx, e)
}

func insertAudit(ctx context.Context, tx *Tx, e *domain.AuditEntry) error {
	if e.CreatedAt.IsZero() {
		e.CreatedAt = tx.Now
	}
	if strings.TrimSpace(e.Action) == "" {
		return domain.Errorf(domain.EINVALID, "An audit entry needs an action.")
	}
	var uid any
	if e.UserID != 0 {
		uid = e.UserID
	}
	err := tx.QueryRow(ctx, `INSERT INTO audit_log (user_id, user_email, action, object, detail, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, uid, e.UserEmail, e.Action, e.Object, e.Detail, tx.d.Time(e.CreatedAt)).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("store: record audit: %w", TranslateError(err))
	}
	return nil
}

// ListAudit returns one page of audit entries, newest first, and the total.
func (d *DB) ListAudit(ctx context.Context, f domain.AuditFilter) ([]*domain.AuditEntry, int, error) {
	var where []string
	var args []any
	if f.UserID != 0 {
		where, args = append(where, "user_id = ?"), append(args, f.UserID)
	}
	if f.Object != "" {
		where, args = append(where, "object = ?"), append(args, f.Object)
	}
	if f.Action != "" {
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	w := ""
	if len(where) > 0 {
		w = " WHERE " + strings.Join(where, " AND ")
	}
	page, per := paging(f.Page, f.PerPage, 50)
	r := d.Reader()
	var total int
	if err := r.QueryRow(ctx, "SELECT COUNT(*) FROM audit_log"+w, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: list audit: %w", err)
	}
	rows, err := r.Query(ctx, "SELECT id, COALESCE(user_id, 0), user_email, action, object, detail, created_at FROM audit_log"+w+
		" ORDER BY id DESC LIMIT ? OFFSET ?", append(args, per, (page-1)*per)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list audit: %w", err)
	}
	defer rows.Close()
	var out []*domain.AuditEntry
	for rows.Next() {
		e := &domain.AuditEntry{}
		if err := rows.Scan(&e.ID, &e.UserID, &e.UserEmail, &e.Action, &e.Object, &e.Detail, TimeScanner{&e.CreatedAt}); err != nil {
			return nil, 0, fmt.Errorf("store: list audit: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: list audit: %w", err)
	}
	return out, total, nil
}

// paging normalises a 1-based page and a page size (default def, at most 500).
func paging(page, per, def int) (int, int) {
	if page < 1 {
		page = 1
	}
	if per < 1 {
		per = def
	}
	if per > 500 {
		per = 500
	}
	return page, per
}
