package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/stories"
)

// AdminStoriesView is /admin/stories.
type AdminStoriesView struct {
	Page
	Items []*domain.Story
	Total int
	State string
}

func (s *Server) handleAdminStoryList(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	if state != "" && !domain.OneOf(state, domain.Publications) {
		state = ""
	}
	items, total, err := s.opts.Stories.ListStories(r.Context(), userOf(r), domain.StoryStaffFilter{Publication: state, PerPage: 100})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_stories", &AdminStoriesView{Page: s.page(r, "Stories"), Items: items, Total: total, State: state})
}

// StoryForm is the back-office form of a story, as posted.
type StoryForm struct {
	ID             int64
	Version        int
	Kind           string
	Title          string
	Standfirst     string
	Body           string
	Language       string
	Country        string
	Topics         string
	AuthorDisplay  string
	AuthorName     string
	RealName       string
	HasSealedName  bool
	RefusingOutlet string
	Incidents      string
	Evidence       string
	Translations   []TranslationForm
	Note           string
}

// TranslationForm is one locale's translation in the form.
type TranslationForm struct {
	Locale, Title, Standfirst, Body string
}

func storyForm(st *domain.Story) StoryForm {
	f := StoryForm{ID: st.ID, Version: st.Version, Kind: st.Kind, Title: st.Title, Standfirst: st.Standfirst, Body: st.Body,
		Language: st.Language, Country: st.Country, Topics: strings.Join(st.Topics, ", "), AuthorDisplay: st.AuthorDisplay,
		AuthorName: st.AuthorName, HasSealedName: len(st.AuthorSealed) > 0, RefusingOutlet: st.RefusingOutlet,
		Incidents: strings.Join(st.Incidents, "\n")}
	var ev []string
	for _, e := range st.Evidence {
		line := e.URL
		if e.Title != "" {
			line += " " + e.Title
		}
		if e.Visibility == domain.VisibilityInternal {
			line = "internal: " + line
		}
		ev = append(ev, strings.TrimSpace(line))
	}
	f.Evidence = strings.Join(ev, "\n")
	for _, loc := range []string{"en", "ur", "hi"} {
		t := st.Translations[loc]
		f.Translations = append(f.Translations, TranslationForm{Locale: loc, Title: t.Title, Standfirst: t.Summary, Body: t.Body})
	}
	return f
}

func readStoryForm(r *http.Request) StoryForm {
	p := r.PostForm
	f := StoryForm{Kind: p.Get("kind"), Title: p.Get("title"), Standfirst: p.Get("standfirst"), Body: p.Get("body"),
		Language: p.Get("language"), Country: p.Get("country"), Topics: p.Get("topics"), AuthorDisplay: p.Get("author_display"),
		AuthorName: p.Get("author_name"), RealName: p.Get("real_name"), RefusingOutlet: p.Get("refusing_outlet"),
		Incidents: p.Get("incidents"), Evidence: p.Get("evidence"), Note: p.Get("note")}
	f.Version, _ = strconv.Atoi(p.Get("version"))
	for _, loc := range []string{"en", "ur", "hi"} {
		f.Translations = append(f.Translations, TranslationForm{Locale: loc, Title: p.Get("tr_title_" + loc),
			Standfirst: p.Get("tr_standfirst_" + loc), Body: p.Get("tr_body_" + loc)})
	}
	return f
}

