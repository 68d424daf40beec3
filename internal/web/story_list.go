package web

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
)

// parseStoryFilter reads the one query string that /stories, /stories.json
// and /stories.atom share.
func parseStoryFilter(q url.Values) (domain.StoryFilter, error) {
	f := domain.StoryFilter{Kind: q.Get("kind"), Topic: strings.ToLower(strings.TrimSpace(q.Get("topic"))),
		Country: strings.ToUpper(strings.TrimSpace(q.Get("country"))), Language: strings.TrimSpace(q.Get("language")),
		Q: strings.TrimSpace(q.Get("q")), Page: 1, PerPage: 20}
	p := map[string]string{}
	if f.Kind != "" && !domain.OneOf(f.Kind, domain.StoryKinds) {
		p["kind"] = "Unknown kind of story."
	}
	if f.Country != "" && len(f.Country) != 2 {
		p["country"] = "Use a two-letter country code."
	}
	if len(f.Q) > 200 || len(f.Topic) > 40 || len(f.Language) > 20 {
		p["q"] = "The search is too long."
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			p["page"] = "Unknown page."
		}
		f.Page = n
	}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			p["per_page"] = "Use 1 to 100."
		}
		f.PerPage = n
	}
	if len(p) > 0 {
		return f, domain.InvalidFields(p)
	}
	return f, nil
}

func storyValues(f domain.StoryFilter) url.Values {
	v := url.Values{}
	set := func(k, x string) {
		if x != "" {
			v.Set(k, x)
		}
	}
	set("kind", f.Kind)
	set("topic", f.Topic)
	set("country", f.Country)
	set("language", f.Language)
	set("q", f.Q)
	return v
}

// StoryCard is one story in a list.
type StoryCard struct {
	Href       string
	Title      string
	Standfirst string
	Kind       string
	Byline     string
	Date       string
	Minutes    int
	Lang       string
	Dir        string
}

func (s *Server) storyCard(l *Localizer, p *domain.PublicStory) StoryCard {
	title, translated := p.TitleIn(l.Locale)
	lang := l.Locale
	if !translated {
		lang = p.Language
	}
	return StoryCard{Href: l.Path("/stories/" + p.Slug), Title: title, Standfirst: p.StandfirstIn(l.Locale),
		Kind: l.T("story.kind." + p.Kind), Byline: byline(l, p), Date: p.FirstPublishedAt.UTC().Format("2006-01-02"),
		Minutes: domain.ReadingMinutes(p.BodyIn(l.Locale)), Lang: lang, Dir: langDir(lang)}
}

func byline(l *Localizer, p *domain.PublicStory) string {
	switch p.AuthorDisplay {
	case domain.AuthorNamed:
		return l.T("story.by", p.AuthorName)
	case domain.AuthorPseudonymous:
		return l.T("story.by.pseudonym", p.AuthorName)
	}
	return l.T("story.by.anonymous")
}

func langDir(lang string) string {
	switch strings.SplitN(lang, "-", 2)[0] {
	case "ur", "ar", "fa", "ps", "sd", "he":
		return "rtl"
	}
	return "ltr"
}

// StoryListView is /stories.
type StoryListView struct {
	Page
	Form     domain.StoryFilter
	Kinds    []Option
	Items    []StoryCard
	Total    int
	Query    string
	Prev     string
	Next     string
	Problems map[string]string
}

