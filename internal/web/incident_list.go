package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"

	"github.com/presswatch/presswatch/internal/domain"
)

// ListView is the public incident list with its filter form, facets and
// pagination.
type ListView struct {
	Page
	L        *Localizer // Page.L, found without walking the embedded Page (see ShowView)
	Problems map[string]string
	// OtherProblems are the problems of parameters the form has no field
	// for (year, sort, per_page…), shown above the results, by parameter.
	OtherProblems []FieldProblem
	// Cards is the page's incidents, each rendered by the "card" template
	// on its own, so that a static mirror renders a card once and shows it
	// on every list page it belongs to.
	Cards   template.HTML
	Total   int
	Persons int
	Chips   []Chip
	Facets  []FacetGroup
	Form    FilterForm
	Pager   Pager
	Query   template.URL // the filter as a query string (already escaped), for export links
	// Block is the page's block of an anchored list (list_window.go), 0 on
	// the newest page; First and Last are its incidents' positions counted
	// from the oldest.
	Block, First, Last int
	// Anchored: the pager counts blocks from the oldest.
	Anchored bool
	// Unranked: a search too large to rank, listed newest first.
	Unranked bool
	// Aside is the filter form and the facets, rendered from Form and
	// Facets once per filter (listAside).
	Aside template.HTML
}

// FieldProblem is what is wrong with one query parameter.
type FieldProblem struct {
	Field, Message string
}

// formFields are the parameters whose problems the filter form shows next
// to their field.
var formFields = map[string]bool{"q": true, "from": true, "to": true, "page": true}

