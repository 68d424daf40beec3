package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
)

var _ domain.IncidentStore = (*DB)(nil)

const incidentColumns = `i.id, i.ref, i.slug, i.version, i.publication, i.doc, i.created_at, COALESCE(i.created_by, 0),
	i.updated_at, COALESCE(i.updated_by, 0), i.published_version, i.published_at`

func scanIncident(row interface{ Scan(...any) error }) (*domain.Incident, error) {
	var (
		inc                       domain.Incident
		id, createdBy, updatedBy  int64
		ref, slug, publication    string
		version, publishedVersion int
		doc                       []byte
		createdAt, updatedAt      time.Time
		publishedAt               *time.Time
	)
	if err := row.Scan(&id, &ref, &slug, &version, &publication, &doc, TimeScanner{&createdAt}, &createdBy,
		TimeScanner{&updatedAt}, &updatedBy, &publishedVersion, NullTimeScanner{&publishedAt}); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(doc, &inc); err != nil {
		return nil, fmt.Errorf("store: incident %d: decode: %w", id, err)
	}
	inc.ID, inc.Ref, inc.Slug, inc.Version, inc.Publication = id, ref, slug, version, publication
	inc.CreatedAt, inc.UpdatedAt, inc.CreatedBy, inc.UpdatedBy = createdAt, updatedAt, createdBy, updatedBy
	inc.PublishedVersion, inc.PublishedAt = publishedVersion, publishedAt
	return &inc, nil
}

func findIncident(ctx context.Context, q Querier, where string, arg any) (*domain.Incident, error) {
	inc, err := scanIncident(q.QueryRow(ctx, "SELECT "+incidentColumns+" FROM incidents i WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Incident")
	} else if err != nil {
		return nil, fmt.Errorf("store: find incident: %w", TranslateError(err))
	}
	return inc, nil
}

// FindIncident returns the working copy with id, or ENOTFOUND.
func (d *DB) FindIncident(ctx context.Context, id int64) (*domain.Incident, error) {
	return findIncident(ctx, d.Reader(), "i.id = ?", id)
}

// FindIncidentByRef returns the working copy with ref, or ENOTFOUND.
func (d *DB) FindIncidentByRef(ctx context.Context, ref string) (*domain.Incident, error) {
	return findIncident(ctx, d.Reader(), "i.ref = ?", strings.ToUpper(strings.TrimSpace(ref)))
}

func incidentDoc(inc *domain.Incident) ([]byte, error) {
	b, err := json.Marshal(inc)
	if err != nil {
		return nil, fmt.Errorf("store: encode incident: %w", err)
	}
	return b, nil
}

func userID(u *domain.User) any {
	if u == nil || u.ID == 0 {
		return nil
	}
	return u.ID
}

func uid(u *domain.User) int64 {
	if u == nil {
		return 0
	}
	return u.ID
}

// CreateIncident assigns ID, Ref, Slug and Version 1, writes the working
// copy, revision 1 and an audit row in one transaction. The caller has
// normalised and validated inc against the vocabularies.
func (d *DB) CreateIncident(ctx context.Context, inc *domain.Incident, by *domain.User, note string) error {
	if len(inc.Country) != 2 {
		return domain.InvalidFields(map[string]string{"country": "Use a two-letter ISO 3166-1 country code, such as PK."})
	}
	if inc.Publication == "" {
		inc.Publication = domain.PublicationDraft
	}
	if inc.Publication != domain.PublicationDraft && inc.Publication != domain.PublicationInReview {
		return domain.Errorf(domain.EINVALID, "A new incident starts as a draft.")
	}
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ref, err := nextRef(ctx, tx, inc.Country, refYear(inc, tx.Now))
	if err != nil {
		return err
	}
	inc.Ref, inc.Slug, inc.Version = ref, Slugify(inc.Title, ref), 1
	inc.CreatedAt, inc.UpdatedAt, inc.CreatedBy, inc.UpdatedBy = tx.Now, tx.Now, uid(by), uid(by)
	inc.PublishedVersion, inc.PublishedAt = 0, nil
	inc.ID = 0
	doc, err := incidentDoc(inc)
	if err != nil {
		return err
	}
	err = tx.QueryRow(ctx, `INSERT INTO incidents (ref, slug, title, publication, verification, country, date_sort, version, doc,
		created_at, created_by, updated_at, updated_by, published_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) RETURNING id`,
		inc.Ref, inc.Slug, inc.Title, inc.Publication, inc.Verification, inc.Country,
		domain.SortDate(inc.DateStart, inc.DatePrecision), inc.Version, tx.d.JSON(doc),
		tx.d.Time(tx.Now), userID(by), tx.d.Time(tx.Now), userID(by)).Scan(&inc.ID)
	if err != nil {
		return fmt.Errorf("store: create incident: %w", TranslateError(err))
	}
	if err := insertRevision(ctx, tx, inc, by, note); err != nil {
		return err
	}
	if err := audit(ctx, tx, by, "incident.create", incObject(inc.ID), inc.Ref); err != nil {
		return err
	}
	return tx.Commit()
}

