package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/ledger"
)

var _ domain.CaptureStore = (*DB)(nil)

const captureColumns = `id, url, state, final_url, status, fetched_at, warc_sha256, warc_size, manifest,
	body_sha256, text_sha256, screenshot_sha256, title, error, revisit_of, incident_id, incident_ref,
	requested_by, created_at, completed_at`

// CreateCapture records a queued capture and fills c.ID and c.CreatedAt.
func (d *DB) CreateCapture(ctx context.Context, c *domain.Capture) error {
	return d.CreateCaptureWith(ctx, c, nil)
}

// CreateCaptureWith records a queued capture like CreateCapture, then calls
// also (when not nil) in the same transaction: the job queue inserts the
// capture's job there, so that a capture row never lacks its job.
func (d *DB) CreateCaptureWith(ctx context.Context, c *domain.Capture, also func(ctx context.Context, tx *sql.Tx) error) error {
	c.URL = strings.TrimSpace(c.URL)
	if c.URL == "" {
		return domain.Errorf(domain.EINVALID, "A capture needs a URL.")
	}
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	c.State = domain.CaptureQueued
	c.CreatedAt = tx.Now
	err = tx.QueryRow(ctx, `INSERT INTO captures (url, state, incident_id, incident_ref, requested_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		c.URL, c.State, captureRef(c.IncidentID), c.IncidentRef, captureRef(c.RequestedBy), tx.d.Time(tx.Now)).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("store: create capture: %w", TranslateError(err))
	}
	if also != nil {
		if err := also(ctx, tx.Raw()); err != nil {
			return fmt.Errorf("store: create capture: %w", err)
		}
	}
	return tx.Commit()
}

// CompleteCapture records the result of the queued capture c.ID, an audit
// row and a log entry whose hash is the SHA-256 of the manifest. It refuses
// (ECONFLICT) a capture that is already complete: captures never change.
func (d *DB) CompleteCapture(ctx context.Context, c *domain.Capture) error {
	if c.State != domain.CaptureDone && c.State != domain.CaptureFailed {
		return domain.Errorf(domain.EINVALID, "A capture completes as done or failed, not %q.", c.State)
	}
	if len(c.Manifest) == 0 {
		c.Manifest = []byte("{}")
	}
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := tx.Now
	res, err := tx.Exec(ctx, `UPDATE captures SET state = ?, final_url = ?, status = ?, fetched_at = ?, warc_sha256 = ?,
		warc_size = ?, manifest = ?, body_sha256 = ?, text_sha256 = ?, screenshot_sha256 = ?, title = ?, error = ?,
		revisit_of = ?, completed_at = ?
		WHERE id = ? AND state = ?`,
		c.State, c.FinalURL, c.Status, tx.d.NullTime(&c.FetchedAt), c.WARCSHA256, c.WARCSize, string(c.Manifest),
		c.BodySHA256, c.TextSHA256, c.ScreenshotSHA256, c.Title, c.Error, captureRef(c.RevisitOf), tx.d.Time(now),
		c.ID, domain.CaptureQueued)
	if err != nil {
		return fmt.Errorf("store: complete capture: %w", TranslateError(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		var state string
		if err := tx.QueryRow(ctx, "SELECT state FROM captures WHERE id = ?", c.ID).Scan(&state); errors.Is(err, sql.ErrNoRows) {
			return notFound("Capture")
		}
		return domain.Errorf(domain.ECONFLICT, "Capture %d is already complete; a re-capture is a new capture.", c.ID)
	}
	c.CompletedAt = &now
	ref := "capture-" + strconv.FormatInt(c.ID, 10)
	if err := logCapture(ctx, tx, c, ref); err != nil {
		return err
	}
	detail := c.State + " " + c.URL
	if c.Error != "" {
		detail += ": " + c.Error
	}
	if err := InsertAudit(ctx, tx, &domain.AuditEntry{Action: "capture." + c.State, Object: ref, Detail: truncateCaptureText(detail, 500)}); err != nil {
		return err
	}
	return tx.Commit()
}

// FindCapture returns one capture or ENOTFOUND.
func (d *DB) FindCapture(ctx context.Context, id int64) (*domain.Capture, error) {
	cs, err := d.queryCaptures(ctx, "SELECT "+captureColumns+" FROM captures WHERE id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, notFound("Capture")
	}
	c := cs[0]
	if idx, err := d.LogIndex(ctx, "capture-"+strconv.FormatInt(c.ID, 10)); err == nil {
		c.LogIndex = &idx
	} else if !domain.IsCode(err, domain.ENOTFOUND) {
		return nil, err
	}
	return c, nil
}

// LatestCapture returns the newest done capture of url below before (0:
// any), or ENOTFOUND.
func (d *DB) LatestCapture(ctx context.Context, url string, before int64) (*domain.Capture, error) {
	q := "SELECT " + captureColumns + " FROM captures WHERE url = ? AND state = ?"
	args := []any{url, domain.CaptureDone}
	if before > 0 {
		q += " AND id < ?"
		args = append(args, before)
	}
	cs, err := d.queryCaptures(ctx, q+" ORDER BY id DESC LIMIT 1", args...)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, notFound("Capture")
	}
	return cs[0], nil
}

// CapturesOfURL lists the captures of url, newest first.
func (d *DB) CapturesOfURL(ctx context.Context, url string) ([]*domain.Capture, error) {
	return d.queryCaptures(ctx, "SELECT "+captureColumns+" FROM captures WHERE url = ? ORDER BY id DESC LIMIT 100", url)
}

// CapturesOfIncident lists the captures made for an incident, newest first.
func (d *DB) CapturesOfIncident(ctx context.Context, incidentID int64) ([]*domain.Capture, error) {
	return d.queryCaptures(ctx, "SELECT "+captureColumns+" FROM captures WHERE incident_id = ? ORDER BY id DESC LIMIT 500", incidentID)
}

func (d *DB) queryCaptures(ctx context.Context, q string, args ...any) ([]*domain.Capture, error) {
	rows, err := d.Reader().Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: captures: %w", err)
	}
	defer rows.Close()
	var out []*domain.Capture
	for rows.Next() {
		var c domain.Capture
		var fetched, completed *time.Time
		var manifest string
		var revisit, incident, by sql.NullInt64
		if err := rows.Scan(&c.ID, &c.URL, &c.State, &c.FinalURL, &c.Status, NullTimeScanner{&fetched}, &c.WARCSHA256, &c.WARCSize, &manifest,
			&c.BodySHA256, &c.TextSHA256, &c.ScreenshotSHA256, &c.Title, &c.Error, &revisit, &incident, &c.IncidentRef,
			&by, TimeScanner{&c.CreatedAt}, NullTimeScanner{&completed}); err != nil {
			return nil, fmt.Errorf("store: captures: %w", err)
		}
		if fetched != nil {
			c.FetchedAt = *fetched
		}
		c.CompletedAt = completed
		c.Manifest = []byte(manifest)
		c.RevisitOf, c.IncidentID, c.RequestedBy = revisit.Int64, incident.Int64, by.Int64
		out = append(out, &c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: captures: %w", err)
	}
	return out, nil
}

// captureRef stores 0 as NULL (an optional reference).
func captureRef(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// truncateCaptureText cuts s to at most n bytes on a rune boundary.
func truncateCaptureText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// logCapture enters a completed capture in the public log: the entry's
// SHA-256 is the WARC file's, and its data names the WARC's path (relative to
// the site) so that `presswatch verify` recomputes it where it is public, and
// the manifest's hash for the capture page.
func logCapture(ctx context.Context, tx *Tx, c *domain.Capture, ref string) error {
	sum := sha256.Sum256(c.Manifest)
	page := "/captures/" + strconv.FormatInt(c.ID, 10)
	data := map[string]string{"page": page, "url": c.URL, "state": c.State, "manifest_sha256": hex.EncodeToString(sum[:])}
	if c.WARCSHA256 != "" {
		data["warc"] = page + "/warc"
		data["warc_sha256"] = c.WARCSHA256
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("store: capture log entry: %w", err)
	}
	return InsertLedgerEntry(ctx, tx, ledger.Entry{Kind: ledger.KindCapture, Ref: ref, Time: tx.Now,
		SHA256: c.WARCSHA256, Data: raw})
}
