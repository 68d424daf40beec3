package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/ledger"
	"github.com/presswatch/presswatch/internal/monitor"
)

// MonitorStore is the SQL monitor.Store (tables monitor_*, migration 0040).
type MonitorStore struct{ d *DB }

var _ monitor.Store = (*MonitorStore)(nil)

// Monitor returns the monitor's store on d.
func (d *DB) Monitor() *MonitorStore { return &MonitorStore{d: d} }

const outletColumns = `slug, name, country, language, homepage, feeds, sitemaps, ignore_robots, poll_every_s`

func scanOutlet(sc interface{ Scan(...any) error }) (monitor.Outlet, error) {
	var o monitor.Outlet
	var feeds, sitemaps string
	var every int64
	if err := sc.Scan(&o.Slug, &o.Name, &o.Country, &o.Language, &o.Homepage, &feeds, &sitemaps, &o.IgnoreRobots, &every); err != nil {
		return o, err
	}
	o.PollEvery = time.Duration(every) * time.Second
	if err := json.Unmarshal([]byte(feeds), &o.Feeds); err != nil {
		return o, fmt.Errorf("store: outlet %s feeds: %w", o.Slug, err)
	}
	if err := json.Unmarshal([]byte(sitemaps), &o.Sitemaps); err != nil {
		return o, fmt.Errorf("store: outlet %s sitemaps: %w", o.Slug, err)
	}
	return o, nil
}

// Outlets implements monitor.Store (by slug).
func (s *MonitorStore) Outlets(ctx context.Context) ([]monitor.Outlet, error) {
	return queryList(ctx, s.d.Reader(), "outlets", `SELECT `+outletColumns+` FROM monitor_outlets ORDER BY slug`, nil, scanOutlet)
}