// otherProblems lists the problems formFields do not show, by parameter.
func otherProblems(problems map[string]string) []FieldProblem {
	var out []FieldProblem
	for f, msg := range problems {
		if !formFields[f] {
			out = append(out, FieldProblem{Field: f, Message: msg})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// Chip is one active filter value with a link that removes it.
type Chip struct {
	Label string
	Href  string
}

// FacetGroup is the counts of one field for the current result.
type FacetGroup struct {
	Name   string
	Title  string
	Values []FacetLink
}

// FacetLink is one value of a facet with a link adding it to the filter.
type FacetLink struct {
	Label  string
	Count  int
	Href   string
	Active bool
}

// Option is one choice of a select.
type Option struct {
	Value    string
	Label    string
	Selected bool
}

// OptGroup groups options under a label.
type OptGroup struct {
	Label   string
	Options []Option
}

// FilterForm holds the choices of the filter form.
type FilterForm struct {
	Q            string
	From, To     string
	Admin1       string
	Country      []Option
	Category     []OptGroup
	ActorType    []Option
	TargetRole   []Option
	Gender       []Option
	Verification []Option
}

// Pager links the pages of a result.
type Pager struct {
	Page, Pages int
	Prev, Next  string
	Links       []PageLink
	// Anchored: pages are blocks counted from the oldest (blockPager).
	Anchored bool
}

// PageLink is one page number (or a gap) of a pager; Label, when set, is
// shown instead of the number.
type PageLink struct {
	N       int
	Href    string
	Current bool
	Gap     bool
	Label   string
}

func (s *Server) handleIncidentList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	l := s.cat.localizer(localeOf(r))
	vocab, terms, err := s.opts.Service.Vocab(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lb := s.labeler(l, vocab)
	v := ListView{Page: s.page(r, l.T("list.title"))}
	v.L = v.Page.L
	f, err := domain.ParseIncidentFilter(r.URL.Query())
	if err != nil {
		if !domain.IsCode(err, domain.EINVALID) {
			s.fail(w, r, err)
			return
		}
		v.Problems = domain.ErrorFields(err)
		v.OtherProblems = otherProblems(v.Problems)
		v.Form = s.filterForm(lb, terms, f, nil)
		aside, err := s.renderPart("incident_list", "list_aside", &v)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		v.Aside = template.HTML(aside) //nolint:gosec // rendered by the template
		s.render(w, r, http.StatusBadRequest, "incident_list", &v)
		return
	}
	res, win, err := s.searchList(ctx, f, r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if win.anchored && win.block > win.blocks {
		// A block the list does not have (yet, or any more after
		// withdrawals): not an empty page claiming positions.
		s.notFound(w, r)
		return
	}
	v.Unranked = res.Unranked
	var cards []byte
	for _, p := range res.Items {
		if cards, err = s.appendCard(cards, lb, p); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if err := s.fillList(ctx, s.ListGeneration(ctx), l, lb, terms, f, win, res.Total, res.Persons, template.HTML(cards), &v); err != nil { //nolint:gosec // rendered by the card template
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "incident_list", &v)
}

// fillList sets what a valid list page shows besides its Page: the totals,
// the cards (already rendered, in order), the chips, the aside and the
// pager, for the page w of the list (list_window.go). The handler and
// ListPage (render_list.go) both call it.
func (s *Server) fillList(ctx context.Context, g ListGeneration, l *Localizer, lb labeler, terms []domain.Term, f domain.IncidentFilter, w listWindow, total, persons int, cards template.HTML, v *ListView) error {
	v.Total, v.Persons = total, persons
	v.Cards = cards
	vals := f.Values()
	v.Query = template.URL(vals.Encode())
	v.Chips = chips(lb, vals, l)
	counts := !w.anchored || w.block == 0
	if err := s.listAside(ctx, g, l, lb, terms, f, vals, counts, v); err != nil {
		return err
	}
	if !w.anchored {
		v.Pager = pager(l, "/incidents", vals, f.Page, (total+f.PerPage-1)/f.PerPage)
		return nil
	}
	v.Anchored = true
	if w.block > 0 {
		v.Block, v.First, v.Last = w.block, w.First(f.PerPage), w.Last(f.PerPage)
	}
	v.Pager = blockPager(l, "/incidents", vals, w)
	return nil
}

// appendCard appends the card of p (the "card" template) to buf.
func (s *Server) appendCard(buf []byte, lb labeler, p *domain.PublicIncident) ([]byte, error) {
	t, ok := s.pages.sets["incident_list"]
	if !ok {
		return buf, fmt.Errorf("web: no template %q", "incident_list")
	}
	w := bytes.NewBuffer(buf)
	if err := t.ExecuteTemplate(w, "card", s.card(lb, p)); err != nil {
		return buf, err
	}
	return w.Bytes(), nil
}

func chips(lb labeler, vals url.Values, l *Localizer) []Chip {
	return chipsFor(lb, vals, l, "/incidents")
}

// chipsFor lists the active filters of vals, each a link to path without it.
func chipsFor(lb labeler, vals url.Values, l *Localizer, path string) []Chip {
	var out []Chip
	for _, p := range domain.FilterParams {
		for _, x := range vals[p.Name] {
			label := lb.Of(p.Name, x)
			switch p.Name {
			case "q":
				label = l.T("filter.chip.q", x)
			case "from":
				label = l.T("filter.chip.from", x)
			case "to":
				label = l.T("filter.chip.to", x)
			}
			out = append(out, Chip{Label: label, Href: l.Path(path) + withParam(vals, p.Name, x, true)})
		}
	}
	return out
}

func facetGroups(lb labeler, l *Localizer, vals url.Values, facets *domain.Facets) []FacetGroup {
	var out []FacetGroup
	for _, name := range domain.FacetFields {
		counts := facets.Fields[name]
		if len(counts) == 0 {
			continue
		}
		g := FacetGroup{Name: name, Title: l.T("facet." + name)}
		for i, c := range counts {
			if i == 12 {
				break
			}
			active := false
			for _, x := range vals[name] {
				active = active || x == c.Value
			}
			g.Values = append(g.Values, FacetLink{Label: lb.Of(name, c.Value), Count: c.Count, Active: active,
				Href: l.Path("/incidents") + withParam(vals, name, c.Value, active)})
		}
		out = append(out, g)
	}
	return out
}

func options(values []string, selected []string, label func(string) string) []Option {
	var out []Option
	for _, v := range values {
		sel := false
		for _, x := range selected {
			sel = sel || x == v
		}
		out = append(out, Option{Value: v, Label: label(v), Selected: sel})
	}
	return out
}

func vocabCodes(terms []domain.Term, vocab string) []string {
	var out []string
	for _, t := range terms {
		if t.Vocab == vocab && t.Active {
			out = append(out, t.Code)
		}
	}
	return out
}

// categoryGroups lists active categories under their families.
func categoryGroups(lb labeler, terms []domain.Term, selected []string) []OptGroup {
	var out []OptGroup
	for _, fam := range domain.CategoryFamilies {
		var codes []string
		for _, t := range terms {
			if t.Vocab == domain.VocabCategory && t.Active && t.Family == fam {
				codes = append(codes, t.Code)
			}
		}
		if len(codes) > 0 {
			out = append(out, OptGroup{Label: lb.Of("family", fam),
				Options: options(codes, selected, func(c string) string { return lb.Of("category", c) })})
		}
	}
	return out
}

func (s *Server) filterForm(lb labeler, terms []domain.Term, f domain.IncidentFilter, facets *domain.Facets) FilterForm {
	ff := FilterForm{Q: f.Q, From: f.From, To: f.To}
	if len(f.Admin1) > 0 {
		ff.Admin1 = f.Admin1[0]
	}
	countries := append([]string(nil), f.Country...)
	if facets != nil {
		for _, c := range facets.Fields["country"] {
			found := false
			for _, x := range countries {
				found = found || x == c.Value
			}
			if !found {
				countries = append(countries, c.Value)
			}
		}
	}
	sort.Slice(countries, func(i, j int) bool { return lb.Country(countries[i]) < lb.Country(countries[j]) })
	ff.Country = options(countries, f.Country, lb.Country)
	ff.Category = categoryGroups(lb, terms, f.Category)
	label := func(field string) func(string) string { return func(c string) string { return lb.Of(field, c) } }
	ff.ActorType = options(vocabCodes(terms, domain.VocabActorType), f.ActorType, label("actor_type"))
	ff.TargetRole = options(vocabCodes(terms, domain.VocabTargetRole), f.TargetRole, label("target_role"))
	ff.Gender = options(vocabCodes(terms, domain.VocabGender), f.Gender, label("gender"))
	ff.Verification = options(domain.Verifications, f.Verification, label("verification"))
	return ff
}

// pageHref is the link to page n (none: 0) of the list at base with vals.
func pageHref(base string, vals url.Values, n int) string {
	q := url.Values{}
	for k, v := range vals {
		q[k] = v
	}
	if n > 0 {
		q.Set("page", itoa(n))
	}
	if len(q) == 0 {
		return base
	}
	return base + "?" + q.Encode()
}

// pager builds page links: first, last, and two either side of the current.
func pager(l *Localizer, path string, vals url.Values, page, pages int) Pager {
	p := Pager{Page: page, Pages: pages}
	if pages <= 1 {
		return p
	}
	href := func(n int) string {
		if n == 1 {
			n = 0
		}
		return pageHref(l.Path(path), vals, n)
	}
	if page > 1 {
		p.Prev = href(page - 1)
	}
	if page < pages {
		p.Next = href(page + 1)
	}
	last := 0
	for n := 1; n <= pages; n++ {
		if n != 1 && n != pages && (n < page-2 || n > page+2) {
			continue
		}
		if last != 0 && n > last+1 {
			p.Links = append(p.Links, PageLink{Gap: true})
		}
		p.Links = append(p.Links, PageLink{N: n, Href: href(n), Current: n == page})
		last = n
	}
	return p
}
