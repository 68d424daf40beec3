package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/ledger"
)

// This file keeps the safe box (migration 0051): deposits, the envelopes of
// their keys, their sealed content, release votes and alerts. Rows hold no
// plaintext; cancelling a deposit deletes every row that could open it.

var _ domain.DepositStore = (*DB)(nil)

const depositColumns = `id, ref, COALESCE(depositor_user_id, 0), depositor_lookup, depositor_key, readers, release_editors,
	checkin_seconds, grace_seconds, on_silence, sha256, size, state, COALESCE(story_id, 0), last_checkin, alerted_at, created_at, updated_at`

func scanDeposit(row interface{ Scan(...any) error }) (*domain.Deposit, error) {
	d := &domain.Deposit{}
	var readers, release string
	var every, grace int64
	if err := row.Scan(&d.ID, &d.Ref, &d.DepositorUserID, &d.DepositorLookup, &d.DepositorKey, &readers, &release,
		&every, &grace, &d.OnSilence, &d.SHA256, &d.Size, &d.State, &d.StoryID, TimeScanner{&d.LastCheckIn},
		NullTimeScanner{&d.AlertedAt}, TimeScanner{&d.CreatedAt}, TimeScanner{&d.UpdatedAt}); err != nil {
		return nil, err
	}
	d.CheckInEvery, d.Grace = time.Duration(every)*time.Second, time.Duration(grace)*time.Second
	if err := json.Unmarshal([]byte(readers), &d.Readers); err != nil {
		return nil, fmt.Errorf("store: deposit %d: readers: %w", d.ID, err)
	}
	if err := json.Unmarshal([]byte(release), &d.ReleaseEditors); err != nil {
		return nil, fmt.Errorf("store: deposit %d: release editors: %w", d.ID, err)
	}
	return d, nil
}

func depositObject(id int64) string { return fmt.Sprintf("deposit:%d", id) }

func ids(list []int64) string {
	if list == nil {
		list = []int64{}
	}
	b, _ := json.Marshal(list)
	return string(b)
}

