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

var _ domain.PublicStoryStore = (*DB)(nil)

// writePublicStory upserts the public row of a story with its filter terms
// (topics, related incidents) and its search text. A withdrawn story keeps
// its row and page but loses its terms and search text.
func writePublicStory(ctx context.Context, tx *Tx, p *domain.PublicStory) error {
	doc, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("store: encode public story: %w", err)
	}
	search := ""
	if p.Status == domain.PublicationPublished {
		search = storySearchText(p)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO public_stories (id, slug, status, kind, country, language, search_text, first_published_at,
		updated_at, content_sha256, revision, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET slug = excluded.slug, status = excluded.status, kind = excluded.kind, country = excluded.country,
		language = excluded.language, search_text = excluded.search_text, first_published_at = excluded.first_published_at,
		updated_at = excluded.updated_at, content_sha256 = excluded.content_sha256, revision = excluded.revision, doc = excluded.doc`,
		p.ID, p.Slug, p.Status, p.Kind, p.Country, p.Language, search, tx.d.Time(p.FirstPublishedAt), tx.d.Time(p.UpdatedAt),
		p.ContentHash(), p.Revision, tx.d.JSON(doc)); err != nil {
		return fmt.Errorf("store: write public story: %w", err)
	}
	if _, err := tx.Exec(ctx, "DELETE FROM public_story_terms WHERE story_id = ?", p.ID); err != nil {
		return fmt.Errorf("store: write public story terms: %w", err)
	}
	if p.Status != domain.PublicationPublished {
		return nil
	}
	add := func(field, value string) error {
		_, err := tx.Exec(ctx, `INSERT INTO public_story_terms (story_id, field, value) VALUES (?, ?, ?)
			ON CONFLICT (story_id, field, value) DO NOTHING`, p.ID, field, value)
		return err
	}
	for _, t := range p.Topics {
		if err := add("topic", t); err != nil {
			return fmt.Errorf("store: write public story terms: %w", err)
		}
	}
	for _, r := range p.Incidents {
		if err := add("incident", r); err != nil {
			return fmt.Errorf("store: write public story terms: %w", err)
		}
	}
	for loc := range p.Translations {
		if err := add("language", loc); err != nil {
			return fmt.Errorf("store: write public story terms: %w", err)
		}
	}
	return nil
}

// storySearchText is the lower-cased text a search matches: every
// translation, the shown author line, the outlet and the topics. The sealed
// name of an anonymous author is not in the public story, so never here.
func storySearchText(p *domain.PublicStory) string {
	parts := []string{p.Title, p.Standfirst, p.Body, p.AuthorName, p.RefusingOutlet, strings.Join(p.Topics, " ")}
	for _, t := range p.Translations {
		parts = append(parts, t.Title, t.Summary, t.Body)
	}
	return strings.ToLower(strings.Join(parts, "\n"))
}

func findPublicStory(ctx context.Context, q Querier, where string, arg any) (*domain.PublicStory, error) {
	var id int64
	var doc []byte
	err := q.QueryRow(ctx, "SELECT p.id, p.doc FROM public_stories p WHERE "+where, arg).Scan(&id, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Story")
	} else if err != nil {
		return nil, fmt.Errorf("store: find public story: %w", TranslateError(err))
	}
	return decodePublicStory(id, doc)
}

func decodePublicStory(id int64, doc []byte) (*domain.PublicStory, error) {
	p := &domain.PublicStory{}
	if err := json.Unmarshal(doc, p); err != nil {
		return nil, fmt.Errorf("store: decode public story %d: %w", id, err)
	}
	p.ID = id
	return p, nil
}

// FindPublicStory returns the published (or withdrawn) story with slug and
// its log index once integrated; ENOTFOUND for drafts and unknown slugs.
func (d *DB) FindPublicStory(ctx context.Context, slug string) (*domain.PublicStory, error) {
	p, err := findPublicStory(ctx, d.Reader(), "p.slug = ?", strings.ToLower(strings.TrimSpace(slug)))
	if err != nil {
		return nil, err
	}
	var idx sql.NullInt64
	err = d.Reader().QueryRow(ctx, "SELECT idx FROM log_entries WHERE ref = ? ORDER BY seq DESC LIMIT 1", "story:"+p.Slug).Scan(&idx)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: find public story: log index: %w", err)
	}
	if idx.Valid {
		p.LogIndex = &idx.Int64
	}
	return p, nil
}

// SearchStories returns one page of published stories, newest first. Search
// words must all occur (case-insensitive substring match: stories are few,
// and this matches Urdu and Hindi words without a tokenizer).
func (d *DB) SearchStories(ctx context.Context, f domain.StoryFilter) (*domain.StoryPage, error) {
	where := []string{"p.status = ?"}
	args := []any{domain.PublicationPublished}
	if f.Kind != "" {
		where, args = append(where, "p.kind = ?"), append(args, f.Kind)
	}
	if f.Country != "" {
		where, args = append(where, "p.country = ?"), append(args, strings.ToUpper(f.Country))
	}
	if f.Language != "" {
		where = append(where, "(p.language = ? OR EXISTS (SELECT 1 FROM public_story_terms t WHERE t.story_id = p.id AND t.field = 'language' AND t.value = ?))")
		args = append(args, f.Language, f.Language)
	}
	if f.Topic != "" {
		where = append(where, "EXISTS (SELECT 1 FROM public_story_terms t WHERE t.story_id = p.id AND t.field = 'topic' AND t.value = ?)")
		args = append(args, strings.ToLower(f.Topic))
	}
	for i, w := range strings.Fields(strings.ToLower(f.Q)) {
		if i >= 8 {
			break
		}
		w = strings.NewReplacer("%", "", "_", "", "\\", "").Replace(w)
		if w == "" {
			continue
		}
		where, args = append(where, "p.search_text LIKE ?"), append(args, "%"+w+"%")
	}
	w := " WHERE " + strings.Join(where, " AND ")
	page, per := paging(f.Page, f.PerPage, 20)
	r := d.Reader()
	out := &domain.StoryPage{}
	if err := r.QueryRow(ctx, "SELECT COUNT(*) FROM public_stories p"+w, args...).Scan(&out.Total); err != nil {
		return nil, fmt.Errorf("store: search stories: %w", err)
	}
	rows, err := r.Query(ctx, "SELECT p.id, p.doc FROM public_stories p"+w+" ORDER BY p.first_published_at DESC, p.id DESC LIMIT ? OFFSET ?",
		append(args, per, (page-1)*per)...)
	if err != nil {
		return nil, fmt.Errorf("store: search stories: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var doc []byte
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, fmt.Errorf("store: search stories: %w", err)
		}
		p, err := decodePublicStory(id, doc)
		if err != nil {
			return nil, err
		}
		out.Items = append(out.Items, p)
	}
	return out, rows.Err()
}

// StoriesForIncident lists the published stories that name the incident,
// newest first (the incident's page links back to them).
func (d *DB) StoriesForIncident(ctx context.Context, ref string) ([]*domain.PublicStory, error) {
	rows, err := d.Reader().Query(ctx, `SELECT p.id, p.doc FROM public_stories p JOIN public_story_terms t ON t.story_id = p.id
		WHERE t.field = 'incident' AND t.value = ? AND p.status = ? ORDER BY p.first_published_at DESC`,
		strings.ToUpper(strings.TrimSpace(ref)), domain.PublicationPublished)
	if err != nil {
		return nil, fmt.Errorf("store: stories for incident: %w", err)
	}
	defer rows.Close()
	var out []*domain.PublicStory
	for rows.Next() {
		var id int64
		var doc []byte
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, fmt.Errorf("store: stories for incident: %w", err)
		}
		p, err := decodePublicStory(id, doc)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
