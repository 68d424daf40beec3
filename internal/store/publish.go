package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
)

// Publish makes the working copy at version public: it must be in review at
// that version (ECONFLICT) and approved for that version by someone other
// than by (EFORBIDDEN). In one transaction it writes the PublicIncident, its
// filter terms and full text, a log entry and an audit row.
func (d *DB) Publish(ctx context.Context, id int64, version int, by *domain.User) (*domain.PublicIncident, error) {
	if by == nil || by.ID == 0 {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "Sign in to publish.")
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
	if _, err := domain.Transition(inc.Publication, domain.ActionPublish); err != nil {
		return nil, err
	}
	var others int
	if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM approvals WHERE incident_id = ? AND revision = ? AND user_id <> ?",
		id, version, by.ID).Scan(&others); err != nil {
		return nil, fmt.Errorf("store: publish: %w", err)
	}
	if others == 0 {
		return nil, domain.Errorf(domain.EFORBIDDEN,
			"Publishing needs a second person: someone other than you must approve revision %d first.", version)
	}
	if inc.Sensitivity == domain.SensitivityEmbargoed && inc.EmbargoUntil > tx.Now.Format("2006-01-02") {
		return nil, domain.Errorf(domain.ECONFLICT, "This incident is under embargo until %s.", inc.EmbargoUntil)
	}
	inc.Publication = domain.PublicationPublished
	inc.PublishedVersion = version
	if inc.PublishedAt == nil {
		t := tx.Now
		inc.PublishedAt = &t
	}
	inc.WithdrawalReason = ""
	if err := setState(ctx, tx, inc); err != nil {
		return nil, err
	}
	pub := inc.PublicView(tx.Now)
	pub.ID = inc.ID
	fam, err := categoryFamilies(ctx, tx)
	if err != nil {
		return nil, err
	}
	if err := writePublic(ctx, tx, []*domain.PublicIncident{pub}, fam); err != nil {
		return nil, err
	}
	if err := insertLogEntry(ctx, tx, "incident_revision", pub); err != nil {
		return nil, err
	}
	if err := audit(ctx, tx, by, "incident.publish", incObject(id), fmt.Sprintf("%s revision %d", inc.Ref, version)); err != nil {
		return nil, err
	}
	if err := bumpGeneration(ctx, tx); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return pub, nil
}

// Withdraw marks the public record withdrawn with a reason: its page stays,
// saying so; it leaves lists, facets, search and exports. The working copy
// becomes withdrawn too. A log entry records the withdrawal.
func (d *DB) Withdraw(ctx context.Context, id int64, reason string, by *domain.User) (*domain.PublicIncident, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, domain.InvalidFields(map[string]string{"reason": "Say why the incident is withdrawn; readers will see it."})
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
	pub, err := findPublic(ctx, tx, "p.id = ?", id)
	if domain.IsCode(err, domain.ENOTFOUND) || (err == nil && pub.Status != domain.PublicationPublished) {
		return nil, domain.Errorf(domain.ECONFLICT, "Only a published incident can be withdrawn.")
	} else if err != nil {
		return nil, err
	}
	pub.Status = domain.PublicationWithdrawn
	pub.WithdrawalReason = reason
	pub.UpdatedAt = tx.Now
	if err := writePublic(ctx, tx, []*domain.PublicIncident{pub}, nil); err != nil {
		return nil, err
	}
	inc.Publication = domain.PublicationWithdrawn
	inc.WithdrawalReason = reason
	if err := setState(ctx, tx, inc); err != nil {
		return nil, err
	}
	if err := insertLogEntry(ctx, tx, "withdrawal", pub); err != nil {
		return nil, err
	}
	if err := audit(ctx, tx, by, "incident.withdraw", incObject(id), reason); err != nil {
		return nil, err
	}
	if err := bumpGeneration(ctx, tx); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return pub, nil
}