func (f StoryForm) story() *domain.Story {
	st := &domain.Story{ID: f.ID, Version: f.Version, Kind: f.Kind, Title: f.Title, Standfirst: f.Standfirst,
		Body: strings.ReplaceAll(f.Body, "\r\n", "\n"), Language: f.Language, Country: f.Country, AuthorDisplay: f.AuthorDisplay,
		AuthorName: f.AuthorName, RefusingOutlet: f.RefusingOutlet}
	for _, t := range strings.Split(f.Topics, ",") {
		st.Topics = append(st.Topics, t)
	}
	st.Incidents = strings.Fields(strings.ReplaceAll(f.Incidents, ",", " "))
	for _, line := range strings.Split(f.Evidence, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		e := domain.Source{Kind: "other", Visibility: domain.VisibilityPublic}
		if rest, ok := strings.CutPrefix(line, "internal:"); ok {
			e.Visibility, line = domain.VisibilityInternal, strings.TrimSpace(rest)
		}
		u, title, _ := strings.Cut(line, " ")
		if domain.ValidWebURL(u) {
			e.URL, e.Title = u, strings.TrimSpace(title)
		} else {
			e.Title = line
		}
		st.Evidence = append(st.Evidence, e)
	}
	for _, t := range f.Translations {
		if t.Title == "" && t.Standfirst == "" && t.Body == "" {
			continue
		}
		if st.Translations == nil {
			st.Translations = map[string]domain.Translation{}
		}
		st.Translations[t.Locale] = domain.Translation{Title: strings.TrimSpace(t.Title), Summary: strings.TrimSpace(t.Standfirst),
			Body: strings.ReplaceAll(t.Body, "\r\n", "\n")}
	}
	return st
}

// AdminStoryFormView is the create/edit page.
type AdminStoryFormView struct {
	Page
	Form     StoryForm
	Kinds    []Option
	Displays []Option
	Problems map[string]string
	Action   string
}

func (s *Server) renderStoryForm(w http.ResponseWriter, r *http.Request, status int, f StoryForm, problems map[string]string) {
	v := AdminStoryFormView{Page: s.page(r, "Story"), Form: f, Problems: problems, Action: "/admin/stories/new"}
	if f.ID != 0 {
		v.Action = fmt.Sprintf("/admin/stories/%d/edit", f.ID)
	}
	for _, k := range domain.StoryKinds {
		v.Kinds = append(v.Kinds, Option{Value: k, Label: strings.ReplaceAll(k, "_", " "), Selected: k == f.Kind})
	}
	for _, d := range domain.AuthorDisplays {
		v.Displays = append(v.Displays, Option{Value: d, Label: d, Selected: d == f.AuthorDisplay})
	}
	s.render(w, r, status, "admin_story_form", &v)
}

func (s *Server) handleAdminStoryNew(w http.ResponseWriter, r *http.Request) {
	s.renderStoryForm(w, r, http.StatusOK, StoryForm{Kind: domain.StoryCensored, Language: "en", AuthorDisplay: domain.AuthorAnonymous,
		Translations: []TranslationForm{{Locale: "en"}, {Locale: "ur"}, {Locale: "hi"}}}, nil)
}

func (s *Server) handleAdminStoryEdit(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	st, err := s.opts.Stories.FindStory(r.Context(), userOf(r), id)
	if err != nil {
		s.failObject(w, r, err)
		return
	}
	s.renderStoryForm(w, r, http.StatusOK, storyForm(st), nil)
}

// handleAdminStorySave creates (no id) or updates a story: 303 to its page,
// or the form again with every problem beside its field.
func (s *Server) handleAdminStorySave(w http.ResponseWriter, r *http.Request) {
	f := readStoryForm(r)
	if r.PathValue("id") != "" {
		id, ok := pathID(r)
		if !ok {
			s.notFound(w, r)
			return
		}
		f.ID = id
	}
	st := f.story()
	var err error
	if f.ID == 0 {
		err = s.opts.Stories.CreateStory(r.Context(), userOf(r), st, f.RealName, f.Note)
	} else {
		err = s.opts.Stories.UpdateStory(r.Context(), userOf(r), st, f.RealName, f.Note)
	}
	if err != nil {
		if p := domain.ErrorFields(err); len(p) > 0 {
			f.RealName = "" // never echoed back into a page
			s.renderStoryForm(w, r, http.StatusUnprocessableEntity, f, p)
			return
		}
		s.failObject(w, r, err)
		return
	}
	s.redirect(w, r, fmt.Sprintf("/admin/stories/%d?ok=saved", st.ID))
}

