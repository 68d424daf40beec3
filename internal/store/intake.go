package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
)

// This file keeps anonymous intake: sources (only a derivation of their
// codename), reports, report-key envelopes, sealed messages and
// attachments, editors' wrapped keys and derivation records. It never sees
// plaintext; audit rows name objects, never content.

var _ domain.IntakeStore = (*DB)(nil)

func intakeNullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// CreateReport writes a report, its envelope, first message and attachments
// in one transaction; src.ID == 0 creates the source first.
func (d *DB) CreateReport(ctx context.Context, src *domain.IntakeSource, r *domain.IntakeReport, envelope []byte, m *domain.IntakeMessage, atts []*domain.IntakeAttachment) error {
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if src.ID == 0 {
		src.CreatedAt = tx.Now
		err := tx.QueryRow(ctx, `INSERT INTO intake_sources (lookup_key, public_key, created_at) VALUES (?, ?, ?) RETURNING id`,
			src.LookupKey, src.PublicKey, tx.d.Time(tx.Now)).Scan(&src.ID)
		if err != nil {
			return fmt.Errorf("store: create intake source: %w", TranslateError(err))
		}
	}
	r.SourceID = src.ID
	if r.Status == "" {
		r.Status = domain.IntakeNew
	}
	r.CreatedAt, r.UpdatedAt = tx.Now, tx.Now
	err = tx.QueryRow(ctx, `INSERT INTO intake_reports (source_id, status, assigned_to, public_key, incident_id, created_at, updated_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, r.SourceID, r.Status, intakeNullID(r.AssignedTo), r.PublicKey, intakeNullID(r.IncidentID),
		tx.d.Time(r.CreatedAt), tx.d.Time(r.UpdatedAt), tx.d.Time(r.ExpiresAt)).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("store: create intake report: %w", TranslateError(err))
	}
	if _, err := tx.Exec(ctx, `INSERT INTO intake_envelopes (report_id, sealed, updated_at) VALUES (?, ?, ?)`,
		r.ID, envelope, tx.d.Time(tx.Now)); err != nil {
		return fmt.Errorf("store: create intake envelope: %w", err)
	}
	m.ReportID = r.ID
	if err := insertIntakeMessage(ctx, tx, m, atts); err != nil {
		return err
	}
	return tx.Commit()
}

func insertIntakeMessage(ctx context.Context, tx *Tx, m *domain.IntakeMessage, atts []*domain.IntakeAttachment) error {
	m.CreatedAt = tx.Now
	err := tx.QueryRow(ctx, `INSERT INTO intake_messages (report_id, direction, author_id, sealed, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		m.ReportID, m.Direction, intakeNullID(m.AuthorID), m.Sealed, tx.d.Time(m.CreatedAt)).Scan(&m.ID)
	if err != nil {
		return fmt.Errorf("store: add intake message: %w", TranslateError(err))
	}
	for _, a := range atts {
		a.ReportID, a.MessageID, a.CreatedAt = m.ReportID, m.ID, tx.Now
		err := tx.QueryRow(ctx, `INSERT INTO intake_attachments (report_id, message_id, name, blob_sha256, plaintext_sha256, size,
			cipher_size, sealed_meta, missing, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			a.ReportID, a.MessageID, "pending", a.BlobSHA256, a.PlaintextSHA256, a.Size, a.CipherSize, a.SealedMeta, false,
			tx.d.Time(a.CreatedAt)).Scan(&a.ID)
		if err != nil {
			return fmt.Errorf("store: add intake attachment: %w", TranslateError(err))
		}
		// The stored name is chosen here, from the id: nothing of the
		// source's file name reaches a column.
		a.Name = fmt.Sprintf("attachment-%d", a.ID)
		if _, err := tx.Exec(ctx, `UPDATE intake_attachments SET name = ? WHERE id = ?`, a.Name, a.ID); err != nil {
			return fmt.Errorf("store: name intake attachment: %w", err)
		}
	}
	return nil
}

// AddMessage writes a message and its attachments and touches the report.
func (d *DB) AddMessage(ctx context.Context, m *domain.IntakeMessage, atts []*domain.IntakeAttachment) error {
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.Exec(ctx, `UPDATE intake_reports SET updated_at = ? WHERE id = ?`, tx.d.Time(tx.Now), m.ReportID)
	if err != nil {
		return fmt.Errorf("store: add intake message: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("Report")
	}
	if err := insertIntakeMessage(ctx, tx, m, atts); err != nil {
		return err
	}
	if m.Direction == domain.FromEditors {
		if err := audit(ctx, tx, &domain.User{ID: m.AuthorID}, "intake.reply", fmt.Sprintf("intake:%d", m.ReportID), ""); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// FindSourceByLookup returns the source whose lookup key is key.
func (d *DB) FindSourceByLookup(ctx context.Context, key []byte) (*domain.IntakeSource, error) {
	s := &domain.IntakeSource{}
	err := d.Reader().QueryRow(ctx, `SELECT id, lookup_key, public_key, created_at FROM intake_sources WHERE lookup_key = ?`, key).
		Scan(&s.ID, &s.LookupKey, &s.PublicKey, TimeScanner{&s.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Source")
	} else if err != nil {
		return nil, fmt.Errorf("store: find intake source: %w", TranslateError(err))
	}
	return s, nil
}

// SourcePublicKey returns a source's public key (replies are sealed to it).
func (d *DB) SourcePublicKey(ctx context.Context, id int64) (string, error) {
	var pub string
	err := d.Reader().QueryRow(ctx, `SELECT public_key FROM intake_sources WHERE id = ?`, id).Scan(&pub)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound("Source")
	} else if err != nil {
		return "", fmt.Errorf("store: intake source key: %w", TranslateError(err))
	}
	return pub, nil
}

const reportColumns = `r.id, r.source_id, r.status, COALESCE(r.assigned_to, 0), COALESCE(NULLIF(u.name, ''), u.email, ''), r.public_key,
	COALESCE(r.incident_id, 0), r.created_at, r.updated_at, r.expires_at,
	(SELECT COUNT(*) FROM intake_messages m WHERE m.report_id = r.id),
	(SELECT COUNT(*) FROM intake_attachments a WHERE a.report_id = r.id),
	(SELECT COALESCE(SUM(a.cipher_size), 0) FROM intake_attachments a WHERE a.report_id = r.id),
	COALESCE((SELECT m.direction FROM intake_messages m WHERE m.report_id = r.id ORDER BY m.id DESC LIMIT 1), '')`

const reportFrom = ` FROM intake_reports r LEFT JOIN users u ON u.id = r.assigned_to`

func scanReport(row interface{ Scan(...any) error }) (*domain.IntakeReport, error) {
	r := &domain.IntakeReport{}
	err := row.Scan(&r.ID, &r.SourceID, &r.Status, &r.AssignedTo, &r.AssignedName, &r.PublicKey, &r.IncidentID,
		TimeScanner{&r.CreatedAt}, TimeScanner{&r.UpdatedAt}, TimeScanner{&r.ExpiresAt},
		&r.Messages, &r.Attachments, &r.Bytes, &r.LastFrom)
	return r, err
}

// FindReport returns a report's metadata.
func (d *DB) FindReport(ctx context.Context, id int64) (*domain.IntakeReport, error) {
	r, err := scanReport(d.Reader().QueryRow(ctx, `SELECT `+reportColumns+reportFrom+` WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Report")
	} else if err != nil {
		return nil, fmt.Errorf("store: find intake report: %w", TranslateError(err))
	}
	return r, nil
}

func (d *DB) queryReports(ctx context.Context, where string, args ...any) ([]*domain.IntakeReport, error) {
	rows, err := d.Reader().Query(ctx, `SELECT `+reportColumns+reportFrom+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list intake reports: %w", err)
	}
	defer rows.Close()
	var out []*domain.IntakeReport
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list intake reports: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ListReports lists reports, newest activity first.
func (d *DB) ListReports(ctx context.Context, f domain.IntakeFilter) ([]*domain.IntakeReport, error) {
	where, args := " WHERE 1=1", []any{}
	if f.Status != "" {
		where += " AND r.status = ?"
		args = append(args, f.Status)
	}
	if f.AssignedTo != 0 {
		where += " AND r.assigned_to = ?"
		args = append(args, f.AssignedTo)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	return d.queryReports(ctx, where+fmt.Sprintf(" ORDER BY r.updated_at DESC, r.id DESC LIMIT %d", limit), args...)
}

// SourceReports lists a source's reports, oldest first.
func (d *DB) SourceReports(ctx context.Context, sourceID int64) ([]*domain.IntakeReport, error) {
	return d.queryReports(ctx, " WHERE r.source_id = ? ORDER BY r.id", sourceID)
}

// Messages lists a report's messages, oldest first.
func (d *DB) Messages(ctx context.Context, reportID int64) ([]*domain.IntakeMessage, error) {
	rows, err := d.Reader().Query(ctx, `SELECT id, report_id, direction, COALESCE(author_id, 0), sealed, created_at
		FROM intake_messages WHERE report_id = ? ORDER BY id`, reportID)
	if err != nil {
		return nil, fmt.Errorf("store: intake messages: %w", err)
	}
	defer rows.Close()
	var out []*domain.IntakeMessage
	for rows.Next() {
		m := &domain.IntakeMessage{}
		if err := rows.Scan(&m.ID, &m.ReportID, &m.Direction, &m.AuthorID, &m.Sealed, TimeScanner{&m.CreatedAt}); err != nil {
			return nil, fmt.Errorf("store: intake messages: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

const attachmentColumns = `id, report_id, COALESCE(message_id, 0), name, blob_sha256, plaintext_sha256, size, cipher_size, sealed_meta, missing, created_at`

func scanAttachment(row interface{ Scan(...any) error }) (*domain.IntakeAttachment, error) {
	a := &domain.IntakeAttachment{}
	err := row.Scan(&a.ID, &a.ReportID, &a.MessageID, &a.Name, &a.BlobSHA256, &a.PlaintextSHA256, &a.Size, &a.CipherSize,
		&a.SealedMeta, &a.Missing, TimeScanner{&a.CreatedAt})
	return a, err
}

// Attachments lists a report's attachments, oldest first.
func (d *DB) Attachments(ctx context.Context, reportID int64) ([]*domain.IntakeAttachment, error) {
	rows, err := d.Reader().Query(ctx, `SELECT `+attachmentColumns+` FROM intake_attachments WHERE report_id = ? ORDER BY id`, reportID)
	if err != nil {
		return nil, fmt.Errorf("store: intake attachments: %w", err)
	}
	defer rows.Close()
	var out []*domain.IntakeAttachment
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return nil, fmt.Errorf("store: intake attachments: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// FindAttachment returns attachment id of report reportID.
func (d *DB) FindAttachment(ctx context.Context, reportID, id int64) (*domain.IntakeAttachment, error) {
	a, err := scanAttachment(d.Reader().QueryRow(ctx, `SELECT `+attachmentColumns+` FROM intake_attachments WHERE report_id = ? AND id = ?`, reportID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Attachment")
	} else if err != nil {
		return nil, fmt.Errorf("store: find intake attachment: %w", TranslateError(err))
	}
	return a, nil
}

// UpdateReport saves status, assignee and incident id with an audit row.
func (d *DB) UpdateReport(ctx context.Context, r *domain.IntakeReport, by *domain.User, action string) error {
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	r.UpdatedAt = tx.Now
	res, err := tx.Exec(ctx, `UPDATE intake_reports SET status = ?, assigned_to = ?, incident_id = ?, updated_at = ? WHERE id = ?`,
		r.Status, intakeNullID(r.AssignedTo), intakeNullID(r.IncidentID), tx.d.Time(r.UpdatedAt), r.ID)
	if err != nil {
		return fmt.Errorf("store: update intake report: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("Report")
	}
	detail := r.Status
	if r.AssignedTo != 0 {
		detail += fmt.Sprintf(" assigned:%d", r.AssignedTo)
	}
	if r.IncidentID != 0 {
		detail += fmt.Sprintf(" incident:%d", r.IncidentID)
	}
	if err := audit(ctx, tx, by, action, fmt.Sprintf("intake:%d", r.ID), detail); err != nil {
		return err
	}
	return tx.Commit()
}

// Envelope returns a report's key envelope.
func (d *DB) Envelope(ctx context.Context, reportID int64) ([]byte, error) {
	var b []byte
	err := d.Reader().QueryRow(ctx, `SELECT sealed FROM intake_envelopes WHERE report_id = ?`, reportID).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Report key")
	} else if err != nil {
		return nil, fmt.Errorf("store: intake envelope: %w", TranslateError(err))
	}
	return b, nil
}

// Envelopes returns every envelope by report id.
func (d *DB) Envelopes(ctx context.Context) (map[int64][]byte, error) {
	rows, err := d.Reader().Query(ctx, `SELECT report_id, sealed FROM intake_envelopes`)
	if err != nil {
		return nil, fmt.Errorf("store: intake envelopes: %w", err)
	}
	defer rows.Close()
	out := map[int64][]byte{}
	for rows.Next() {
		var id int64
		var b []byte
		if err := rows.Scan(&id, &b); err != nil {
			return nil, fmt.Errorf("store: intake envelopes: %w", err)
		}
		out[id] = b
	}
	return out, rows.Err()
}

// ReplaceEnvelopes stores re-wrapped envelopes in one transaction.
func (d *DB) ReplaceEnvelopes(ctx context.Context, envs map[int64][]byte, by *domain.User) error {
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for id, b := range envs {
		if _, err := tx.Exec(ctx, `UPDATE intake_envelopes SET sealed = ?, updated_at = ? WHERE report_id = ?`, b, tx.d.Time(tx.Now), id); err != nil {
			return fmt.Errorf("store: rewrap intake envelope: %w", err)
		}
	}
	if err := audit(ctx, tx, by, "intake.rewrap", "intake", fmt.Sprintf("%d envelopes", len(envs))); err != nil {
		return err
	}
	return tx.Commit()
}

// EditorKey returns a user's key pair.
func (d *DB) EditorKey(ctx context.Context, userID int64) (*domain.EditorKey, error) {
	k := &domain.EditorKey{}
	err := d.Reader().QueryRow(ctx, `SELECT user_id, public_key, wrapped, created_at, updated_at FROM intake_editor_keys WHERE user_id = ?`, userID).
		Scan(&k.UserID, &k.PublicKey, &k.Wrapped, TimeScanner{&k.CreatedAt}, TimeScanner{&k.UpdatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Editor key")
	} else if err != nil {
		return nil, fmt.Errorf("store: editor key: %w", TranslateError(err))
	}
	return k, nil
}

// EditorKeys returns the keys of active admins and editors.
func (d *DB) EditorKeys(ctx context.Context) ([]*domain.EditorKey, error) {
	rows, err := d.Reader().Query(ctx, `SELECT k.user_id, k.public_key, k.wrapped, k.created_at, k.updated_at
		FROM intake_editor_keys k JOIN users u ON u.id = k.user_id
		WHERE u.disabled = ? AND u.role IN (?, ?) ORDER BY k.user_id`, false, domain.RoleAdmin, domain.RoleEditor)
	if err != nil {
		return nil, fmt.Errorf("store: editor keys: %w", err)
	}
	defer rows.Close()
	var out []*domain.EditorKey
	for rows.Next() {
		k := &domain.EditorKey{}
		if err := rows.Scan(&k.UserID, &k.PublicKey, &k.Wrapped, TimeScanner{&k.CreatedAt}, TimeScanner{&k.UpdatedAt}); err != nil {
			return nil, fmt.Errorf("store: editor keys: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// SaveEditorKey inserts or replaces a user's key pair.
func (d *DB) SaveEditorKey(ctx context.Context, k *domain.EditorKey) error {
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if k.CreatedAt.IsZero() {
		k.CreatedAt = tx.Now
	}
	k.UpdatedAt = tx.Now
	if _, err := tx.Exec(ctx, `INSERT INTO intake_editor_keys (user_id, public_key, wrapped, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET public_key = excluded.public_key, wrapped = excluded.wrapped, updated_at = excluded.updated_at`,
		k.UserID, k.PublicKey, k.Wrapped, tx.d.Time(k.CreatedAt), tx.d.Time(k.UpdatedAt)); err != nil {
		return fmt.Errorf("store: save editor key: %w", err)
	}
	if err := audit(ctx, tx, &domain.User{ID: k.UserID}, "intake.key", fmt.Sprintf("user:%d", k.UserID), k.PublicKey); err != nil {
		return err
	}
	return tx.Commit()
}

// RecordDerivation writes a derivation record with an audit row.
func (d *DB) RecordDerivation(ctx context.Context, dv *domain.IntakeDerivation, by *domain.User) error {
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	dv.CreatedAt = tx.Now
	if by != nil {
		dv.CreatedBy = by.ID
	}
	err = tx.QueryRow(ctx, `INSERT INTO intake_derivations (report_id, attachment_id, original_sha256, published_sha256, media_type,
		size, confirmed, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		dv.ReportID, dv.AttachmentID, dv.OriginalSHA256, dv.PublishedSHA256, dv.MediaType, dv.Size, dv.Confirmed,
		intakeNullID(dv.CreatedBy), tx.d.Time(dv.CreatedAt)).Scan(&dv.ID)
	if err != nil {
		return fmt.Errorf("store: record derivation: %w", TranslateError(err))
	}
	if err := audit(ctx, tx, by, "intake.publish_copy", fmt.Sprintf("intake:%d", dv.ReportID),
		dv.OriginalSHA256+" -> "+dv.PublishedSHA256); err != nil {
		return err
	}
	return tx.Commit()
}

// Derivations lists a report's derivation records.
func (d *DB) Derivations(ctx context.Context, reportID int64) ([]*domain.IntakeDerivation, error) {
	rows, err := d.Reader().Query(ctx, `SELECT id, COALESCE(report_id, 0), COALESCE(attachment_id, 0), original_sha256, published_sha256,
		media_type, size, confirmed, COALESCE(created_by, 0), created_at FROM intake_derivations WHERE report_id = ? ORDER BY id`, reportID)
	if err != nil {
		return nil, fmt.Errorf("store: derivations: %w", err)
	}
	defer rows.Close()
	var out []*domain.IntakeDerivation
	for rows.Next() {
		dv := &domain.IntakeDerivation{}
		if err := rows.Scan(&dv.ID, &dv.ReportID, &dv.AttachmentID, &dv.OriginalSHA256, &dv.PublishedSHA256, &dv.MediaType,
			&dv.Size, &dv.Confirmed, &dv.CreatedBy, TimeScanner{&dv.CreatedAt}); err != nil {
			return nil, fmt.Errorf("store: derivations: %w", err)
		}
		out = append(out, dv)
	}
	return out, rows.Err()
}

// ExpireReports deletes unconverted reports past their expiry (envelope,
// messages and attachments go with them by cascade), sources left without
// reports, and returns the blobs no row refers to any more.
func (d *DB) ExpireReports(ctx context.Context, now time.Time) (int, []string, error) {
	tx, err := d.Begin(ctx)
	if err != nil {
		return 0, nil, err
	}
	defer tx.Rollback()
	rows, err := tx.Query(ctx, `SELECT DISTINCT a.blob_sha256 FROM intake_attachments a JOIN intake_reports r ON r.id = a.report_id
		WHERE r.status <> ? AND r.expires_at < ?`, domain.IntakeConverted, tx.d.Time(now))
	if err != nil {
		return 0, nil, fmt.Errorf("store: expire intake: %w", err)
	}
	var candidates []string
	for rows.Next() {
		var sha string
		if err := rows.Scan(&sha); err != nil {
			rows.Close()
			return 0, nil, fmt.Errorf("store: expire intake: %w", err)
		}
		candidates = append(candidates, sha)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, nil, fmt.Errorf("store: expire intake: %w", err)
	}
	// Delete the envelopes explicitly first: they hold the report keys.
	if _, err := tx.Exec(ctx, `DELETE FROM intake_envelopes WHERE report_id IN (SELECT id FROM intake_reports WHERE status <> ? AND expires_at < ?)`,
		domain.IntakeConverted, tx.d.Time(now)); err != nil {
		return 0, nil, fmt.Errorf("store: expire intake envelopes: %w", err)
	}
	for _, q := range []string{
		`DELETE FROM intake_attachments WHERE report_id IN (SELECT id FROM intake_reports WHERE status <> ? AND expires_at < ?)`,
		`DELETE FROM intake_messages WHERE report_id IN (SELECT id FROM intake_reports WHERE status <> ? AND expires_at < ?)`,
		`DELETE FROM intake_derivations WHERE report_id IN (SELECT id FROM intake_reports WHERE status <> ? AND expires_at < ?)`,
	} {
		if _, err := tx.Exec(ctx, q, domain.IntakeConverted, tx.d.Time(now)); err != nil {
			return 0, nil, fmt.Errorf("store: expire intake: %w", err)
		}
	}
	res, err := tx.Exec(ctx, `DELETE FROM intake_reports WHERE status <> ? AND expires_at < ?`, domain.IntakeConverted, tx.d.Time(now))
	if err != nil {
		return 0, nil, fmt.Errorf("store: expire intake reports: %w", err)
	}
	n, _ := res.RowsAffected()
	if _, err := tx.Exec(ctx, `DELETE FROM intake_sources WHERE NOT EXISTS (SELECT 1 FROM intake_reports r WHERE r.source_id = intake_sources.id)`); err != nil {
		return 0, nil, fmt.Errorf("store: expire intake sources: %w", err)
	}
	var gone []string
	for _, sha := range candidates {
		var refs int
		if err := tx.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM intake_attachments WHERE blob_sha256 = ?) +
			(SELECT COUNT(*) FROM intake_derivations WHERE published_sha256 = ?)`, sha, sha).Scan(&refs); err != nil {
			return 0, nil, fmt.Errorf("store: expire intake: %w", err)
		}
		if refs == 0 {
			gone = append(gone, sha)
		}
	}
	if n > 0 {
		if err := audit(ctx, tx, nil, "intake.expire", "intake", fmt.Sprintf("%d reports", n)); err != nil {
			return 0, nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, nil, err
	}
	return int(n), gone, nil
}

// BlobRefs calls fn with every blob hash an intake row refers to.
func (d *DB) BlobRefs(ctx context.Context, fn func(sha string) error) error {
	rows, err := d.Reader().Query(ctx, `SELECT blob_sha256 FROM intake_attachments UNION SELECT published_sha256 FROM intake_derivations`)
	if err != nil {
		return fmt.Errorf("store: intake blob refs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sha string
		if err := rows.Scan(&sha); err != nil {
			return fmt.Errorf("store: intake blob refs: %w", err)
		}
		if err := fn(sha); err != nil {
			return err
		}
	}
	return rows.Err()
}

// FlagMissingBlob marks the attachments whose blob is missing.
func (d *DB) FlagMissingBlob(ctx context.Context, sha string) error {
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(ctx, `UPDATE intake_attachments SET missing = ? WHERE blob_sha256 = ?`, true, sha); err != nil {
		return fmt.Errorf("store: flag missing blob: %w", err)
	}
	if err := audit(ctx, tx, nil, "intake.blob_missing", "blob:"+sha, ""); err != nil {
		return err
	}
	return tx.Commit()
}

// StoredBytes is the ciphertext size of every attachment.
func (d *DB) StoredBytes(ctx context.Context) (int64, error) {
	var n int64
	if err := d.Reader().QueryRow(ctx, `SELECT COALESCE(SUM(cipher_size), 0) FROM intake_attachments`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: intake stored bytes: %w", TranslateError(err))
	}
	return n, nil
}

// Compact makes deleted rows unrecoverable from the files: on SQLite the
// write-ahead log is checkpointed and truncated (secure_delete already
// zeroes freed pages in the database file); on PostgreSQL the intake and safe-box
// tables are vacuumed.
func (d *DB) Compact(ctx context.Context) error {
	if d.dialect.IsPostgres() {
		for _, t := range []string{"intake_envelopes", "intake_messages", "intake_attachments", "intake_reports", "intake_sources",
			"deposit_envelopes", "deposit_content", "deposit_alerts", "deposits"} {
			if _, err := d.write.ExecContext(ctx, "VACUUM "+t); err != nil {
				return fmt.Errorf("store: vacuum %s: %w", t, err)
			}
		}
		return nil
	}
	var busy, logged, checkpointed int
	if err := d.write.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logged, &checkpointed); err != nil {
		return fmt.Errorf("store: checkpoint: %w", err)
	}
	if busy != 0 {
		return domain.Errorf(domain.EUNAVAILABLE, "The database is busy; the write-ahead log could not be truncated yet.")
	}
	return nil
}