// bumpGeneration marks the published record as changed (read caches key on
// the generation).
func bumpGeneration(ctx context.Context, tx *Tx) error {
	if _, err := tx.Exec(ctx, "UPDATE public_generation SET gen = gen + 1 WHERE id = 1"); err != nil {
		return fmt.Errorf("store: bump generation: %w", err)
	}
	return nil
}

func categoryFamilies(ctx context.Context, q Querier) (map[string]string, error) {
	rows, err := q.Query(ctx, "SELECT code, family FROM vocab_terms WHERE vocab = ?", domain.VocabCategory)
	if err != nil {
		return nil, fmt.Errorf("store: category families: %w", err)
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var c, f string
		if err := rows.Scan(&c, &f); err != nil {
			return nil, fmt.Errorf("store: category families: %w", err)
		}
		m[c] = f
	}
	return m, rows.Err()
}

// publicRow is what writePublic stores for one PublicIncident.
type publicRow struct {
	pub      *domain.PublicIncident
	doc      []byte
	hash     string
	dateSort string
	year     int
	terms    [][2]string
	text     ftsText
}

// ftsText is the searchable text of a published incident, every
// translation included. Protected names never reach it: it is built from
// the PublicIncident.
type ftsText struct{ title, summary, body, names, outlets string }

func (t ftsText) joined() string {
	return t.title + "\n" + t.summary + "\n" + t.body + "\n" + t.names + "\n" + t.outlets
}

// highlight markers: private-use characters replaced by <mark> after
// HTML-escaping; they are removed from indexed text.
const (
	markOpen  = "\uE000"
	markClose = "\uE001"
)

var stripMarks = strings.NewReplacer(markOpen, "", markClose, "")

func newPublicRow(pub *domain.PublicIncident, families map[string]string) (*publicRow, error) {
	doc, err := json.Marshal(pub)
	if err != nil {
		return nil, fmt.Errorf("store: encode public incident: %w", err)
	}
	r := &publicRow{pub: pub, doc: doc, hash: pub.ContentHash(), dateSort: domain.SortDate(pub.DateStart, pub.DatePrecision)}
	if r.dateSort != "" {
		fmt.Sscanf(r.dateSort[:4], "%d", &r.year)
	}
	if pub.Status != domain.PublicationPublished {
		return r, nil
	}
	seen := map[[2]string]bool{}
	add := func(field, value string) {
		k := [2]string{field, value}
		if value == "" || seen[k] {
			return
		}
		seen[k] = true
		r.terms = append(r.terms, k)
	}
	var titles, summaries, bodies, names, outlets []string
	titles, summaries, bodies = append(titles, pub.Title), append(summaries, pub.Summary), append(bodies, pub.Body)
	for _, loc := range domain.Locales {
		if t, ok := pub.Translations[loc]; ok {
			titles, summaries, bodies = append(titles, t.Title), append(summaries, t.Summary), append(bodies, t.Body)
		}
	}
	for _, v := range pub.Violations {
		add("category", v.Category)
		fam := families[v.Category]
		if fam == "" {
			fam = "other"
		}
		add("family", fam)
		for _, a := range v.Actors {
			add("actor_type", a.Type)
			if a.Name != "" {
				names = append(names, a.Name)
			}
		}
		for _, t := range v.Targets {
			add("target_role", t.Role)
			if t.Kind == domain.TargetPerson {
				add("gender", t.Gender)
			}
			if t.Name != "" && !t.NameWithheld {
				if t.Kind == domain.TargetPerson {
					names = append(names, t.Name)
				} else {
					outlets = append(outlets, t.Name)
				}
			}
			if t.Outlet != "" {
				outlets = append(outlets, t.Outlet)
			}
		}
	}
	for _, s := range pub.Sources {
		if s.Publisher != "" {
			outlets = append(outlets, s.Publisher)
		}
	}
	for _, tag := range pub.Tags {
		add("tag", tag)
	}
	j := func(s []string) string { return stripMarks.Replace(strings.Join(s, "\n")) }
	r.text = ftsText{j(titles), j(summaries), j(bodies), j(names), j(outlets)}
	return r, nil
}

