package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
)

// ShowView is the public page of one incident.
type ShowView struct {
	Page
	// L is Page.L, again as a field of the view: text/template looks a
	// field up by name on every use, and a field of the embedded Page costs
	// a walk of the embedded structs each time (a page uses .L some 25 times).
	L            *Localizer
	Ref          string
	Title        string
	Summary      string
	Body         template.HTML
	Date         string
	Place        string
	Verification string
	WorkRelated  string
	Violations   []ViolationView
	Sources      []SourceView
	Timeline     []UpdateView
	Tags         []string
	Related      []Chip
	Stories      []StoryCard // published stories that name this incident
	Withdrawn    bool
	Reason       string
	Published    string
	Updated      string
	Revision     int
	JSONHref     string
	InLog        bool   // the record's latest log entry is integrated
	LogIndex     int64  // its leaf index
	LogContent   string // path of the public content that entry hashes
	Demo         bool
	Untranslated bool
	// "en" when that text is the English original on an Urdu or Hindi
	// page (marked lang="en" dir="ltr").
	TitleLang, SummaryLang, BodyLang string
}

// ViolationView is one violation as readers see it.
type ViolationView struct {
	Category    string
	Description string
	Targets     []TargetView
	Actors      []ActorView
	Details     []Detail
}

// TargetView is one target as readers see it.
type TargetView struct {
	Name     string
	Withheld bool
	Facts    []string
}

// ActorView is one actor with its attribution.
type ActorView struct {
	Type        string
	Name        string
	Attribution string
}

// Detail is a labelled fact of a violation.
type Detail struct {
	Label string
	Value string
}

// SourceView is one public source.
type SourceView struct {
	Kind      string
	Title     string
	URL       string
	Publisher string
	Date      string
	CaptureID int64 // the capture of the source's page (evidence), 0 when none
}

// UpdateView is one entry of the timeline.
type UpdateView struct {
	Date string
	Text string
}

