package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
)

// IncidentFormView is the back-office create/edit form.
type IncidentFormView struct {
	Page
	New      bool
	Action   string
	Inc      *domain.Incident
	Note     string
	LatRaw   string
	LonRaw   string
	Tags     string
	Related  string
	Trans    []TransRow
	Problems map[string]string
	Problem  string
	Opts     FormOptions
}

// TransRow is the translation of an incident into one locale.
type TransRow struct {
	Locale, Name string
	domain.Translation
}

// FormOptions are the choices of the incident form's selects.
type FormOptions struct {
	Categories     []OptGroup
	ActorTypes     []Option
	TargetRoles    []Option
	Genders        []Option
	SourceKinds    []Option
	Precisions     []Option
	Locations      []Option
	Verifications  []Option
	WorkRelations  []Option
	Sensitivities  []Option
	TargetKinds    []Option
	Attributions   []Option
	Employments    []Option
	Visibilities   []Option
	BlockMethods   []Option
	DetentionCodes string
}

func (s *Server) formOptions(lb labeler, terms []domain.Term) FormOptions {
	plain := func(vals []string, field string) []Option {
		return options(vals, nil, func(c string) string { return lb.Of(field, c) })
	}
	raw := func(vals []string) []Option {
		return options(vals, nil, func(c string) string { return strings.ReplaceAll(c, "_", " ") })
	}
	return FormOptions{
		Categories:     categoryGroups(lb, terms, nil),
		ActorTypes:     plain(vocabCodes(terms, domain.VocabActorType), "actor_type"),
		TargetRoles:    plain(vocabCodes(terms, domain.VocabTargetRole), "target_role"),
		Genders:        plain(vocabCodes(terms, domain.VocabGender), "gender"),
		SourceKinds:    plain(vocabCodes(terms, domain.VocabSourceKind), "source_kind"),
		Precisions:     raw(domain.DatePrecisions),
		Locations:      raw(domain.LocationPrecisions),
		Verifications:  plain(domain.Verifications, "verification"),
		WorkRelations:  plain(domain.WorkRelations, "work_related"),
		Sensitivities:  raw(domain.Sensitivities),
		TargetKinds:    plain(domain.TargetKinds, "target_kind"),
		Attributions:   plain(domain.Attributions, "attribution"),
		Employments:    plain(domain.Employments, "employment"),
		Visibilities:   raw(domain.Visibilities),
		BlockMethods:   plain(domain.BlockMethods, "block_method"),
		DetentionCodes: strings.Join(domain.DetentionStatuses, ", "),
	}
}

// renderIncidentForm shows inc (padded with empty rows) with problems.
func (s *Server) renderIncidentForm(w http.ResponseWriter, r *http.Request, status int, inc *domain.Incident, f *incidentForm, problems map[string]string, problem string) {
	_, terms, err := s.opts.Service.Vocab(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l := s.cat.localizer(localeOf(r))
	vocab := domain.NewVocabSet(terms)
	title := "New incident"
	action := "/admin/incidents/new"
	if inc.ID != 0 {
		title = "Edit " + inc.Ref
		action = fmt.Sprintf("/admin/incidents/%d/edit", inc.ID)
	}
	v := IncidentFormView{Page: s.page(r, title), New: inc.ID == 0, Action: action, Problems: problems, Problem: problem,
		Opts: s.formOptions(s.labeler(l, vocab), terms), Tags: strings.Join(inc.Tags, ", "), Related: strings.Join(inc.Related, ", ")}
	if f != nil {
		v.Note, v.LatRaw, v.LonRaw = f.Note, f.LatRaw, f.LonRaw
	} else {
		if inc.Lat != nil {
			v.LatRaw = strconv.FormatFloat(*inc.Lat, 'f', -1, 64)
		}
		if inc.Lon != nil {
			v.LonRaw = strconv.FormatFloat(*inc.Lon, 'f', -1, 64)
		}
	}
	for _, loc := range domain.Locales {
		if loc != "en" {
			v.Trans = append(v.Trans, TransRow{Locale: loc, Name: s.cat.localizer(loc).T("lang.name"), Translation: inc.Translations[loc]})
		}
	}
	shown := *inc
	shown.Violations = append([]domain.Violation(nil), inc.Violations...)
	for i := range shown.Violations {
		shown.Violations[i].Actors = append([]domain.Actor(nil), shown.Violations[i].Actors...)
		shown.Violations[i].Targets = append([]domain.Target(nil), shown.Violations[i].Targets...)
	}
	shown.Sources = append([]domain.Source(nil), inc.Sources...)
	shown.Timeline = append([]domain.Update(nil), inc.Timeline...)
	add := ""
	if f != nil {
		add = f.Add
	}
	padRows(&shown, add)
	v.Inc = &shown
	s.render(w, r, status, "admin_incident_form", &v)
}

func (s *Server) handleAdminIncidentNew(w http.ResponseWriter, r *http.Request) {
	inc := &domain.Incident{DatePrecision: domain.PrecisionDay, LocationPrecision: domain.LocationCity,
		PublicLocationPrecision: domain.LocationCity, Verification: domain.VerificationUnverified,
		WorkRelated: domain.WorkRelatedUnconfirmed, Sensitivity: domain.SensitivityNormal}
	s.renderIncidentForm(w, r, http.StatusOK, inc, nil, nil, "")
}

func (s *Server) handleAdminIncidentEdit(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	inc, err := s.opts.Service.FindIncident(r.Context(), userOf(r), id)
	if err != nil {
		s.failObject(w, r, err)
		return
	}
	s.renderIncidentForm(w, r, http.StatusOK, inc, nil, nil, "")
}

// pathID reads the {id} of a back-office object route.
func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}