// writePublic upserts public rows with their terms and full text; rows that
// are not published (withdrawn) keep their page but lose terms and text.
// families maps category codes to families (nil is fine for withdrawals).
func writePublic(ctx context.Context, tx *Tx, pubs []*domain.PublicIncident, families map[string]string) error {
	rows := make([]*publicRow, 0, len(pubs))
	for _, p := range pubs {
		r, err := newPublicRow(p, families)
		if err != nil {
			return err
		}
		rows = append(rows, r)
	}
	pg := tx.d.IsPostgres()
	cols := "id, ref, slug, status, title, summary, country, admin1, date_sort, year, verification, persons, demo, first_published_at, updated_at, content_sha256, revision, doc"
	n := 18
	if pg {
		cols += ", search_text"
		n++
	}
	var b strings.Builder
	args := make([]any, 0, len(rows)*n)
	b.WriteString("INSERT INTO public_incidents (" + cols + ") VALUES ")
	row := "(" + placeholders(n) + ")"
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
		p := r.pub
		args = append(args, p.ID, p.Ref, p.Slug, p.Status, p.Title, p.Summary, p.Country, p.Admin1, r.dateSort, r.year,
			p.Verification, p.Persons(), p.Demo, tx.d.Time(p.FirstPublishedAt), tx.d.Time(p.UpdatedAt), r.hash, p.Revision, tx.d.JSON(r.doc))
		if pg {
			args = append(args, r.text.joined())
		}
	}
	b.WriteString(` ON CONFLICT (id) DO UPDATE SET ref = excluded.ref, slug = excluded.slug, status = excluded.status,
		title = excluded.title, summary = excluded.summary, country = excluded.country, admin1 = excluded.admin1,
		date_sort = excluded.date_sort, year = excluded.year, verification = excluded.verification, persons = excluded.persons,
		demo = excluded.demo, first_published_at = excluded.first_published_at, updated_at = excluded.updated_at,
		content_sha256 = excluded.content_sha256, revision = excluded.revision, doc = excluded.doc`)
	if pg {
		b.WriteString(", search_text = excluded.search_text")
	}
	if _, err := tx.Exec(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("store: write public incidents: %w", err)
	}

	ids := make([]any, len(rows))
	for i, r := range rows {
		ids[i] = r.pub.ID
	}
	if _, err := tx.Exec(ctx, "DELETE FROM public_terms WHERE incident_id IN ("+placeholders(len(ids))+")", ids...); err != nil {
		return fmt.Errorf("store: write public terms: %w", err)
	}
	if !pg {
		if _, err := tx.Exec(ctx, "DELETE FROM public_fts WHERE rowid IN ("+placeholders(len(ids))+")", ids...); err != nil {
			return fmt.Errorf("store: write full text: %w", err)
		}
	}
	var targs, fargs []any
	var tvals, fvals []string
	for _, r := range rows {
		for _, t := range r.terms {
			tvals = append(tvals, "(?, ?, ?)")
			targs = append(targs, r.pub.ID, t[0], t[1])
		}
		if !pg && r.pub.Status == domain.PublicationPublished {
			fvals = append(fvals, "(?, ?, ?, ?, ?, ?)")
			fargs = append(fargs, r.pub.ID, r.text.title, r.text.summary, r.text.body, r.text.names, r.text.outlets)
		}
	}
	// Chunks keep the number of placeholders under both engines' limits.
	for len(tvals) > 0 {
		k := min(len(tvals), 3000)
		if _, err := tx.Exec(ctx, "INSERT INTO public_terms (incident_id, field, value) VALUES "+strings.Join(tvals[:k], ", "), targs[:3*k]...); err != nil {
			return fmt.Errorf("store: write public terms: %w", err)
		}
		tvals, targs = tvals[k:], targs[3*k:]
	}
	for len(fvals) > 0 {
		k := min(len(fvals), 1000)
		if _, err := tx.Exec(ctx, "INSERT INTO public_fts (rowid, title, summary, body, names, outlets) VALUES "+strings.Join(fvals[:k], ", "), fargs[:6*k]...); err != nil {
			return fmt.Errorf("store: write full text: %w", err)
		}
		fvals, fargs = fvals[k:], fargs[6*k:]
	}
	if families == nil {
		// A withdrawal: its CSV row still says what the export prints.
		var err error
		if families, err = categoryFamilies(ctx, tx); err != nil {
			return err
		}
	}
	return writePublicCSV(ctx, tx, rows, families)
}