func (s *Server) handleIncidentShow(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("ref")
	if strings.HasSuffix(ref, ".json") {
		s.handleIncidentJSON(w, r, strings.TrimSuffix(ref, ".json"))
		return
	}
	ctx := r.Context()
	if !domain.ValidRef(ref) {
		s.notFound(w, r)
		return
	}
	p, err := s.opts.Public.FindPublic(ctx, ref)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	vocab, _, err := s.opts.Service.Vocab(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.incidentView(r, vocab, p)
	s.render(w, r, http.StatusOK, "incident_show", &v)
}

// incidentView is the page of p as the request r (its locale and path)
// shows it; IncidentPage renders the same view without a request.
func (s *Server) incidentView(r *http.Request, vocab domain.VocabSet, p *domain.PublicIncident) ShowView {
	l := s.cat.localizer(localeOf(r))
	lb := s.labeler(l, vocab)
	title, translated := p.TitleIn(l.Locale)
	v := ShowView{
		Page: s.page(r, title), Ref: p.Ref, Title: title, Summary: p.SummaryIn(l.Locale),
		Body: s.bodies.markdown(s, p.BodyIn(l.Locale)), Date: lb.DateRange(p.DateStart, p.DateEnd, p.DatePrecision),
		Place: lb.Place(p), Verification: lb.Of("verification", p.Verification),
		WorkRelated: lb.Of("work_related", p.WorkRelated), Tags: p.Tags,
		Withdrawn: p.Status == domain.PublicationWithdrawn, Reason: p.WithdrawalReason,
		Published: lb.Time(p.FirstPublishedAt), Updated: lb.Time(p.UpdatedAt), Revision: p.Revision,
		JSONHref: "/incidents/" + p.Ref + ".json", Demo: p.Demo, Untranslated: !translated,
		TitleLang: fallbackLang(p, l.Locale, trTitle), SummaryLang: fallbackLang(p, l.Locale, trSummary),
		BodyLang: fallbackLang(p, l.Locale, trBody),
	}
	if p.LogIndex != nil {
		v.InLog, v.LogIndex = true, *p.LogIndex
		v.LogContent = "/incidents/" + p.Ref + "/content/" + p.ContentHash() + ".json"
	}
	for _, rel := range p.Related {
		v.Related = append(v.Related, Chip{Label: rel, Href: l.Path("/incidents/" + rel)})
	}
	for _, vi := range p.Violations {
		v.Violations = append(v.Violations, violationView(lb, vi))
	}
	for _, src := range p.Sources {
		sv := SourceView{Kind: lb.Of("source_kind", src.Kind), Title: src.Title, Publisher: src.Publisher, CaptureID: src.CaptureID}
		if domain.ValidWebURL(src.URL) {
			sv.URL = src.URL
		}
		if src.Date != "" {
			sv.Date = lb.Date(src.Date, domain.PrecisionDay)
		}
		v.Sources = append(v.Sources, sv)
	}
	for _, u := range p.Timeline {
		v.Timeline = append(v.Timeline, UpdateView{Date: lb.Date(u.Date, domain.PrecisionDay), Text: u.Text})
	}
	v.Stories = s.incidentStories(r, l, p.Ref)
	v.L = v.Page.L
	return v
}

func violationView(lb labeler, vi domain.Violation) ViolationView {
	l := lb.l
	vv := ViolationView{Category: lb.Of("category", vi.Category), Description: vi.Description}
	for _, t := range vi.Targets {
		tv := TargetView{Name: t.Name}
		if t.Kind == domain.TargetPerson && (t.NameWithheld || t.Name == "") {
			tv.Name, tv.Withheld = l.T("target.withheld"), true
		}
		if t.Kind != domain.TargetPerson {
			tv.Facts = append(tv.Facts, lb.Of("target_kind", t.Kind))
		}
		if t.Role != "" {
			tv.Facts = append(tv.Facts, lb.Of("target_role", t.Role))
		}
		if t.Gender != "" && t.Gender != "unknown" {
			tv.Facts = append(tv.Facts, lb.Of("gender", t.Gender))
		}
		if t.Employment != "" && t.Employment != domain.EmploymentUnknown {
			tv.Facts = append(tv.Facts, lb.Of("employment", t.Employment))
		}
		if t.Foreign {
			tv.Facts = append(tv.Facts, l.T("target.foreign"))
		}
		if t.Outlet != "" {
			tv.Facts = append(tv.Facts, t.Outlet)
		}
		if t.URL != "" {
			tv.Facts = append(tv.Facts, t.URL)
		}
		vv.Targets = append(vv.Targets, tv)
	}
	for _, a := range vi.Actors {
		vv.Actors = append(vv.Actors, ActorView{Type: lb.Of("actor_type", a.Type), Name: a.Name,
			Attribution: lb.Of("attribution", a.Attribution)})
	}
	d := vi.Details
	add := func(key, val string) {
		if val != "" {
			vv.Details = append(vv.Details, Detail{Label: l.T(key), Value: val})
		}
	}
	add("detail.charges", d.Charges)
	for _, st := range d.DetentionStatus {
		add("detail.detention_status", lb.Date(st.Date, domain.PrecisionDay)+": "+l.T("detention."+st.Status))
	}
	add("detail.domain", d.Domain)
	add("detail.isps", strings.Join(d.ISPs, l.T("list.sep")))
	if d.BlockMethod != "" {
		add("detail.block_method", lb.Of("block_method", d.BlockMethod))
	}
	for _, m := range d.MeasurementURLs {
		add("detail.measurement", m)
	}
	add("detail.content_url", d.ContentURL)
	if d.RemovedOn != "" {
		add("detail.removed_on", lb.Date(d.RemovedOn, domain.PrecisionDay))
	}
	if d.Restored {
		add("detail.restored", l.T("yes"))
	}
	return vv
}

func itoa(n int) string { return strconv.Itoa(n) }