func incObject(id int64) string { return fmt.Sprintf("incident:%d", id) }

// insertRevision stores inc (with its ID known) as revision inc.Version.
func insertRevision(ctx context.Context, tx *Tx, inc *domain.Incident, by *domain.User, note string) error {
	doc, err := incidentDoc(inc)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO incident_revisions (incident_id, number, doc, author_id, note, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, inc.ID, inc.Version, tx.d.JSON(doc), userID(by), note, tx.d.Time(tx.Now)); err != nil {
		return fmt.Errorf("store: write revision: %w", err)
	}
	// The working copy's doc must hold the ID too.
	if _, err := tx.Exec(ctx, "UPDATE incidents SET doc = ? WHERE id = ?", tx.d.JSON(doc), inc.ID); err != nil {
		return fmt.Errorf("store: write revision: %w", err)
	}
	return nil
}

func staleVersion(current int) error {
	return domain.Errorf(domain.ECONFLICT,
		"Someone else changed this incident since you opened it (it is now at revision %d). Reload it and apply your changes again.", current)
}

// UpdateIncident saves inc as revision inc.Version+1 if inc.Version is the
// stored version (ECONFLICT otherwise). Editing a published or withdrawn
// incident moves the working copy back to draft; the public record stays
// until the next publication. Publication state is changed only by
// Transition, Publish and Withdraw.
func (d *DB) UpdateIncident(ctx context.Context, inc *domain.Incident, by *domain.User, note string) error {
	if len(inc.Country) != 2 {
		return domain.InvalidFields(map[string]string{"country": "Use a two-letter ISO 3166-1 country code, such as PK."})
	}
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	cur, err := findIncident(ctx, tx, "i.id = ?", inc.ID)
	if err != nil {
		return err
	}
	if cur.Version != inc.Version {
		return staleVersion(cur.Version)
	}
	next := *inc
	next.Ref, next.Slug = cur.Ref, Slugify(inc.Title, cur.Ref)
	next.Version = cur.Version + 1
	next.Publication = cur.Publication
	if cur.Publication == domain.PublicationPublished || cur.Publication == domain.PublicationWithdrawn {
		next.Publication = domain.PublicationDraft
	}
	next.CreatedAt, next.CreatedBy = cur.CreatedAt, cur.CreatedBy
	next.UpdatedAt, next.UpdatedBy = tx.Now, uid(by)
	next.PublishedVersion, next.PublishedAt = cur.PublishedVersion, cur.PublishedAt
	next.WithdrawalReason = cur.WithdrawalReason
	doc, err := incidentDoc(&next)
	if err != nil {
		return err
	}
	res, err := tx.Exec(ctx, `UPDATE incidents SET slug = ?, title = ?, publication = ?, verification = ?, country = ?, date_sort = ?,
		version = ?, doc = ?, updated_at = ?, updated_by = ? WHERE id = ? AND version = ?`,
		next.Slug, next.Title, next.Publication, next.Verification, next.Country,
		domain.SortDate(next.DateStart, next.DatePrecision), next.Version, tx.d.JSON(doc),
		tx.d.Time(tx.Now), userID(by), next.ID, cur.Version)
	if err != nil {
		return fmt.Errorf("store: update incident %d: %w", inc.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return staleVersion(cur.Version + 1)
	}
	if err := insertRevision(ctx, tx, &next, by, note); err != nil {
		return err
	}
	if err := audit(ctx, tx, by, "incident.update", incObject(next.ID), fmt.Sprintf("%s revision %d", next.Ref, next.Version)); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	*inc = next
	return nil
}

// setState rewrites the working copy's publication fields and doc without a
// new revision, guarded by version.
func setState(ctx context.Context, tx *Tx, inc *domain.Incident) error {
	doc, err := incidentDoc(inc)
	if err != nil {
		return err
	}
	res, err := tx.Exec(ctx, `UPDATE incidents SET publication = ?, doc = ?, published_version = ?, published_at = ?
		WHERE id = ? AND version = ?`, inc.Publication, tx.d.JSON(doc), inc.PublishedVersion,
		tx.d.NullTime(inc.PublishedAt), inc.ID, inc.Version)
	if err != nil {
		return fmt.Errorf("store: set state of incident %d: %w", inc.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return staleVersion(inc.Version)
	}
	return nil
}

// Transition applies submit, return or reopen to the working copy at
// version. Publishing and withdrawing have their own methods.
func (d *DB) Transition(ctx context.Context, id int64, version int, action string, by *domain.User, note string) (*domain.Incident, error) {
	switch action {
	case domain.ActionPublish, domain.ActionWithdraw:
		return nil, domain.Errorf(domain.EINVALID, "Use publish or withdraw for %q.", action)
	}
	tx, err := d.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	inc, err := findIncident(ctx, tx, "i.id = ?", id)
	if err != nil {
		return nil, err
	}
	if inc.Version != version {
		return nil, staleVersion(inc.Version)
	}
	to, err := domain.Transition(inc.Publication, action)
	if err != nil {
		return nil, err
	}
	inc.Publication = to
	if err := setState(ctx, tx, inc); err != nil {
		return nil, err
	}
	if err := audit(ctx, tx, by, "incident."+action, incObject(id), note); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return inc, nil
}

// Approve records by's approval of revision version (idempotent). ECONFLICT
// unless the incident is in review at that version.
func (d *DB) Approve(ctx context.Context, id int64, version int, by *domain.User, comment string) error {
	if by == nil || by.ID == 0 {
		return domain.Errorf(domain.EUNAUTHORIZED, "Sign in to approve.")
	}
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	inc, err := findIncident(ctx, tx, "i.id = ?", id)
	if err != nil {
		return err
	}
	if inc.Publication != domain.PublicationInReview {
		return domain.Errorf(domain.ECONFLICT, "Only an incident in review can be approved.")
	}
	if inc.Version != version {
		return staleVersion(inc.Version)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO approvals (incident_id, revision, user_id, comment, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (incident_id, revision, user_id) DO NOTHING`, id, version, by.ID, comment, tx.d.Time(tx.Now)); err != nil {
		return fmt.Errorf("store: approve: %w", err)
	}
	if err := audit(ctx, tx, by, "incident.approve", incObject(id), fmt.Sprintf("revision %d", version)); err != nil {
		return err
	}
	return tx.Commit()
}

// Approvals lists the approvals of every revision of an incident.
func (d *DB) Approvals(ctx context.Context, id int64) ([]*domain.Approval, error) {
	rows, err := d.Reader().Query(ctx, `SELECT a.incident_id, a.revision, a.user_id, COALESCE(u.name, ''), COALESCE(u.email, ''), a.comment, a.created_at
		FROM approvals a LEFT JOIN users u ON u.id = a.user_id WHERE a.incident_id = ? ORDER BY a.created_at, a.user_id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: approvals: %w", err)
	}
	defer rows.Close()
	var out []*domain.Approval
	for rows.Next() {
		a := &domain.Approval{}
		var email string
		if err := rows.Scan(&a.IncidentID, &a.Revision, &a.UserID, &a.UserName, &email, &a.Comment, TimeScanner{&a.CreatedAt}); err != nil {
			return nil, fmt.Errorf("store: approvals: %w", err)
		}
		if a.UserName == "" {
			a.UserName = email
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Revisions lists an incident's revisions, newest first (ENOTFOUND for an
// unknown incident).
func (d *DB) Revisions(ctx context.Context, incidentID int64) ([]*domain.Revision, error) {
	return d.revisions(ctx, incidentID, 0)
}

// FindRevision returns one revision, or ENOTFOUND.
func (d *DB) FindRevision(ctx context.Context, incidentID int64, number int) (*domain.Revision, error) {
	if number < 1 {
		return nil, notFound("Revision")
	}
	revs, err := d.revisions(ctx, incidentID, number)
	if err != nil {
		return nil, err
	}
	if len(revs) == 0 {
		return nil, notFound("Revision")
	}
	return revs[0], nil
}

func (d *DB) revisions(ctx context.Context, incidentID int64, number int) ([]*domain.Revision, error) {
	tx, err := d.ReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM incidents WHERE id = ?", incidentID).Scan(&n); err != nil {
		return nil, fmt.Errorf("store: revisions: %w", err)
	}
	if n == 0 {
		return nil, notFound("Incident")
	}
	q := `SELECT r.incident_id, r.number, r.doc, COALESCE(r.author_id, 0), COALESCE(u.name, ''), COALESCE(u.email, ''), r.note, r.created_at
		FROM incident_revisions r LEFT JOIN users u ON u.id = r.author_id WHERE r.incident_id = ?`
	args := []any{incidentID}
	if number > 0 {
		q += " AND r.number = ?"
		args = append(args, number)
	}
	rows, err := tx.Query(ctx, q+" ORDER BY r.number DESC", args...)
	if err != nil {
		return nil, fmt.Errorf("store: revisions: %w", err)
	}
	defer rows.Close()
	var out []*domain.Revision
	for rows.Next() {
		r := &domain.Revision{}
		var email string
		if err := rows.Scan(&r.IncidentID, &r.Number, &r.Doc, &r.AuthorID, &r.AuthorName, &email, &r.Note, TimeScanner{&r.CreatedAt}); err != nil {
			return nil, fmt.Errorf("store: revisions: %w", err)
		}
		if r.AuthorName == "" {
			r.AuthorName = email
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// AddComment stores a comment on an incident (ENOTFOUND for an unknown
// incident) and fills its ID and time.
func (d *DB) AddComment(ctx context.Context, c *domain.Comment) error {
	c.Text = strings.TrimSpace(c.Text)
	if c.Text == "" {
		return domain.InvalidFields(map[string]string{"text": "Write a comment."})
	}
	if len(c.Text) > 20000 {
		return domain.InvalidFields(map[string]string{"text": "Comments are at most 20,000 characters."})
	}
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := findIncident(ctx, tx, "i.id = ?", c.IncidentID); err != nil {
		return err
	}
	c.CreatedAt = tx.Now
	if err := tx.QueryRow(ctx, `INSERT INTO comments (incident_id, user_id, text, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		c.IncidentID, c.UserID, c.Text, tx.d.Time(c.CreatedAt)).Scan(&c.ID); err != nil {
		return fmt.Errorf("store: add comment: %w", TranslateError(err))
	}
	if err := audit(ctx, tx, &domain.User{ID: c.UserID}, "incident.comment", incObject(c.IncidentID), ""); err != nil {
		return err
	}
	return tx.Commit()
}

// Comments lists an incident's comments, oldest first.
func (d *DB) Comments(ctx context.Context, incidentID int64) ([]*domain.Comment, error) {
	rows, err := d.Reader().Query(ctx, `SELECT c.id, c.incident_id, c.user_id, COALESCE(u.name, ''), COALESCE(u.email, ''), c.text, c.created_at
		FROM comments c LEFT JOIN users u ON u.id = c.user_id WHERE c.incident_id = ? ORDER BY c.id`, incidentID)
	if err != nil {
		return nil, fmt.Errorf("store: comments: %w", err)
	}
	defer rows.Close()
	var out []*domain.Comment
	for rows.Next() {
		c := &domain.Comment{}
		var email string
		if err := rows.Scan(&c.ID, &c.IncidentID, &c.UserID, &c.UserName, &email, &c.Text, TimeScanner{&c.CreatedAt}); err != nil {
			return nil, fmt.Errorf("store: comments: %w", err)
		}
		if c.UserName == "" {
			c.UserName = email
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ListIncidents returns one page of working copies for the back office,
// most recently updated first, and the total.
func (d *DB) ListIncidents(ctx context.Context, f domain.StaffFilter) ([]*domain.Incident, int, error) {
	var where []string
	var args []any
	if q := strings.TrimSpace(f.Q); q != "" {
		where = append(where, `(LOWER(i.title) LIKE ? ESCAPE '\' OR i.ref LIKE ? ESCAPE '\')`)
		pat := "%" + likeEscape(strings.ToLower(q)) + "%"
		args = append(args, pat, "%"+likeEscape(strings.ToUpper(q))+"%")
	}
	if len(f.Publication) > 0 {
		where = append(where, "i.publication IN ("+placeholders(len(f.Publication))+")")
		for _, p := range f.Publication {
			args = append(args, p)
		}
	}
	if f.Country != "" {
		where, args = append(where, "i.country = ?"), append(args, strings.ToUpper(f.Country))
	}
	if f.Category != "" {
		where, args = append(where, d.dialect.categoryOfDoc()), append(args, f.Category)
	}
	if f.AssignedTo != 0 {
		where, args = append(where, "i.assigned_to = ?"), append(args, f.AssignedTo)
	}
	w := ""
	if len(where) > 0 {
		w = " WHERE " + strings.Join(where, " AND ")
	}
	page, per := paging(f.Page, f.PerPage, 25)
	tx, err := d.ReadTx(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	var total int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM incidents i"+w, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: list incidents: %w", TranslateError(err))
	}
	rows, err := tx.Query(ctx, "SELECT "+incidentColumns+" FROM incidents i"+w+" ORDER BY i.updated_at DESC, i.id DESC LIMIT ? OFFSET ?",
		append(args, per, (page-1)*per)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list incidents: %w", err)
	}
	defer rows.Close()
	var out []*domain.Incident
	for rows.Next() {
		inc, err := scanIncident(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("store: list incidents: %w", err)
		}
		out = append(out, inc)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: list incidents: %w", err)
	}
	return out, total, nil
}

// placeholders returns "?, ?, …" with n marks.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}
