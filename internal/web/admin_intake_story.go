package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/intake"
)

// IntakeStoryView is the form that makes a draft story from a report.
type IntakeStoryView struct {
	Page
	ID            int64
	Facts         *intake.Content
	Files         []*intake.AttachmentView
	Title         string
	Kind          string
	Language      string
	AuthorDisplay string
	AuthorName    string
	Kinds         []Option
	Displays      []Option
	Problems      map[string]string
}

// intakeStoryForm is what the editor posted (or the defaults).
type intakeStoryForm struct {
	title, kind, language, display, authorName string
}

func (s *Server) handleAdminIntakeStoryForm(w http.ResponseWriter, r *http.Request) {
	s.renderIntakeStory(w, r, http.StatusOK, intakeStoryForm{kind: domain.StoryTestimony, language: "en", display: domain.AuthorAnonymous}, nil)
}

func (s *Server) renderIntakeStory(w http.ResponseWriter, r *http.Request, status int, f intakeStoryForm, problems map[string]string) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	ctx, u, key := r.Context(), userOf(r), staffOf(r).sess.IDHash
	facts, err := s.opts.Intake.Facts(ctx, u, key, id)
	if err != nil {
		if domain.IsCode(err, domain.EFORBIDDEN) {
			s.redirect(w, r, "/admin/intake/"+strconv.FormatInt(id, 10))
			return
		}
		s.failObject(w, r, err)
		return
	}
	rv, err := s.opts.Intake.Report(ctx, u, key, id)
	if err != nil {
		s.failObject(w, r, err)
		return
	}
	if f.title == "" {
		f.title = facts.What
	}
	v := IntakeStoryView{Page: s.page(r, "Make a draft story"), ID: id, Facts: facts, Files: reportFiles(rv), Title: f.title,
		Kind: f.kind, Language: f.language, AuthorDisplay: f.display, AuthorName: f.authorName,
		Problems: problems}
	label := func(v string) string { return strings.ReplaceAll(v, "_", " ") }
	v.Kinds = options(domain.StoryKinds, []string{f.kind}, label)
	v.Displays = options(domain.AuthorDisplays, []string{f.display}, label)
	s.render(w, r, status, "admin_intake_story", &v)
}

// reportFiles lists a report's attachments that still have their blob.
func reportFiles(rv *intake.ReportView) []*intake.AttachmentView {
	var out []*intake.AttachmentView
	for _, m := range rv.Messages {
		for _, a := range m.Files {
			if !a.Missing {
				out = append(out, a)
			}
		}
	}
	return out
}

// handleAdminIntakeStory makes a draft story from the facts and files the
// editor ticked (contact details never by default), then marks the report
// converted so retention keeps it: the story's files are references to the
// report's sealed originals (see docs/stories.md).
func (s *Server) handleAdminIntakeStory(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	ctx, u, key := r.Context(), userOf(r), staffOf(r).sess.IDHash
	facts, err := s.opts.Intake.Facts(ctx, u, key, id)
	if err != nil {
		s.failObject(w, r, err)
		return
	}
	rv, err := s.opts.Intake.Report(ctx, u, key, id)
	if err != nil {
		s.failObject(w, r, err)
		return
	}
	p := r.PostForm
	form := intakeStoryForm{title: strings.TrimSpace(p.Get("title")), kind: p.Get("kind"), language: strings.TrimSpace(p.Get("language")),
		display: p.Get("author_display"), authorName: strings.TrimSpace(p.Get("author_name"))}
	carry := map[string]bool{}
	for _, k := range p["fact"] {
		carry[k] = true
	}
	var body strings.Builder
	line := func(key, label, val string) {
		if carry[key] && strings.TrimSpace(val) != "" {
			fmt.Fprintf(&body, "**%s:** %s\n\n", label, val)
		}
	}
	line("when", "When", facts.When)
	line("where", "Where", facts.Where)
	line("outlet", "Outlet", facts.Outlet)
	line("contact", "Contact (from the source)", facts.Contact)
	if carry["text"] {
		body.WriteString(facts.Text + "\n")
	}
	if strings.TrimSpace(body.String()) == "" { // nothing carried: the editors write it
		fmt.Fprintf(&body, "_(Draft from report %d: write the story here.)_\n", id)
	}
	st := &domain.Story{Kind: form.kind, Title: form.title, Body: body.String(), Language: form.language,
		AuthorDisplay: form.display, AuthorName: form.authorName}
	if carry["what"] {
		st.Standfirst = facts.What
	}
	if carry["outlet"] {
		st.RefusingOutlet = facts.Outlet
	}
	var chosen []int64
	for _, v := range p["file"] {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			chosen = append(chosen, n)
		}
	}
	for _, a := range reportFiles(rv) {
		if slices.Contains(chosen, a.ID) {
			st.IntakeFiles = append(st.IntakeFiles, domain.IntakeFileRef{AttachmentID: a.ID, BlobSHA256: a.BlobSHA256,
				PlaintextSHA256: a.PlaintextSHA256, Size: a.Size})
		}
	}
	if err := s.opts.Stories.FromIntake(ctx, u, id, st, p.Get("real_name"), fmt.Sprintf("From anonymous report %d", id)); err != nil {
		if domain.IsCode(err, domain.EINVALID) {
			problems := domain.ErrorFields(err)
			if len(problems) == 0 {
				problems = map[string]string{"title": domain.ErrorMessage(err)}
			}
			s.renderIntakeStory(w, r, http.StatusBadRequest, form, problems)
			return
		}
		s.failObject(w, r, err)
		return
	}
	if rv.Report.Status != domain.IntakeConverted { // keep an incident link already there
		if err := s.opts.Intake.MarkConverted(ctx, u, id, 0); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.redirect(w, r, "/admin/stories/"+strconv.FormatInt(st.ID, 10))
}