func (s *Server) handleStoryList(w http.ResponseWriter, r *http.Request) {
	l := s.cat.localizer(localeOf(r))
	f, err := parseStoryFilter(r.URL.Query())
	v := StoryListView{Page: s.page(r, l.T("stories.title")), Form: f}
	for _, k := range domain.StoryKinds {
		v.Kinds = append(v.Kinds, Option{Value: k, Label: l.T("story.kind." + k), Selected: k == f.Kind})
	}
	if err != nil {
		v.Problems = domain.ErrorFields(err)
		s.render(w, r, http.StatusBadRequest, "story_list", &v)
		return
	}
	res, err := s.opts.Stories.Search(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Total, v.Query = res.Total, storyValues(f).Encode()
	for _, p := range res.Items {
		v.Items = append(v.Items, s.storyCard(l, p))
	}
	page := func(n int) string {
		q := storyValues(f)
		q.Set("page", strconv.Itoa(n))
		return l.Path("/stories") + "?" + q.Encode()
	}
	if f.Page > 1 {
		v.Prev = page(f.Page - 1)
	}
	if f.Page*f.PerPage < res.Total {
		v.Next = page(f.Page + 1)
	}
	s.render(w, r, http.StatusOK, "story_list", &v)
}

// StoriesJSON is the body of /stories.json.
type StoriesJSON struct {
	Total   int                   `json:"total"`
	Page    int                   `json:"page"`
	PerPage int                   `json:"per_page"`
	Next    string                `json:"next,omitempty"`
	Items   []*domain.PublicStory `json:"items"`
}

func (s *Server) handleStoriesJSON(w http.ResponseWriter, r *http.Request) {
	f, err := parseStoryFilter(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.opts.Stories.Search(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := StoriesJSON{Total: res.Total, Page: f.Page, PerPage: f.PerPage, Items: res.Items}
	if out.Items == nil {
		out.Items = []*domain.PublicStory{}
	}
	if f.Page*f.PerPage < res.Total {
		q := storyValues(f)
		q.Set("page", strconv.Itoa(f.Page+1))
		out.Next = "/stories.json?" + q.Encode()
	}
	writeJSON(w, out)
}

// handleStoriesAtom serves /stories.atom for any filter, newest first.
func (s *Server) handleStoriesAtom(w http.ResponseWriter, r *http.Request) {
	l := s.cat.localizer(localeOf(r))
	q := r.URL.Query()
	if q.Get("per_page") == "" {
		q.Set("per_page", strconv.Itoa(feedPerPage))
	}
	f, err := parseStoryFilter(q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.opts.Stories.Search(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	base := s.baseURL(r)
	self := base + l.Path("/stories.atom")
	html := base + l.Path("/stories")
	if e := storyValues(f).Encode(); e != "" {
		self += "?" + e
		html += "?" + e
	}
	feed := atomFeed{Lang: l.Locale, ID: self, Title: l.T("site.name") + " · " + l.T("stories.title"),
		Author: atomPerson{Name: l.T("site.name")},
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: self},
			{Rel: "alternate", Type: "text/html", Href: html, HrefLang: l.Locale}}}
	var updated time.Time
	for _, p := range res.Items {
		if p.UpdatedAt.After(updated) {
			updated = p.UpdatedAt
		}
		c := s.storyCard(l, p)
		summary := c.Standfirst
		if summary == "" {
			summary = c.Title
		}
		e := atomEntry{ID: base + "/stories/" + p.Slug, Title: atomText{Type: "text", Lang: c.Lang, Text: c.Title},
			Updated: p.UpdatedAt.UTC().Format(time.RFC3339), Published: p.FirstPublishedAt.UTC().Format(time.RFC3339),
			Links: []atomLink{{Rel: "alternate", Type: "text/html", Href: base + c.Href},
				{Rel: "alternate", Type: "application/json", Href: base + "/stories/" + p.Slug + ".json"}},
			Summary:    atomText{Type: "text", Lang: c.Lang, Text: c.Byline + " — " + summary},
			Categories: []atomCategory{{Term: p.Kind, Label: c.Kind}}}
		for _, t := range p.Topics {
			e.Categories = append(e.Categories, atomCategory{Term: t})
		}
		feed.Entries = append(feed.Entries, e)
	}
	if updated.IsZero() {
		updated = s.now()
	}
	feed.Updated = updated.UTC().Format(time.RFC3339)
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(feed); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

// latestStories returns the newest stories for the home page (none when
// stories are off or cannot be read: the home page must not fail for them).
func (s *Server) latestStories(r *http.Request, l *Localizer, n int) []StoryCard {
	if s.opts.Stories == nil {
		return nil
	}
	res, err := s.opts.Stories.Search(r.Context(), domain.StoryFilter{Page: 1, PerPage: n})
	if err != nil {
		s.log.Error("web: latest stories", "err", err)
		return nil
	}
	var out []StoryCard
	for _, p := range res.Items {
		out = append(out, s.storyCard(l, p))
	}
	return out
}

// incidentStories returns the published stories that name an incident.
func (s *Server) incidentStories(r *http.Request, l *Localizer, ref string) []StoryCard {
	if s.opts.Stories == nil {
		return nil
	}
	list, err := s.opts.Stories.ForIncident(r.Context(), ref)
	if err != nil {
		s.log.Error("web: incident stories", "err", err)
		return nil
	}
	var out []StoryCard
	for _, p := range list {
		out = append(out, s.storyCard(l, p))
	}
	return out
}
