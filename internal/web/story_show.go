package web

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
)

// StoryView is the public page of one story.
type StoryView struct {
	Page
	Slug         string
	Kind         string
	Title        string
	Standfirst   string
	Body         template.HTML
	Lang         string
	Dir          string
	Byline       string
	Outlet       string
	Minutes      int
	Published    string
	Updated      string
	Revision     int
	Topics       []Chip
	Incidents    []Chip
	Evidence     []SourceView
	Withdrawn    bool
	Reason       string
	LogIndex     *int64
	LogHref      string
	Deposit      *domain.DepositProof
	DepositDate  string
	JSONHref     string
	Untranslated bool
}

func (s *Server) handleStoryShow(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	if strings.HasSuffix(slug, ".json") {
		p, err := s.opts.Stories.FindPublic(r.Context(), strings.TrimSuffix(slug, ".json"))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, p)
		return
	}
	if len(slug) > 200 {
		s.notFound(w, r)
		return
	}
	p, err := s.opts.Stories.FindPublic(r.Context(), slug)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l := s.cat.localizer(localeOf(r))
	c := s.storyCard(l, p)
	v := StoryView{Page: s.page(r, c.Title), Slug: p.Slug, Kind: c.Kind, Title: c.Title, Standfirst: c.Standfirst,
		Body: s.markdown(p.BodyIn(l.Locale)), Lang: c.Lang, Dir: c.Dir, Byline: c.Byline, Outlet: p.RefusingOutlet,
		Minutes: c.Minutes, Published: c.Date, Updated: p.UpdatedAt.UTC().Format("2006-01-02"), Revision: p.Revision,
		Withdrawn: p.Status == domain.PublicationWithdrawn, Reason: p.WithdrawalReason, LogIndex: p.LogIndex,
		Deposit: p.Deposit, JSONHref: "/stories/" + p.Slug + ".json", Untranslated: c.Lang != l.Locale,
		LogHref: "/stories/" + p.Slug + "/content/" + p.ContentHash() + ".json"}
	if p.Deposit != nil {
		v.DepositDate = p.Deposit.DepositedAt.UTC().Format("2006-01-02")
	}
	for _, t := range p.Topics {
		v.Topics = append(v.Topics, Chip{Label: t, Href: l.Path("/stories?topic=" + t)})
	}
	for _, ref := range p.Incidents {
		v.Incidents = append(v.Incidents, Chip{Label: ref, Href: l.Path("/incidents/" + ref)})
	}
	for _, e := range p.Evidence {
		sv := SourceView{Kind: e.Kind, Title: e.Title, Publisher: e.Publisher, Date: e.Date}
		if domain.ValidWebURL(e.URL) {
			sv.URL = e.URL
		}
		v.Evidence = append(v.Evidence, sv)
	}
	s.render(w, r, http.StatusOK, "story_show", &v)
}

// handleStoryContent serves the exact public bytes a story's log entry
// hashes (content-addressed, immutable).
func (s *Server) handleStoryContent(w http.ResponseWriter, r *http.Request) {
	slug, file := r.PathValue("slug"), r.PathValue("file")
	if s.opts.LogContent == nil || len(slug) > 200 || !strings.HasSuffix(file, ".json") || strings.ContainsAny(slug+file, "/\\") {
		s.notFound(w, r)
		return
	}
	b, err := s.opts.LogContent(r.Context(), "/stories/"+slug+"/content/"+file)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, _ = w.Write(b)
}