func findPublic(ctx context.Context, q Querier, where string, arg any) (*domain.PublicIncident, error) {
	var id int64
	var doc []byte
	err := q.QueryRow(ctx, "SELECT p.id, p.doc FROM public_incidents p WHERE "+where, arg).Scan(&id, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Incident")
	} else if err != nil {
		return nil, fmt.Errorf("store: find public incident: %w", TranslateError(err))
	}
	p := &domain.PublicIncident{}
	if err := json.Unmarshal(doc, p); err != nil {
		return nil, fmt.Errorf("store: decode public incident %d: %w", id, err)
	}
	p.ID = id
	return p, nil
}

// FindPublic returns the published (or withdrawn) incident with ref, with
// its log index once the log has integrated its latest entry; ENOTFOUND for
// drafts and unknown refs.
func (d *DB) FindPublic(ctx context.Context, ref string) (*domain.PublicIncident, error) {
	ref = strings.ToUpper(strings.TrimSpace(ref))
	p, err := findPublic(ctx, d.Reader(), "p.ref = ?", ref)
	if err != nil {
		return nil, err
	}
	var idx sql.NullInt64
	err = d.Reader().QueryRow(ctx, "SELECT idx FROM log_entries WHERE ref = ? ORDER BY seq DESC LIMIT 1", ref).Scan(&idx)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: find public incident: log index: %w", err)
	}
	if idx.Valid {
		p.LogIndex = &idx.Int64
	}
	return p, nil
}