// AdminStoryView is the back-office page of one story.
type AdminStoryView struct {
	Page
	Review     *stories.StoryReview
	Story      *domain.Story
	PublicHref string
	CanEdit    bool
	CanSubmit  bool
	CanReturn  bool
	CanApprove bool
	CanPublish bool
	CanWithdr  bool
	NeedsOther bool
	NeedsSrc   bool
}

func (s *Server) handleAdminStoryShow(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	u := userOf(r)
	rv, err := s.opts.Stories.Review(r.Context(), u, id)
	if err != nil {
		s.failObject(w, r, err)
		return
	}
	st := rv.Story
	v := AdminStoryView{Page: s.page(r, st.Title), Review: rv, Story: st}
	if ok := r.URL.Query().Get("ok"); ok != "" && len(ok) < 20 {
		v.Notice = "Done: " + ok + "."
	}
	if st.PublishedVersion > 0 {
		v.PublicHref = "/stories/" + st.Slug
	}
	can := func(a string) bool { return domain.Can(u.Role, a) }
	v.CanEdit = can(domain.ActionEdit)
	v.CanSubmit = can(domain.ActionSubmit) && st.Publication == domain.PublicationDraft
	v.CanReturn = can(domain.ActionApprove) && st.Publication == domain.PublicationInReview
	v.CanApprove = can(domain.ActionApprove) && st.Publication == domain.PublicationInReview && st.UpdatedBy != u.ID
	v.CanPublish = can(domain.ActionPublish) && st.Publication == domain.PublicationInReview && rv.ApprovedByOther(u.ID) &&
		(st.IntakeReportID == 0 || rv.SourceApproved)
	v.NeedsOther = st.Publication == domain.PublicationInReview && !rv.ApprovedByOther(u.ID)
	v.NeedsSrc = st.IntakeReportID != 0 && !rv.SourceApproved
	v.CanWithdr = can(domain.ActionWithdraw) && st.PublishedVersion > 0 && st.Publication != domain.PublicationWithdrawn
	s.render(w, r, http.StatusOK, "admin_story_show", &v)
}

func (s *Server) storyDone(w http.ResponseWriter, r *http.Request, id int64, err error, ok string) {
	if err != nil {
		s.failObject(w, r, err)
		return
	}
	s.redirect(w, r, fmt.Sprintf("/admin/stories/%d?ok=%s", id, ok))
}

func (s *Server) handleAdminStorySubmit(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.readAction(w, r); ok {
		s.storyDone(w, r, f.ID, s.opts.Stories.Submit(r.Context(), userOf(r), f.ID, f.Version, f.Text), "submitted")
	}
}

func (s *Server) handleAdminStoryReturn(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.readAction(w, r); ok {
		s.storyDone(w, r, f.ID, s.opts.Stories.ReturnToDraft(r.Context(), userOf(r), f.ID, f.Version, f.Text), "returned")
	}
}

func (s *Server) handleAdminStoryApprove(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.readAction(w, r); ok {
		s.storyDone(w, r, f.ID, s.opts.Stories.Approve(r.Context(), userOf(r), f.ID, f.Version, f.Text), "approved")
	}
}

func (s *Server) handleAdminStoryPublish(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.readAction(w, r); ok {
		_, err := s.opts.Stories.Publish(r.Context(), userOf(r), f.ID, f.Version)
		s.storyDone(w, r, f.ID, err, "published")
	}
}

func (s *Server) handleAdminStoryWithdraw(w http.ResponseWriter, r *http.Request) {
	f, ok := s.readAction(w, r)
	if !ok {
		return
	}
	if p := f.Validate(true, "reason readers will see"); len(p) > 0 {
		s.invalid(w, r, p)
		return
	}
	_, err := s.opts.Stories.Withdraw(r.Context(), userOf(r), f.ID, f.Text)
	s.storyDone(w, r, f.ID, err, "withdrawn")
}