// Outlet implements monitor.Store.
func (s *MonitorStore) Outlet(ctx context.Context, slug string) (monitor.Outlet, error) {
	o, err := scanOutlet(s.d.Reader().QueryRow(ctx, `SELECT `+outletColumns+` FROM monitor_outlets WHERE slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return o, notFound("Outlet")
	}
	if err != nil {
		return o, fmt.Errorf("store: outlet %s: %w", slug, TranslateError(err))
	}
	return o, nil
}

func jsonList(l []string) string {
	if l == nil {
		l = []string{}
	}
	b, _ := json.Marshal(l)
	return string(b)
}

// SaveOutlet implements monitor.Store.
func (s *MonitorStore) SaveOutlet(ctx context.Context, o monitor.Outlet) error {
	if err := o.Validate(); err != nil {
		return err
	}
	tx, err := s.d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := tx.d.Time(tx.Now)
	if _, err := tx.Exec(ctx, `INSERT INTO monitor_outlets (`+outletColumns+`, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (slug) DO UPDATE SET name = excluded.name, country = excluded.country, language = excluded.language,
		homepage = excluded.homepage, feeds = excluded.feeds, sitemaps = excluded.sitemaps,
		ignore_robots = excluded.ignore_robots, poll_every_s = excluded.poll_every_s, updated_at = excluded.updated_at`,
		o.Slug, o.Name, o.Country, o.Language, o.Homepage, jsonList(o.Feeds), jsonList(o.Sitemaps), o.IgnoreRobots,
		int64(o.PollEvery/time.Second), now, now); err != nil {
		return fmt.Errorf("store: save outlet %s: %w", o.Slug, err)
	}
	return tx.Commit()
}

// RemoveOutlet implements monitor.Store.
func (s *MonitorStore) RemoveOutlet(ctx context.Context, slug string) error {
	tx, err := s.d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.Exec(ctx, `DELETE FROM monitor_outlets WHERE slug = ?`, slug)
	if err != nil {
		return fmt.Errorf("store: remove outlet %s: %w", slug, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("Outlet")
	}
	for _, q := range []string{`DELETE FROM monitor_outlet_state WHERE slug = ?`, `DELETE FROM monitor_articles WHERE outlet = ?`} {
		if _, err := tx.Exec(ctx, q, slug); err != nil {
			return fmt.Errorf("store: remove outlet %s: %w", slug, err)
		}
	}
	return tx.Commit()
}

func (s *MonitorStore) outletExists(ctx context.Context, q Querier, slug string) error {
	var one int
	err := q.QueryRow(ctx, `SELECT 1 FROM monitor_outlets WHERE slug = ?`, slug).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("Outlet")
	}
	return TranslateError(err)
}

// ClaimPoll implements monitor.Store.
func (s *MonitorStore) ClaimPoll(ctx context.Context, slug string, now time.Time, every time.Duration) (bool, error) {
	tx, err := s.d.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	if err := s.outletExists(ctx, tx, slug); err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO monitor_outlet_state (slug) VALUES (?) ON CONFLICT (slug) DO NOTHING`, slug); err != nil {
		return false, fmt.Errorf("store: claim poll %s: %w", slug, err)
	}
	res, err := tx.Exec(ctx, `UPDATE monitor_outlet_state SET last_poll = ?
		WHERE slug = ? AND (last_poll IS NULL OR last_poll <= ? OR last_poll > ?)`,
		tx.d.Time(now), slug, tx.d.Time(now.Add(-every)), tx.d.Time(now))
	if err != nil {
		return false, fmt.Errorf("store: claim poll %s: %w", slug, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, tx.Commit()
}

// OutletState implements monitor.Store.
func (s *MonitorStore) OutletState(ctx context.Context, slug string) (monitor.OutletState, error) {
	st := monitor.OutletState{Slug: slug}
	err := s.d.Reader().QueryRow(ctx, `SELECT last_poll, probe_at, probe_status, probe_text FROM monitor_outlet_state WHERE slug = ?`, slug).
		Scan(TimeScanner{&st.LastPoll}, TimeScanner{&st.ProbeAt}, &st.ProbeStatus, &st.ProbeText)
	if errors.Is(err, sql.ErrNoRows) {
		return st, s.outletExists(ctx, s.d.Reader(), slug)
	}
	if err != nil {
		return st, fmt.Errorf("store: outlet state %s: %w", slug, TranslateError(err))
	}
	return st, nil
}

// SaveOutletState implements monitor.Store: the probe fields, and LastPoll
// only when it is later than the stored one.
func (s *MonitorStore) SaveOutletState(ctx context.Context, st monitor.OutletState) error {
	tx, err := s.d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(ctx, `INSERT INTO monitor_outlet_state (slug, last_poll, probe_at, probe_status, probe_text) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (slug) DO UPDATE SET probe_at = excluded.probe_at, probe_status = excluded.probe_status, probe_text = excluded.probe_text,
		last_poll = CASE WHEN monitor_outlet_state.last_poll IS NULL OR excluded.last_poll > monitor_outlet_state.last_poll
			THEN excluded.last_poll ELSE monitor_outlet_state.last_poll END`,
		st.Slug, tx.d.NullTime(&st.LastPoll), tx.d.NullTime(&st.ProbeAt), st.ProbeStatus, st.ProbeText); err != nil {
		return fmt.Errorf("store: save outlet state %s: %w", st.Slug, err)
	}
	return tx.Commit()
}

// Validators implements monitor.Store.
func (s *MonitorStore) Validators(ctx context.Context, url string) (monitor.Conditional, error) {
	var c monitor.Conditional
	err := s.d.Reader().QueryRow(ctx, `SELECT etag, last_modified FROM monitor_validators WHERE url = ?`, url).Scan(&c.ETag, &c.LastModified)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("store: validators: %w", TranslateError(err))
	}
	return c, nil
}

// SaveValidators implements monitor.Store.
func (s *MonitorStore) SaveValidators(ctx context.Context, url string, c monitor.Conditional) error {
	tx, err := s.d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(ctx, `INSERT INTO monitor_validators (url, etag, last_modified) VALUES (?, ?, ?)
		ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified`, url, c.ETag, c.LastModified); err != nil {
		return fmt.Errorf("store: save validators: %w", err)
	}
	return tx.Commit()
}

const articleColumns = `url, outlet, title, first_seen, last_check, next_check, done, state, baseline, gone, down_since, down_reported, checks`

func scanArticle(sc interface{ Scan(...any) error }) (monitor.Article, error) {
	var a monitor.Article
	var state, base, gone string
	err := sc.Scan(&a.URL, &a.Outlet, &a.Title, TimeScanner{&a.FirstSeen}, TimeScanner{&a.LastCheck}, TimeScanner{&a.NextCheck},
		&a.Done, &state, &base, &gone, TimeScanner{&a.DownSince}, &a.DownReported, &a.Checks)
	if err != nil {
		return a, err
	}
	a.State = monitor.ArticleState(state)
	if err := json.Unmarshal([]byte(base), &a.Baseline); err != nil {
		return a, fmt.Errorf("store: article baseline: %w", err)
	}
	if err := json.Unmarshal([]byte(gone), &a.Gone); err != nil {
		return a, fmt.Errorf("store: article gone: %w", err)
	}
	return a, nil
}

func snapJSON(s monitor.Snapshot) string {
	b, _ := json.Marshal(s) // Raw is not marshalled: the WARC holds it
	return string(b)
}

// AddArticle implements monitor.Store.
func (s *MonitorStore) AddArticle(ctx context.Context, a monitor.Article) (bool, error) {
	n, err := s.AddArticles(ctx, []monitor.Article{a})
	return n == 1, err
}

// AddArticles adds many articles in one transaction (imports, benchmark
// fleets); articles already known are left alone. It returns how many were
// new.
func (s *MonitorStore) AddArticles(ctx context.Context, list []monitor.Article) (int, error) {
	tx, err := s.d.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	added := 0
	for _, a := range list {
		res, err := tx.Exec(ctx, `INSERT INTO monitor_articles (`+articleColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (url) DO NOTHING`,
			a.URL, a.Outlet, a.Title, tx.d.Time(a.FirstSeen), tx.d.NullTime(&a.LastCheck), tx.d.Time(a.NextCheck), a.Done, string(a.State),
			snapJSON(a.Baseline), snapJSON(a.Gone), tx.d.NullTime(&a.DownSince), a.DownReported, a.Checks)
		if err != nil {
			return 0, fmt.Errorf("store: add article %s: %w", a.URL, TranslateError(err))
		}
		n, _ := res.RowsAffected()
		added += int(n)
	}
	return added, tx.Commit()
}

// Article implements monitor.Store.
func (s *MonitorStore) Article(ctx context.Context, url string) (monitor.Article, error) {
	a, err := scanArticle(s.d.Reader().QueryRow(ctx, `SELECT `+articleColumns+` FROM monitor_articles WHERE url = ?`, url))
	if errors.Is(err, sql.ErrNoRows) {
		return a, notFound("Article")
	}
	if err != nil {
		return a, fmt.Errorf("store: article: %w", TranslateError(err))
	}
	return a, nil
}

// Articles implements monitor.Store. With a Lease the selected rows are
// claimed in one statement (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite
// has one writer), so that concurrent rounds never select the same article.
func (s *MonitorStore) Articles(ctx context.Context, f monitor.ArticleFilter) ([]monitor.Article, error) {
	where := `NOT done AND state <> 'skipped'`
	if !s.d.dialect.IsPostgres() {
		where = `done = 0 AND state <> 'skipped'`
	}
	var args []any
	if !f.All {
		where += ` AND next_check <= ?`
		args = append(args, s.d.dialect.Time(f.DueBy))
	}
	limit := ""
	if f.Limit > 0 {
		limit = ` LIMIT ` + strconv.Itoa(f.Limit)
	}
	var out []monitor.Article
	collect := func(rows *sql.Rows, err error) error {
		if err != nil {
			return fmt.Errorf("store: articles: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanArticle(rows)
			if err != nil {
				return fmt.Errorf("store: articles: %w", TranslateError(err))
			}
			out = append(out, a)
		}
		return TranslateError(rows.Err())
	}
	if f.Lease <= 0 {
		if err := collect(s.d.Reader().Query(ctx, `SELECT `+articleColumns+` FROM monitor_articles WHERE `+where+` ORDER BY next_check, url`+limit, args...)); err != nil {
			return nil, err
		}
		return out, nil
	}
	lock := ""
	if s.d.dialect.IsPostgres() {
		lock = ` FOR UPDATE SKIP LOCKED`
	}
	tx, err := s.d.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	// The rows are read before the lease is written so that NextCheck keeps
	// the time the article was due.
	if err := collect(tx.Query(ctx, `SELECT `+articleColumns+` FROM monitor_articles WHERE `+where+` ORDER BY next_check, url`+limit+lock, args...)); err != nil {
		return nil, err
	}
	lease := tx.d.Time(f.DueBy.Add(f.Lease))
	for i := 0; i < len(out); i += 500 {
		chunk := out[i:min(i+500, len(out))]
		ph := strings.Repeat("?, ", len(chunk))
		qargs := []any{lease}
		for _, a := range chunk {
			qargs = append(qargs, a.URL)
		}
		if _, err := tx.Exec(ctx, `UPDATE monitor_articles SET next_check = ? WHERE url IN (`+ph[:len(ph)-2]+`)`, qargs...); err != nil {
			return nil, fmt.Errorf("store: claim articles: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].NextCheck.Before(out[j].NextCheck) })
	return out, nil
}

// SaveArticle implements monitor.Store.
func (s *MonitorStore) SaveArticle(ctx context.Context, a monitor.Article) error {
	tx, err := s.d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.Exec(ctx, `UPDATE monitor_articles SET title = ?, last_check = ?, next_check = ?, done = ?, state = ?,
		baseline = ?, gone = ?, down_since = ?, down_reported = ?, checks = ? WHERE url = ?`,
		a.Title, tx.d.NullTime(&a.LastCheck), tx.d.Time(a.NextCheck), a.Done, string(a.State), snapJSON(a.Baseline), snapJSON(a.Gone),
		tx.d.NullTime(&a.DownSince), a.DownReported, a.Checks, a.URL)
	if err != nil {
		return fmt.Errorf("store: save article: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("Article")
	}
	return tx.Commit()
}

func monitorRef(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// AddDetection implements monitor.Store. The detection enters the public
// log (kind detection) in the same transaction, with the SHA-256 of both
// captures' WARC files when the snapshots have captures.
func (s *MonitorStore) AddDetection(ctx context.Context, d monitor.Detection) (monitor.Detection, error) {
	parts, _ := json.Marshal(d.Parts)
	if d.Parts == nil {
		parts = []byte("[]")
	}
	diff, err := json.Marshal(d.Diff)
	if err != nil {
		return d, fmt.Errorf("store: add detection: %w", err)
	}
	if d.Review == "" {
		d.Review = monitor.ReviewOpen
	}
	tx, err := s.d.Begin(ctx)
	if err != nil {
		return d, err
	}
	defer tx.Rollback()
	err = tx.QueryRow(ctx, `INSERT INTO monitor_detections (kind, url, outlet, at, reason, parts, before_snap, after_snap, diff,
		before_capture_id, after_capture_id, incident_id, review) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		string(d.Kind), d.URL, d.Outlet, tx.d.Time(d.At), d.Reason, string(parts), snapJSON(d.Before), snapJSON(d.After), string(diff),
		monitorRef(d.Before.CaptureID), monitorRef(d.After.CaptureID), monitorRef(d.IncidentID), d.Review).Scan(&d.ID)
	if err != nil {
		return d, fmt.Errorf("store: add detection: %w", TranslateError(err))
	}
	data := map[string]any{"kind": string(d.Kind), "article": d.URL, "outlet": d.Outlet, "reason": d.Reason}
	var afterWARC string
	for _, c := range []struct {
		key string
		id  int64
	}{{"before", d.Before.CaptureID}, {"after", d.After.CaptureID}} {
		if c.id == 0 {
			continue
		}
		var sha string
		if err := tx.QueryRow(ctx, `SELECT warc_sha256 FROM captures WHERE id = ?`, c.id).Scan(&sha); err != nil {
			return d, fmt.Errorf("store: add detection: capture %d: %w", c.id, TranslateError(err))
		}
		data[c.key+"_capture"] = "capture-" + strconv.FormatInt(c.id, 10)
		data[c.key+"_warc_sha256"] = sha
		if c.key == "after" {
			afterWARC = sha
		}
	}
	raw, _ := json.Marshal(data)
	if err := InsertLedgerEntry(ctx, tx, ledger.Entry{Kind: ledger.KindDetection, Ref: "detection-" + strconv.FormatInt(d.ID, 10),
		Time: tx.Now, SHA256: afterWARC, Data: raw}); err != nil {
		return d, err
	}
	return d, tx.Commit()
}

const detectionColumns = `id, kind, url, outlet, at, reason, parts, before_snap, after_snap, diff, incident_id, review`

func scanDetection(sc interface{ Scan(...any) error }) (monitor.Detection, error) {
	var d monitor.Detection
	var kind, parts, before, after, diff string
	var incident sql.NullInt64
	if err := sc.Scan(&d.ID, &kind, &d.URL, &d.Outlet, TimeScanner{&d.At}, &d.Reason, &parts, &before, &after, &diff, &incident, &d.Review); err != nil {
		return d, err
	}
	d.Kind, d.IncidentID = monitor.Kind(kind), incident.Int64
	for _, j := range []struct {
		s string
		v any
	}{{parts, &d.Parts}, {before, &d.Before}, {after, &d.After}, {diff, &d.Diff}} {
		if err := json.Unmarshal([]byte(j.s), j.v); err != nil {
			return d, fmt.Errorf("store: detection %d: %w", d.ID, err)
		}
	}
	if len(d.Parts) == 0 {
		d.Parts = nil
	}
	return d, nil
}

// Detections implements monitor.Store (oldest first).
func (s *MonitorStore) Detections(ctx context.Context, f monitor.DetectionFilter) ([]monitor.Detection, error) {
	return s.detections(ctx, f, "", "ORDER BY at, id", 0)
}

// DetectionQuery selects detections for the back office and public pages.
type DetectionQuery struct {
	monitor.DetectionFilter
	Review string // "" any
	// Newest lists newest first; Limit caps the list (0: 500).
	Newest bool
	Limit  int
}

// FindDetections lists detections for pages.
func (s *MonitorStore) FindDetections(ctx context.Context, q DetectionQuery) ([]monitor.Detection, error) {
	order := "ORDER BY at, id"
	if q.Newest {
		order = "ORDER BY at DESC, id DESC"
	}
	if q.Limit <= 0 {
		q.Limit = 500
	}
	return s.detections(ctx, q.DetectionFilter, q.Review, order, q.Limit)
}

func (s *MonitorStore) detections(ctx context.Context, f monitor.DetectionFilter, review, order string, limit int) ([]monitor.Detection, error) {
	where := []string{"1 = 1"}
	var args []any
	if !f.Since.IsZero() {
		where, args = append(where, "at >= ?"), append(args, s.d.dialect.Time(f.Since))
	}
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, string(f.Kind))
	}
	if f.Outlet != "" {
		where, args = append(where, "outlet = ?"), append(args, f.Outlet)
	}
	if f.URL != "" {
		where, args = append(where, "url = ?"), append(args, f.URL)
	}
	if review != "" {
		where, args = append(where, "review = ?"), append(args, review)
	}
	q := `SELECT ` + detectionColumns + ` FROM monitor_detections WHERE ` + strings.Join(where, " AND ") + " " + order
	if limit > 0 {
		q += " LIMIT " + strconv.Itoa(limit)
	}
	return queryList(ctx, s.d.Reader(), "detections", q, args, scanDetection)
}

// Detection returns one detection (ENOTFOUND).
func (s *MonitorStore) Detection(ctx context.Context, id int64) (monitor.Detection, error) {
	d, err := scanDetection(s.d.Reader().QueryRow(ctx, `SELECT `+detectionColumns+` FROM monitor_detections WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, notFound("Detection")
	}
	if err != nil {
		return d, fmt.Errorf("store: detection %d: %w", id, TranslateError(err))
	}
	return d, nil
}

// DetectionOfIncident returns the detection that opened an incident
// (ENOTFOUND when none did).
func (s *MonitorStore) DetectionOfIncident(ctx context.Context, incidentID int64) (monitor.Detection, error) {
	d, err := scanDetection(s.d.Reader().QueryRow(ctx, `SELECT `+detectionColumns+` FROM monitor_detections WHERE incident_id = ? ORDER BY id LIMIT 1`, incidentID))
	if errors.Is(err, sql.ErrNoRows) {
		return d, notFound("Detection")
	}
	if err != nil {
		return d, fmt.Errorf("store: detection of incident %d: %w", incidentID, TranslateError(err))
	}
	return d, nil
}

// SetDetectionIncident links a detection to the draft incident opened for
// it.
func (s *MonitorStore) SetDetectionIncident(ctx context.Context, id, incidentID int64) error {
	return s.updateDetection(ctx, id, `UPDATE monitor_detections SET incident_id = ? WHERE id = ?`, monitorRef(incidentID), id)
}

// ReviewDetection records an editor's decision (monitor.ReviewConfirmed or
// ReviewDismissed) once; ECONFLICT when already decided.
func (s *MonitorStore) ReviewDetection(ctx context.Context, id int64, review string, userID int64) error {
	if review != monitor.ReviewConfirmed && review != monitor.ReviewDismissed {
		return domain.Errorf(domain.EINVALID, "A detection is confirmed or dismissed, not %q.", review)
	}
	tx, err := s.d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.Exec(ctx, `UPDATE monitor_detections SET review = ?, reviewed_by = ?, reviewed_at = ? WHERE id = ? AND review = ?`,
		review, monitorRef(userID), tx.d.Time(tx.Now), id, monitor.ReviewOpen)
	if err != nil {
		return fmt.Errorf("store: review detection %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		var cur string
		if err := tx.QueryRow(ctx, `SELECT review FROM monitor_detections WHERE id = ?`, id).Scan(&cur); errors.Is(err, sql.ErrNoRows) {
			return notFound("Detection")
		}
		return domain.Errorf(domain.ECONFLICT, "This detection was already %s.", cur)
	}
	if err := InsertAudit(ctx, tx, &domain.AuditEntry{UserID: userID, Action: "detection." + review, Object: "detection:" + strconv.FormatInt(id, 10)}); err != nil {
		return err
	}
	return tx.Commit()
}

func (s *MonitorStore) updateDetection(ctx context.Context, id int64, q string, args ...any) error {
	tx, err := s.d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.Exec(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: detection %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("Detection")
	}
	return tx.Commit()
}

// OutletArticles lists an outlet's monitored articles, newest first.
func (s *MonitorStore) OutletArticles(ctx context.Context, slug string, limit int) ([]monitor.Article, error) {
	if limit <= 0 {
		limit = 200
	}
	return queryList(ctx, s.d.Reader(), "outlet articles",
		`SELECT `+articleColumns+` FROM monitor_articles WHERE outlet = ? ORDER BY first_seen DESC, url LIMIT `+strconv.Itoa(limit), []any{slug}, scanArticle)
}

// CountArticles counts an outlet's monitored articles ("" all).
func (s *MonitorStore) CountArticles(ctx context.Context, slug string) (int, error) {
	var n int
	q, args := `SELECT COUNT(*) FROM monitor_articles`, []any{}
	if slug != "" {
		q, args = q+` WHERE outlet = ?`, append(args, slug)
	}
	if err := s.d.Reader().QueryRow(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count articles: %w", TranslateError(err))
	}
	return n, nil
}

// CountDue counts the articles due for a check at now.
func (s *MonitorStore) CountDue(ctx context.Context, now time.Time) (int, error) {
	where := `NOT done AND state <> 'skipped'`
	if !s.d.dialect.IsPostgres() {
		where = `done = 0 AND state <> 'skipped'`
	}
	var n int
	if err := s.d.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM monitor_articles WHERE `+where+` AND next_check <= ?`, s.d.dialect.Time(now)).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count due: %w", TranslateError(err))
	}
	return n, nil
}

// CreateOutlet adds an outlet for a staff member (ECONFLICT when the slug
// is taken) with an audit row, in one transaction.
func (s *MonitorStore) CreateOutlet(ctx context.Context, o monitor.Outlet, userID int64) error {
	return s.writeOutlet(ctx, o, userID, true)
}

// UpdateOutlet changes an outlet's settings for a staff member (ENOTFOUND)
// with an audit row, in one transaction.
func (s *MonitorStore) UpdateOutlet(ctx context.Context, o monitor.Outlet, userID int64) error {
	return s.writeOutlet(ctx, o, userID, false)
}

func (s *MonitorStore) writeOutlet(ctx context.Context, o monitor.Outlet, userID int64, create bool) error {
	if err := o.Validate(); err != nil {
		return err
	}
	tx, err := s.d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := tx.d.Time(tx.Now)
	action := "outlet.update"
	if create {
		action = "outlet.create"
		if _, err := tx.Exec(ctx, `INSERT INTO monitor_outlets (`+outletColumns+`, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			o.Slug, o.Name, o.Country, o.Language, o.Homepage, jsonList(o.Feeds), jsonList(o.Sitemaps), o.IgnoreRobots,
			int64(o.PollEvery/time.Second), now, now); err != nil {
			if domain.ErrorCode(TranslateError(err)) == domain.ECONFLICT {
				return domain.Errorf(domain.ECONFLICT, "An outlet with the slug %q exists already.", o.Slug)
			}
			return fmt.Errorf("store: create outlet %s: %w", o.Slug, TranslateError(err))
		}
	} else {
		res, err := tx.Exec(ctx, `UPDATE monitor_outlets SET name = ?, country = ?, language = ?, homepage = ?, feeds = ?,
			sitemaps = ?, ignore_robots = ?, poll_every_s = ?, updated_at = ? WHERE slug = ?`,
			o.Name, o.Country, o.Language, o.Homepage, jsonList(o.Feeds), jsonList(o.Sitemaps), o.IgnoreRobots,
			int64(o.PollEvery/time.Second), now, o.Slug)
		if err != nil {
			return fmt.Errorf("store: update outlet %s: %w", o.Slug, TranslateError(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("Outlet")
		}
	}
	detail := "robots obeyed"
	if o.IgnoreRobots {
		detail = "robots IGNORED"
	}
	if err := InsertAudit(ctx, tx, &domain.AuditEntry{UserID: userID, Action: action, Object: "outlet:" + o.Slug, Detail: detail}); err != nil {
		return err
	}
	return tx.Commit()
}

// RemoveOutletBy is RemoveOutlet for a staff member, with an audit row.
func (s *MonitorStore) RemoveOutletBy(ctx context.Context, slug string, userID int64) error {
	tx, err := s.d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.Exec(ctx, `DELETE FROM monitor_outlets WHERE slug = ?`, slug)
	if err != nil {
		return fmt.Errorf("store: remove outlet %s: %w", slug, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("Outlet")
	}
	for _, q := range []string{`DELETE FROM monitor_outlet_state WHERE slug = ?`, `DELETE FROM monitor_articles WHERE outlet = ?`} {
		if _, err := tx.Exec(ctx, q, slug); err != nil {
			return fmt.Errorf("store: remove outlet %s: %w", slug, err)
		}
	}
	if err := InsertAudit(ctx, tx, &domain.AuditEntry{UserID: userID, Action: "outlet.remove", Object: "outlet:" + slug}); err != nil {
		return err
	}
	return tx.Commit()
}

// OutletCount is what the outlet pages count per outlet.
type OutletCount struct {
	Articles        int
	Removals, Edits int // confirmed detections
}

// OutletCounts counts, per outlet slug, the monitored articles and the
// confirmed deletions and edits; slug "" counts every outlet.
func (s *MonitorStore) OutletCounts(ctx context.Context, slug string) (map[string]OutletCount, error) {
	out := map[string]OutletCount{}
	where, args := "", []any{}
	if slug != "" {
		where, args = " WHERE outlet = ?", []any{slug}
	}
	rows, err := s.d.Reader().Query(ctx, `SELECT outlet, COUNT(*) FROM monitor_articles`+where+` GROUP BY outlet`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: outlet counts: %w", err)
	}
	for rows.Next() {
		var slug string
		var n int
		if err := rows.Scan(&slug, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: outlet counts: %w", TranslateError(err))
		}
		c := out[slug]
		c.Articles = n
		out[slug] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: outlet counts: %w", TranslateError(err))
	}
	and := ""
	args = append([]any{monitor.ReviewConfirmed, string(monitor.KindDeleted), string(monitor.KindEdited)}, args...)
	if slug != "" {
		and = " AND outlet = ?"
	}
	rows, err = s.d.Reader().Query(ctx, `SELECT outlet, kind, COUNT(*) FROM monitor_detections
		WHERE review = ? AND kind IN (?, ?)`+and+` GROUP BY outlet, kind`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: outlet counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var slug, kind string
		var n int
		if err := rows.Scan(&slug, &kind, &n); err != nil {
			return nil, fmt.Errorf("store: outlet counts: %w", TranslateError(err))
		}
		c := out[slug]
		if kind == string(monitor.KindDeleted) {
			c.Removals = n
		} else {
			c.Edits = n
		}
		out[slug] = c
	}
	return out, TranslateError(rows.Err())
}
