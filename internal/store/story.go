package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/ledger"
)

// This file keeps stories' working copies, revisions, approvals and
// publication (migration 0050). It follows the incidents' workflow: the
// transitions are domain.Transition's, the two-person rule is checked here
// in the publishing transaction, and every published revision enters the
// log with its exact public bytes.

var _ domain.StoryStore = (*DB)(nil)

const storyColumns = `s.id, s.slug, s.version, s.publication, s.doc, s.author_sealed, s.created_at, COALESCE(s.created_by, 0),
	s.updated_at, COALESCE(s.updated_by, 0), s.published_version, s.published_at`

func scanStory(row interface{ Scan(...any) error }) (*domain.Story, error) {
	var (
		st                        domain.Story
		id, createdBy, updatedBy  int64
		slug, publication         string
		version, publishedVersion int
		doc, sealed               []byte
		createdAt, updatedAt      time.Time
		publishedAt               *time.Time
	)
	if err := row.Scan(&id, &slug, &version, &publication, &doc, &sealed, TimeScanner{&createdAt}, &createdBy,
		TimeScanner{&updatedAt}, &updatedBy, &publishedVersion, NullTimeScanner{&publishedAt}); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(doc, &st); err != nil {
		return nil, fmt.Errorf("store: story %d: decode: %w", id, err)
	}
	st.ID, st.Slug, st.Version, st.Publication, st.AuthorSealed = id, slug, version, publication, sealed
	st.CreatedAt, st.UpdatedAt, st.CreatedBy, st.UpdatedBy = createdAt, updatedAt, createdBy, updatedBy
	st.PublishedVersion, st.PublishedAt = publishedVersion, publishedAt
	return &st, nil
}

func findStory(ctx context.Context, q Querier, id int64) (*domain.Story, error) {
	st, err := scanStory(q.QueryRow(ctx, "SELECT "+storyColumns+" FROM stories s WHERE s.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Story")
	} else if err != nil {
		return nil, fmt.Errorf("store: find story: %w", TranslateError(err))
	}
	return st, nil
}

func storyObject(id int64) string { return fmt.Sprintf("story:%d", id) }

func staleStory(current int) error {
	return domain.Errorf(domain.ECONFLICT,
		"Someone else changed this story since you opened it (it is now at revision %d). Reload it and apply your changes again.", current)
}

// storyDoc encodes the working copy; the sealed name is never part of it
// (json:"-"), so revisions never hold it either.
func storyDoc(st *domain.Story) ([]byte, error) {
	b, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("store: encode story: %w", err)
	}
	return b, nil
}

// CreateStory assigns ID, Slug and Version 1 and writes revision 1.
func (d *DB) CreateStory(ctx context.Context, st *domain.Story, by *domain.User, note string) error {
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := createStory(ctx, tx, st, by, note); err != nil {
		return err
	}
	return tx.Commit()
}

