package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
)

// VocabView lists every vocabulary's terms, each with its own small form,
// and a form to add a term.
type VocabView struct {
	Page
	Groups   []VocabGroup
	Families []Option
	Vocabs   []Option
	Problems map[string]string
	Problem  string
	New      domain.Term
}

// VocabGroup is one vocabulary's terms.
type VocabGroup struct {
	Name  string
	Terms []domain.Term
}

func (s *Server) handleAdminVocab(w http.ResponseWriter, r *http.Request) {
	s.renderVocab(w, r, http.StatusOK, domain.Term{Vocab: domain.VocabCategory, Active: true}, nil, "")
}

func (s *Server) renderVocab(w http.ResponseWriter, r *http.Request, status int, nt domain.Term, problems map[string]string, problem string) {
	_, terms, err := s.opts.Service.Vocab(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := VocabView{Page: s.page(r, "Vocabularies"), Problems: problems, Problem: problem, New: nt,
		Families: options(domain.CategoryFamilies, nil, func(c string) string { return c }),
		Vocabs:   options(domain.Vocabularies, nil, func(c string) string { return strings.ReplaceAll(c, "_", " ") })}
	v.Notice = notice(r)
	for _, name := range domain.Vocabularies {
		g := VocabGroup{Name: name}
		for _, t := range terms {
			if t.Vocab == name {
				g.Terms = append(g.Terms, t)
			}
		}
		v.Groups = append(v.Groups, g)
	}
	s.render(w, r, status, "admin_vocab", &v)
}

func (s *Server) handleAdminVocabSave(w http.ResponseWriter, r *http.Request) {
	pf := r.PostForm
	t := domain.Term{Vocab: pf.Get("vocab"), Code: strings.TrimSpace(pf.Get("code")), Family: pf.Get("family"),
		Active: pf.Get("active") != "", Labels: map[string]string{}}
	if t.Vocab != domain.VocabCategory {
		t.Family = ""
	}
	for _, loc := range domain.Locales {
		if l := strings.TrimSpace(pf.Get("label_" + loc)); l != "" {
			t.Labels[loc] = l
		}
	}
	if n, err := strconv.Atoi(pf.Get("sort")); err == nil {
		t.Sort = n
	}
	err := s.opts.Service.SaveTerm(r.Context(), userOf(r), t)
	switch domain.ErrorCode(err) {
	case "":
		s.redirect(w, r, "/admin/vocab?ok=term")
	case domain.EINVALID:
		s.renderVocab(w, r, http.StatusBadRequest, t, domain.ErrorFields(err), "The term "+t.Code+" was not saved: "+domain.ErrorMessage(err))
	default:
		s.fail(w, r, err)
	}
}