// ListWithdrawn returns every withdrawn public incident (their pages stay;
// the mirror writes them), by ref.
func (d *DB) ListWithdrawn(ctx context.Context) ([]*domain.PublicIncident, error) {
	rows, err := d.Reader().Query(ctx, "SELECT p.id, p.doc FROM public_incidents p WHERE p.status = ? ORDER BY p.ref", domain.PublicationWithdrawn)
	if err != nil {
		return nil, fmt.Errorf("store: list withdrawn: %w", err)
	}
	defer rows.Close()
	var out []*domain.PublicIncident
	for rows.Next() {
		p, err := scanPublic(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func scanPublic(rows *sql.Rows) (*domain.PublicIncident, error) {
	var id int64
	var doc []byte
	if err := rows.Scan(&id, &doc); err != nil {
		return nil, fmt.Errorf("store: read public incident: %w", err)
	}
	p := &domain.PublicIncident{}
	if err := json.Unmarshal(doc, p); err != nil {
		return nil, fmt.Errorf("store: decode public incident %d: %w", id, err)
	}
	p.ID = id
	return p, nil
}

// SeedPublic bulk-loads published incidents with their working copies (for
// benchmarks, tests and demo data): refs are assigned when empty, and the ref
// counters move past the loaded refs. It writes no revisions, approvals,
// audit or log rows, so it is not a substitute for Publish.
func (d *DB) SeedPublic(ctx context.Context, pubs []*domain.PublicIncident) error {
	const batch = 500
	for start := 0; start < len(pubs); start += batch {
		if err := d.seedBatch(ctx, pubs[start:min(start+batch, len(pubs))]); err != nil {
			return err
		}
	}
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if q := tx.d.resetIdentity("incidents"); q != "" {
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("store: seed: %w", err)
		}
	}
	if err := bumpGeneration(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

func (d *DB) seedBatch(ctx context.Context, pubs []*domain.PublicIncident) error {
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	fam, err := categoryFamilies(ctx, tx)
	if err != nil {
		return err
	}
	var maxID int64
	if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM incidents").Scan(&maxID); err != nil {
		return fmt.Errorf("store: seed: %w", err)
	}
	counters := map[[2]any]int{}
	var vals []string
	var args []any
	for _, p := range pubs {
		if p.Status == "" {
			p.Status = domain.PublicationPublished
		}
		if p.FirstPublishedAt.IsZero() {
			p.FirstPublishedAt = tx.Now
		}
		if p.UpdatedAt.IsZero() {
			p.UpdatedAt = p.FirstPublishedAt
		}
		if p.Revision == 0 {
			p.Revision = 1
		}
		year := tx.Now.Year()
		if t, err := domain.ParseFuzzyDate(p.DateStart, p.DatePrecision); err == nil && p.DateStart != "" {
			year = t.Year()
		}
		if p.Ref == "" {
			if p.Ref, err = nextRef(ctx, tx, p.Country, year); err != nil {
				return err
			}
		} else {
			var cc string
			var y, n int
			if _, err := fmt.Sscanf(strings.ReplaceAll(p.Ref, "-", " "), "%s %d %d", &cc, &y, &n); err == nil {
				k := [2]any{cc, y}
				counters[k] = max(counters[k], n)
			}
		}
		if p.Slug == "" {
			p.Slug = Slugify(p.Title, p.Ref)
		}
		maxID++
		p.ID = maxID
		inc := domain.Incident{ID: p.ID, Ref: p.Ref, Slug: p.Slug, Title: p.Title, Summary: p.Summary, Body: p.Body,
			Translations: p.Translations, DateStart: p.DateStart, DateEnd: p.DateEnd, DatePrecision: p.DatePrecision,
			Country: p.Country, Admin1: p.Admin1, LocationPrecision: p.LocationPrecision, PublicLocationPrecision: p.LocationPrecision,
			Verification: p.Verification, WorkRelated: p.WorkRelated, Publication: p.Status, Sensitivity: domain.SensitivityNormal,
			Tags: p.Tags, Violations: p.Violations, Sources: p.Sources, Demo: p.Demo, Version: p.Revision,
			CreatedAt: p.FirstPublishedAt, UpdatedAt: p.UpdatedAt, PublishedVersion: p.Revision, PublishedAt: &p.FirstPublishedAt}
		doc, err := incidentDoc(&inc)
		if err != nil {
			return err
		}
		vals = append(vals, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		args = append(args, inc.ID, inc.Ref, inc.Slug, inc.Title, inc.Publication, inc.Verification, inc.Country,
			domain.SortDate(inc.DateStart, inc.DatePrecision), inc.Version, tx.d.JSON(doc),
			tx.d.Time(inc.CreatedAt), tx.d.Time(inc.UpdatedAt), inc.PublishedVersion, tx.d.Time(p.FirstPublishedAt))
	}
	if _, err := tx.Exec(ctx, `INSERT INTO incidents (id, ref, slug, title, publication, verification, country, date_sort, version, doc,
		created_at, updated_at, published_version, published_at) VALUES `+strings.Join(vals, ", "), args...); err != nil {
		return fmt.Errorf("store: seed incidents: %w", err)
	}
	if err := writePublic(ctx, tx, pubs, fam); err != nil {
		return err
	}
	for k, n := range counters {
		if _, err := tx.Exec(ctx, `INSERT INTO ref_counters (country, year, next) VALUES (?, ?, ?)
			ON CONFLICT (country, year) DO UPDATE SET next = CASE WHEN ref_counters.next > excluded.next THEN ref_counters.next ELSE excluded.next END`,
			k[0], k[1], n+1); err != nil {
			return fmt.Errorf("store: seed ref counters: %w", err)
		}
	}
	return tx.Commit()
}

// publicGeneration reads the counter bumped by every change of the
// published record.
func publicGeneration(ctx context.Context, q Querier) (int64, error) {
	var g int64
	if err := q.QueryRow(ctx, "SELECT gen FROM public_generation WHERE id = 1").Scan(&g); err != nil {
		return 0, fmt.Errorf("store: public generation: %w", TranslateError(err))
	}
	return g, nil
}