// CreateDeposit writes a deposit, its envelopes and sealed content, the log
// entry of its SHA-256 (kind deposit) and an audit row, in one transaction.
// by is nil for a source depositing with a codename.
func (d *DB) CreateDeposit(ctx context.Context, dep *domain.Deposit, envs []*domain.DepositEnvelope, sealed []byte, by *domain.User) error {
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	dep.State, dep.LastCheckIn, dep.CreatedAt, dep.UpdatedAt = domain.DepositActive, tx.Now, tx.Now, tx.Now
	err = tx.QueryRow(ctx, `INSERT INTO deposits (ref, depositor_user_id, depositor_lookup, depositor_key, readers, release_editors,
		checkin_seconds, grace_seconds, on_silence, sha256, size, state, last_checkin, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		dep.Ref, nullID(dep.DepositorUserID), dep.DepositorLookup, dep.DepositorKey, ids(dep.Readers), ids(dep.ReleaseEditors),
		int64(dep.CheckInEvery/time.Second), int64(dep.Grace/time.Second), dep.OnSilence, dep.SHA256, dep.Size, dep.State,
		tx.d.Time(tx.Now), tx.d.Time(tx.Now), tx.d.Time(tx.Now)).Scan(&dep.ID)
	if err != nil {
		return fmt.Errorf("store: create deposit: %w", TranslateError(err))
	}
	if _, err := tx.Exec(ctx, "INSERT INTO deposit_content (deposit_id, sealed) VALUES (?, ?)", dep.ID, sealed); err != nil {
		return fmt.Errorf("store: create deposit: content: %w", err)
	}
	if err := insertEnvelopes(ctx, tx, dep.ID, envs); err != nil {
		return err
	}
	// The hash, never the content, enters the log today.
	if err := InsertLedgerEntry(ctx, tx, ledger.Entry{Kind: ledger.KindDeposit, Ref: dep.Ref, Time: tx.Now, SHA256: dep.SHA256}); err != nil {
		return err
	}
	if err := audit(ctx, tx, by, "deposit.create", depositObject(dep.ID), dep.Ref); err != nil {
		return err
	}
	return tx.Commit()
}

func insertEnvelopes(ctx context.Context, tx *Tx, id int64, envs []*domain.DepositEnvelope) error {
	for _, e := range envs {
		if _, err := tx.Exec(ctx, "INSERT INTO deposit_envelopes (deposit_id, kind, outer_user, inner_user, sealed) VALUES (?, ?, ?, ?, ?)",
			id, e.Kind, e.Outer, e.Inner, e.Sealed); err != nil {
			return fmt.Errorf("store: deposit envelope: %w", err)
		}
	}
	return nil
}

func findDeposit(ctx context.Context, q Querier, id int64) (*domain.Deposit, error) {
	dep, err := scanDeposit(q.QueryRow(ctx, "SELECT "+depositColumns+" FROM deposits WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Deposit")
	} else if err != nil {
		return nil, fmt.Errorf("store: find deposit: %w", TranslateError(err))
	}
	return dep, nil
}

// FindDeposit returns a deposit's row (no content), or ENOTFOUND.
func (d *DB) FindDeposit(ctx context.Context, id int64) (*domain.Deposit, error) {
	return findDeposit(ctx, d.Reader(), id)
}

func (d *DB) listDeposits(ctx context.Context, where string, args ...any) ([]*domain.Deposit, error) {
	rows, err := d.Reader().Query(ctx, "SELECT "+depositColumns+" FROM deposits"+where+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("store: list deposits: %w", err)
	}
	defer rows.Close()
	var out []*domain.Deposit
	for rows.Next() {
		dep, err := scanDeposit(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list deposits: %w", err)
		}
		out = append(out, dep)
	}
	return out, rows.Err()
}

// ListDeposits returns every deposit row.
func (d *DB) ListDeposits(ctx context.Context) ([]*domain.Deposit, error) {
	return d.listDeposits(ctx, "")
}

// DepositsByLookup returns the deposits of the source with that codename
// lookup key.
func (d *DB) DepositsByLookup(ctx context.Context, lookup []byte) ([]*domain.Deposit, error) {
	return d.listDeposits(ctx, " WHERE depositor_lookup = ?", lookup)
}

// DepositsByUser returns the deposits of a staff member.
func (d *DB) DepositsByUser(ctx context.Context, userID int64) ([]*domain.Deposit, error) {
	return d.listDeposits(ctx, " WHERE depositor_user_id = ?", userID)
}

// DepositEnvelopes returns a deposit's envelopes.
func (d *DB) DepositEnvelopes(ctx context.Context, id int64) ([]*domain.DepositEnvelope, error) {
	rows, err := d.Reader().Query(ctx, "SELECT deposit_id, kind, outer_user, inner_user, sealed FROM deposit_envelopes WHERE deposit_id = ? ORDER BY id", id)
	if err != nil {
		return nil, fmt.Errorf("store: deposit envelopes: %w", err)
	}
	defer rows.Close()
	var out []*domain.DepositEnvelope
	for rows.Next() {
		e := &domain.DepositEnvelope{}
		if err := rows.Scan(&e.DepositID, &e.Kind, &e.Outer, &e.Inner, &e.Sealed); err != nil {
			return nil, fmt.Errorf("store: deposit envelopes: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// DepositContent returns the sealed content of a deposit.
func (d *DB) DepositContent(ctx context.Context, id int64) ([]byte, error) {
	var b []byte
	err := d.Reader().QueryRow(ctx, "SELECT sealed FROM deposit_content WHERE deposit_id = ?", id).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Deposit")
	} else if err != nil {
		return nil, fmt.Errorf("store: deposit content: %w", TranslateError(err))
	}
	return b, nil
}

// CheckIn records a check-in now: an overdue or releasable deposit becomes
// active again, its votes are dropped and its alerts cleared.
func (d *DB) CheckIn(ctx context.Context, id int64, by *domain.User) (*domain.Deposit, error) {
	tx, err := d.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	dep, err := findDeposit(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if dep.State == domain.DepositReleased {
		return nil, domain.Errorf(domain.ECONFLICT, "This deposit was already released by the editors' decision.")
	}
	if _, err := tx.Exec(ctx, "UPDATE deposits SET state = ?, last_checkin = ?, alerted_at = NULL, updated_at = ? WHERE id = ?",
		domain.DepositActive, tx.d.Time(tx.Now), tx.d.Time(tx.Now), id); err != nil {
		return nil, fmt.Errorf("store: check in: %w", err)
	}
	if _, err := tx.Exec(ctx, "DELETE FROM deposit_envelopes WHERE deposit_id = ? AND kind = 'half'", id); err != nil {
		return nil, fmt.Errorf("store: check in: %w", err)
	}
	if _, err := tx.Exec(ctx, "UPDATE deposit_alerts SET cleared_at = ? WHERE deposit_id = ? AND cleared_at IS NULL", tx.d.Time(tx.Now), id); err != nil {
		return nil, fmt.Errorf("store: check in: %w", err)
	}
	if err := audit(ctx, tx, by, "deposit.checkin", depositObject(id), dep.Ref); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	dep.State, dep.LastCheckIn, dep.AlertedAt = domain.DepositActive, tx.Now, nil
	return dep, nil
}

// CancelDeposit deletes the deposit and everything that could open it. On
// SQLite secure_delete zeroes the freed pages; Compact (intake) truncates
// the write-ahead log.
func (d *DB) CancelDeposit(ctx context.Context, id int64, by *domain.User) error {
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	dep, err := findDeposit(ctx, tx, id)
	if err != nil {
		return err
	}
	for _, q := range []string{"DELETE FROM deposit_envelopes WHERE deposit_id = ?", "DELETE FROM deposit_content WHERE deposit_id = ?",
		"DELETE FROM deposit_alerts WHERE deposit_id = ?", "DELETE FROM deposits WHERE id = ?"} {
		if _, err := tx.Exec(ctx, q, id); err != nil {
			return fmt.Errorf("store: cancel deposit: %w", err)
		}
	}
	if err := audit(ctx, tx, by, "deposit.cancel", depositObject(id), dep.Ref); err != nil {
		return err
	}
	return tx.Commit()
}

// MarkDeposit moves a deposit to state and raises alert (the sweep of
// silent deposits). A deposit already released is left alone.
func (d *DB) MarkDeposit(ctx context.Context, id int64, state string, alert *domain.DepositAlert) error {
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.Exec(ctx, "UPDATE deposits SET state = ?, alerted_at = ?, updated_at = ? WHERE id = ? AND state <> ?",
		state, tx.d.Time(tx.Now), tx.d.Time(tx.Now), id, domain.DepositReleased)
	if err != nil {
		return fmt.Errorf("store: mark deposit: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("Deposit")
	}
	if alert != nil {
		alert.DepositID, alert.CreatedAt = id, tx.Now
		if err := tx.QueryRow(ctx, "INSERT INTO deposit_alerts (deposit_id, kind, message, created_at) VALUES (?, ?, ?, ?) RETURNING id",
			id, alert.Kind, alert.Message, tx.d.Time(tx.Now)).Scan(&alert.ID); err != nil {
			return fmt.Errorf("store: deposit alert: %w", err)
		}
	}
	if err := audit(ctx, tx, nil, "deposit."+state, depositObject(id), ""); err != nil {
		return err
	}
	return tx.Commit()
}

// Alerts lists deposit alerts, newest first (only open ones when open).
func (d *DB) Alerts(ctx context.Context, open bool) ([]*domain.DepositAlert, error) {
	w := ""
	if open {
		w = " WHERE cleared_at IS NULL"
	}
	rows, err := d.Reader().Query(ctx, "SELECT id, deposit_id, kind, message, created_at, cleared_at FROM deposit_alerts"+w+" ORDER BY id DESC")
	if err != nil {
		return nil, fmt.Errorf("store: deposit alerts: %w", err)
	}
	defer rows.Close()
	var out []*domain.DepositAlert
	for rows.Next() {
		a := &domain.DepositAlert{}
		if err := rows.Scan(&a.ID, &a.DepositID, &a.Kind, &a.Message, TimeScanner{&a.CreatedAt}, NullTimeScanner{&a.ClearedAt}); err != nil {
			return nil, fmt.Errorf("store: deposit alerts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// VoteRelease stores the half-opened envelopes of by's release vote (still
// sealed to the other editor of each pair). The deposit must be releasable.
func (d *DB) VoteRelease(ctx context.Context, id int64, by *domain.User, halves []*domain.DepositEnvelope) error {
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	dep, err := findDeposit(ctx, tx, id)
	if err != nil {
		return err
	}
	if dep.State != domain.DepositReleasable {
		return domain.Errorf(domain.ECONFLICT, "This deposit cannot be released now: its depositor's instructions and check-ins do not allow it.")
	}
	if _, err := tx.Exec(ctx, "DELETE FROM deposit_envelopes WHERE deposit_id = ? AND kind = 'half' AND outer_user = ?", id, uid(by)); err != nil {
		return fmt.Errorf("store: release vote: %w", err)
	}
	if err := insertEnvelopes(ctx, tx, id, halves); err != nil {
		return err
	}
	if err := audit(ctx, tx, by, "deposit.release_vote", depositObject(id), dep.Ref); err != nil {
		return err
	}
	return tx.Commit()
}

// Released marks the deposit released as story storyID, replaces the pair
// and half envelopes by reader envelopes for the release editors, and
// clears its alerts.
func (d *DB) Released(ctx context.Context, id int64, storyID int64, readers []*domain.DepositEnvelope, by *domain.User) error {
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	dep, err := findDeposit(ctx, tx, id)
	if err != nil {
		return err
	}
	if dep.State != domain.DepositReleasable {
		return domain.Errorf(domain.ECONFLICT, "This deposit cannot be released now.")
	}
	if _, err := tx.Exec(ctx, "UPDATE deposits SET state = ?, story_id = ?, updated_at = ? WHERE id = ?",
		domain.DepositReleased, storyID, tx.d.Time(tx.Now), id); err != nil {
		return fmt.Errorf("store: release deposit: %w", err)
	}
	if _, err := tx.Exec(ctx, "DELETE FROM deposit_envelopes WHERE deposit_id = ? AND kind IN ('pair', 'half')", id); err != nil {
		return fmt.Errorf("store: release deposit: %w", err)
	}
	if err := insertEnvelopes(ctx, tx, id, readers); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "UPDATE deposit_alerts SET cleared_at = ? WHERE deposit_id = ? AND cleared_at IS NULL", tx.d.Time(tx.Now), id); err != nil {
		return fmt.Errorf("store: release deposit: %w", err)
	}
	if err := audit(ctx, tx, by, "deposit.release", depositObject(id), fmt.Sprintf("%s as story:%d", dep.Ref, storyID)); err != nil {
		return err
	}
	return tx.Commit()
}