func createStory(ctx context.Context, tx *Tx, st *domain.Story, by *domain.User, note string) error {
	st.Version, st.Publication = 1, domain.PublicationDraft
	st.CreatedAt, st.UpdatedAt, st.CreatedBy, st.UpdatedBy = tx.Now, tx.Now, uid(by), uid(by)
	st.PublishedVersion, st.PublishedAt, st.ID = 0, nil, 0
	tmp := make([]byte, 8)
	sum := sha256.Sum256([]byte(fmt.Sprint(tx.Now.UnixNano(), st.Title)))
	copy(tmp, sum[:])
	st.Slug = "tmp-" + hex.EncodeToString(tmp)
	err := tx.QueryRow(ctx, `INSERT INTO stories (slug, kind, title, publication, version, doc, author_sealed, intake_report_id, deposit_id,
		created_at, created_by, updated_at, updated_by, published_version) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, 0) RETURNING id`,
		st.Slug, st.Kind, st.Title, st.Publication, "{}", st.AuthorSealed, nullID(st.IntakeReportID), nullID(st.DepositID),
		tx.d.Time(tx.Now), userID(by), tx.d.Time(tx.Now), userID(by)).Scan(&st.ID)
	if err != nil {
		return fmt.Errorf("store: create story: %w", TranslateError(err))
	}
	st.Slug = fmt.Sprintf("%s-%d", Slugify(st.Title, "story"), st.ID)
	if _, err := tx.Exec(ctx, "UPDATE stories SET slug = ? WHERE id = ?", st.Slug, st.ID); err != nil {
		return fmt.Errorf("store: create story: %w", err)
	}
	if err := insertStoryRevision(ctx, tx, st, by, note); err != nil {
		return err
	}
	return audit(ctx, tx, by, "story.create", storyObject(st.ID), st.Slug)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func insertStoryRevision(ctx context.Context, tx *Tx, st *domain.Story, by *domain.User, note string) error {
	doc, err := storyDoc(st)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO story_revisions (story_id, number, doc, author_id, note, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, st.ID, st.Version, string(doc), userID(by), note, tx.d.Time(tx.Now)); err != nil {
		return fmt.Errorf("store: write story revision: %w", err)
	}
	if _, err := tx.Exec(ctx, "UPDATE stories SET doc = ? WHERE id = ?", tx.d.JSON(doc), st.ID); err != nil {
		return fmt.Errorf("store: write story revision: %w", err)
	}
	return nil
}

// UpdateStory saves st as revision st.Version+1 if st.Version is the stored
// version. Editing a story in review, published or withdrawn moves the
// working copy back to draft; readers keep the published revision. A nil
// AuthorSealed keeps the stored one.
func (d *DB) UpdateStory(ctx context.Context, st *domain.Story, by *domain.User, note string) error {
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	cur, err := findStory(ctx, tx, st.ID)
	if err != nil {
		return err
	}
	if cur.Version != st.Version {
		return staleStory(cur.Version)
	}
	next := *st
	next.Slug, next.Version, next.Publication = cur.Slug, cur.Version+1, domain.PublicationDraft
	next.CreatedAt, next.CreatedBy, next.UpdatedAt, next.UpdatedBy = cur.CreatedAt, cur.CreatedBy, tx.Now, uid(by)
	next.PublishedVersion, next.PublishedAt, next.WithdrawalReason = cur.PublishedVersion, cur.PublishedAt, cur.WithdrawalReason
	next.IntakeReportID, next.DepositID, next.IntakeFiles = cur.IntakeReportID, cur.DepositID, cur.IntakeFiles
	if next.AuthorSealed == nil {
		next.AuthorSealed = cur.AuthorSealed
	}
	if next.AuthorDisplay == domain.AuthorNamed {
		next.AuthorSealed = nil // the name is public; nothing to keep sealed
	}
	res, err := tx.Exec(ctx, `UPDATE stories SET kind = ?, title = ?, publication = ?, version = ?, author_sealed = ?, updated_at = ?, updated_by = ?
		WHERE id = ? AND version = ?`, next.Kind, next.Title, next.Publication, next.Version, next.AuthorSealed,
		tx.d.Time(tx.Now), userID(by), next.ID, cur.Version)
	if err != nil {
		return fmt.Errorf("store: update story %d: %w", st.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return staleStory(cur.Version + 1)
	}
	if err := insertStoryRevision(ctx, tx, &next, by, note); err != nil {
		return err
	}
	if err := audit(ctx, tx, by, "story.update", storyObject(next.ID), fmt.Sprintf("%s revision %d", next.Slug, next.Version)); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	*st = next
	return nil
}

// FindStory returns the working copy with id, or ENOTFOUND.
func (d *DB) FindStory(ctx context.Context, id int64) (*domain.Story, error) {
	return findStory(ctx, d.Reader(), id)
}

// ListStories returns one page of working copies, newest change first.
func (d *DB) ListStories(ctx context.Context, f domain.StoryStaffFilter) ([]*domain.Story, int, error) {
	w, args := "", []any{}
	if f.Publication != "" {
		w, args = " WHERE s.publication = ?", append(args, f.Publication)
	}
	page, per := paging(f.Page, f.PerPage, 50)
	r := d.Reader()
	var total int
	if err := r.QueryRow(ctx, "SELECT COUNT(*) FROM stories s"+w, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: list stories: %w", err)
	}
	rows, err := r.Query(ctx, "SELECT "+storyColumns+" FROM stories s"+w+" ORDER BY s.updated_at DESC, s.id DESC LIMIT ? OFFSET ?",
		append(args, per, (page-1)*per)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list stories: %w", err)
	}
	defer rows.Close()
	var out []*domain.Story
	for rows.Next() {
		st, err := scanStory(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("store: list stories: %w", err)
		}
		out = append(out, st)
	}
	return out, total, rows.Err()
}

// StoryRevisions lists a story's revisions, newest first.
func (d *DB) StoryRevisions(ctx context.Context, id int64) ([]*domain.StoryRevision, error) {
	rows, err := d.Reader().Query(ctx, `SELECT r.story_id, r.number, r.doc, COALESCE(r.author_id, 0), COALESCE(u.email, ''), r.note, r.created_at
		FROM story_revisions r LEFT JOIN users u ON u.id = r.author_id WHERE r.story_id = ? ORDER BY r.number DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("store: story revisions: %w", err)
	}
	defer rows.Close()
	var out []*domain.StoryRevision
	for rows.Next() {
		r := &domain.StoryRevision{}
		var doc string
		if err := rows.Scan(&r.StoryID, &r.Number, &doc, &r.AuthorID, &r.AuthorName, &r.Note, TimeScanner{&r.CreatedAt}); err != nil {
			return nil, fmt.Errorf("store: story revisions: %w", err)
		}
		r.Doc = []byte(doc)
		out = append(out, r)
	}
	return out, rows.Err()
}

func setStoryState(ctx context.Context, tx *Tx, st *domain.Story) error {
	doc, err := storyDoc(st)
	if err != nil {
		return err
	}
	res, err := tx.Exec(ctx, `UPDATE stories SET publication = ?, doc = ?, published_version = ?, published_at = ?
		WHERE id = ? AND version = ?`, st.Publication, tx.d.JSON(doc), st.PublishedVersion,
		tx.d.NullTime(st.PublishedAt), st.ID, st.Version)
	if err != nil {
		return fmt.Errorf("store: set state of story %d: %w", st.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return staleStory(st.Version)
	}
	return nil
}

// TransitionStory applies submit or return (domain.Transition) at version.
func (d *DB) TransitionStory(ctx context.Context, id int64, version int, action string, by *domain.User, note string) (*domain.Story, error) {
	if action == domain.ActionPublish || action == domain.ActionWithdraw {
		return nil, domain.Errorf(domain.EINVALID, "Use publish or withdraw for %q.", action)
	}
	tx, err := d.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	st, err := findStory(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if st.Version != version {
		return nil, staleStory(st.Version)
	}
	if st.Publication, err = domain.TransitionOf("story", st.Publication, action); err != nil {
		return nil, err
	}
	if err := setStoryState(ctx, tx, st); err != nil {
		return nil, err
	}
	if err := audit(ctx, tx, by, "story."+action, storyObject(id), note); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return st, nil
}

// ApproveStory records an approval of revision version by a staff member,
// or by the story's source when source is true (by is then nil). Staff
// approvals need the story in review at that version.
func (d *DB) ApproveStory(ctx context.Context, id int64, version int, by *domain.User, source bool, comment string) error {
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := findStory(ctx, tx, id)
	if err != nil {
		return err
	}
	if st.Version != version {
		return staleStory(st.Version)
	}
	var who int64
	action := "story.approve"
	if source {
		if st.IntakeReportID == 0 {
			return domain.Errorf(domain.EINVALID, "This story has no source to approve it.")
		}
		action, by = "story.source_approve", nil
	} else {
		if by == nil || by.ID == 0 {
			return domain.Errorf(domain.EUNAUTHORIZED, "Sign in to approve.")
		}
		if st.Publication != domain.PublicationInReview {
			return domain.Errorf(domain.ECONFLICT, "Only a story in review can be approved.")
		}
		who = by.ID
	}
	if _, err := tx.Exec(ctx, `INSERT INTO story_approvals (story_id, revision, user_id, comment, revoked, created_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (story_id, revision, user_id) DO UPDATE SET comment = excluded.comment, revoked = excluded.revoked, created_at = excluded.created_at`,
		id, version, who, comment, false, tx.d.Time(tx.Now)); err != nil {
		return fmt.Errorf("store: approve story: %w", err)
	}
	if err := audit(ctx, tx, by, action, storyObject(id), fmt.Sprintf("revision %d", version)); err != nil {
		return err
	}
	return tx.Commit()
}

// RevokeSourceApproval records that the source withdrew consent: every
// source approval of the story is revoked.
func (d *DB) RevokeSourceApproval(ctx context.Context, id int64, comment string) error {
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := findStory(ctx, tx, id); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "UPDATE story_approvals SET revoked = ?, comment = ? WHERE story_id = ? AND user_id = 0", true, comment, id); err != nil {
		return fmt.Errorf("store: revoke source approval: %w", err)
	}
	if err := audit(ctx, tx, nil, "story.source_revoke", storyObject(id), ""); err != nil {
		return err
	}
	return tx.Commit()
}

// StoryApprovals lists a story's approvals, oldest first.
func (d *DB) StoryApprovals(ctx context.Context, id int64) ([]*domain.StoryApproval, error) {
	rows, err := d.Reader().Query(ctx, `SELECT a.story_id, a.revision, a.user_id, COALESCE(u.email, ''), a.comment, a.revoked, a.created_at
		FROM story_approvals a LEFT JOIN users u ON u.id = a.user_id WHERE a.story_id = ? ORDER BY a.created_at, a.user_id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: story approvals: %w", err)
	}
	defer rows.Close()
	var out []*domain.StoryApproval
	for rows.Next() {
		a := &domain.StoryApproval{}
		var revoked bool
		if err := rows.Scan(&a.StoryID, &a.Revision, &a.UserID, &a.UserName, &a.Comment, &revoked, TimeScanner{&a.CreatedAt}); err != nil {
			return nil, fmt.Errorf("store: story approvals: %w", err)
		}
		a.Source = a.UserID == 0
		if revoked {
			continue
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// PublishStory makes the working copy at version public (see
// domain.StoryStore). In one transaction it writes the public story, its
// terms, its log content and entry, and an audit row.
func (d *DB) PublishStory(ctx context.Context, id int64, version int, by *domain.User) (*domain.PublicStory, error) {
	if by == nil || by.ID == 0 {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "Sign in to publish.")
	}
	tx, err := d.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	st, err := findStory(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if st.Version != version {
		return nil, staleStory(st.Version)
	}
	if _, err := domain.TransitionOf("story", st.Publication, domain.ActionPublish); err != nil {
		return nil, err
	}
	var others int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM story_approvals WHERE story_id = ? AND revision = ? AND user_id <> ? AND user_id <> 0 AND revoked = ?`,
		id, version, by.ID, false).Scan(&others); err != nil {
		return nil, fmt.Errorf("store: publish story: %w", err)
	}
	if others == 0 {
		return nil, domain.Errorf(domain.EFORBIDDEN,
			"Publishing needs a second person: someone other than you must approve revision %d first.", version)
	}
	if st.IntakeReportID != 0 {
		var src int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM story_approvals WHERE story_id = ? AND revision = ? AND user_id = 0 AND revoked = ?`,
			id, version, false).Scan(&src); err != nil {
			return nil, fmt.Errorf("store: publish story: %w", err)
		}
		if src == 0 {
			return nil, domain.Errorf(domain.EFORBIDDEN,
				"The source has not approved revision %d: they must see and approve the exact text before it is published.", version)
		}
	}
	st.Publication, st.PublishedVersion, st.WithdrawalReason = domain.PublicationPublished, version, ""
	if st.PublishedAt == nil {
		t := tx.Now
		st.PublishedAt = &t
	}
	if err := setStoryState(ctx, tx, st); err != nil {
		return nil, err
	}
	pub := st.PublicView(tx.Now)
	if st.DepositID != 0 {
		var p domain.DepositProof
		err := tx.QueryRow(ctx, "SELECT ref, sha256, created_at FROM deposits WHERE id = ?", st.DepositID).
			Scan(&p.Ref, &p.SHA256, TimeScanner{&p.DepositedAt})
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("store: publish story: deposit: %w", err)
		}
		if err == nil {
			pub.Deposit = &p
		}
	}
	if err := writePublicStory(ctx, tx, pub); err != nil {
		return nil, err
	}
	if err := insertStoryLogEntry(ctx, tx, ledger.KindStoryRevision, pub); err != nil {
		return nil, err
	}
	if err := audit(ctx, tx, by, "story.publish", storyObject(id), fmt.Sprintf("%s revision %d", st.Slug, version)); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return pub, nil
}

// WithdrawStory keeps the public page, saying it was withdrawn and why; the
// story leaves lists, search and feeds. A log entry records it.
func (d *DB) WithdrawStory(ctx context.Context, id int64, reason string, by *domain.User) (*domain.PublicStory, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, domain.InvalidFields(map[string]string{"reason": "Say why the story is withdrawn; readers will see it."})
	}
	tx, err := d.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	st, err := findStory(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	pub, err := findPublicStory(ctx, tx, "p.id = ?", id)
	if domain.IsCode(err, domain.ENOTFOUND) || (err == nil && pub.Status != domain.PublicationPublished) {
		return nil, domain.Errorf(domain.ECONFLICT, "Only a published story can be withdrawn.")
	} else if err != nil {
		return nil, err
	}
	pub.Status, pub.WithdrawalReason, pub.UpdatedAt = domain.PublicationWithdrawn, reason, tx.Now
	if err := writePublicStory(ctx, tx, pub); err != nil {
		return nil, err
	}
	st.Publication, st.WithdrawalReason = domain.PublicationWithdrawn, reason
	if err := setStoryState(ctx, tx, st); err != nil {
		return nil, err
	}
	if err := insertStoryLogEntry(ctx, tx, ledger.KindWithdrawal, pub); err != nil {
		return nil, err
	}
	if err := audit(ctx, tx, by, "story.withdraw", storyObject(id), reason); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return pub, nil
}

// StoryContentPath is where the public content of a story revision with the
// given SHA-256 is served (content-addressed like incidents').
func StoryContentPath(slug, sha string) string {
	return "/stories/" + slug + "/content/" + sha + ".json"
}

// insertStoryLogEntry records a published or withdrawn story: its exact
// public bytes (log content) and the entry committing to them. A story
// released from the safe box names the deposit's entry and hash, so the
// log proves the text existed, sealed, since the day of deposit.
func insertStoryLogEntry(ctx context.Context, tx *Tx, kind string, pub *domain.PublicStory) error {
	content, err := json.Marshal(pub)
	if err != nil {
		return fmt.Errorf("store: story log entry: %w", err)
	}
	sum := sha256.Sum256(content)
	sha := hex.EncodeToString(sum[:])
	path := StoryContentPath(pub.Slug, sha)
	if _, err := InsertLogContent(ctx, tx, path, pub.Slug, content); err != nil {
		return err
	}
	data := struct {
		Revision      int      `json:"revision"`
		Status        string   `json:"status"`
		URL           string   `json:"url"`
		Page          string   `json:"page"`
		Incidents     []string `json:"incidents,omitempty"`
		Deposit       string   `json:"deposit,omitempty"`
		DepositSHA256 string   `json:"deposit_sha256,omitempty"`
	}{Revision: pub.Revision, Status: pub.Status, URL: path, Page: "/stories/" + pub.Slug, Incidents: pub.Incidents}
	if pub.Deposit != nil {
		data.Deposit, data.DepositSHA256 = pub.Deposit.Ref, pub.Deposit.SHA256
	}
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("store: story log entry: %w", err)
	}
	return InsertLedgerEntry(ctx, tx, ledger.Entry{Kind: kind, Ref: "story:" + pub.Slug, Time: tx.Now, SHA256: sha, Data: b})
}
