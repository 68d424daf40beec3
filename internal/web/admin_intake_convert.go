package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/intake"
)

// IntakeConvertView is the form that turns a report into a draft incident.
type IntakeConvertView struct {
	Page
	ID       int64
	Facts    *intake.Content
	Title    string
	Country  string
	Category string
	Problems map[string]string
}

// convertFacts are the facts an editor may carry over; contact details
// and the consent to publish a name are never ticked by default.
var convertFacts = []string{"text", "what", "when", "where", "outlet", "category", "contact", "may_publish_name"}

func (s *Server) handleAdminIntakeConvertForm(w http.ResponseWriter, r *http.Request) {
	s.renderIntakeConvert(w, r, http.StatusOK, "", "", "other", nil)
}

func (s *Server) renderIntakeConvert(w http.ResponseWriter, r *http.Request, status int, title, country, category string, problems map[string]string) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	facts, err := s.opts.Intake.Facts(r.Context(), userOf(r), staffOf(r).sess.IDHash, id)
	if err != nil {
		if domain.IsCode(err, domain.EFORBIDDEN) {
			s.redirect(w, r, "/admin/intake/"+strconv.FormatInt(id, 10))
			return
		}
		s.failObject(w, r, err)
		return
	}
	if title == "" {
		title = facts.What
	}
	v := IntakeConvertView{Page: s.page(r, "Convert report"), ID: id, Facts: facts, Title: title, Country: country, Category: category, Problems: problems}
	s.render(w, r, status, "admin_intake_convert", &v)
}

// handleAdminIntakeConvert creates a draft incident from the facts the
// editor ticked and marks the report converted.
func (s *Server) handleAdminIntakeConvert(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	ctx, u := r.Context(), userOf(r)
	facts, err := s.opts.Intake.Facts(ctx, u, staffOf(r).sess.IDHash, id)
	if err != nil {
		s.failObject(w, r, err)
		return
	}
	f := r.PostForm
	title, country, category := strings.TrimSpace(f.Get("title")), strings.ToUpper(strings.TrimSpace(f.Get("country"))), strings.TrimSpace(f.Get("category"))
	carry := map[string]bool{}
	for _, k := range f["fact"] {
		carry[k] = true
	}
	var body strings.Builder
	line := func(key, label, val string) {
		if carry[key] && strings.TrimSpace(val) != "" {
			fmt.Fprintf(&body, "**%s:** %s\n\n", label, val)
		}
	}
	line("what", "What happened", facts.What)
	line("when", "When", facts.When)
	line("where", "Where", facts.Where)
	line("outlet", "Outlet", facts.Outlet)
	line("category", "Category (source's words)", facts.Category)
	line("contact", "Contact (from the source)", facts.Contact)
	if carry["may_publish_name"] && facts.MayPublishName {
		body.WriteString("The source agreed that their name may be published.\n\n")
	}
	if carry["text"] {
		body.WriteString(facts.Text + "\n")
	}
	summary := ""
	if carry["what"] {
		summary = facts.What
	}
	inc := &domain.Incident{Title: title, Summary: summary, Body: body.String(), Country: country,
		DatePrecision: domain.PrecisionUnknown, LocationPrecision: domain.LocationCountry,
		PublicLocationPrecision: domain.LocationCountry, Verification: domain.VerificationUnverified,
		WorkRelated: domain.WorkRelatedUnconfirmed, Sensitivity: domain.SensitivityNormal,
		Violations: []domain.Violation{{Category: category}}}
	if err := s.opts.Service.CreateIncident(ctx, u, inc, fmt.Sprintf("From anonymous report %d", id)); err != nil {
		if domain.IsCode(err, domain.EINVALID) {
			p := map[string]string{}
			for k, m := range domain.ErrorFields(err) {
				switch {
				case k == "title", k == "country":
					p[k] = m
				case strings.HasPrefix(k, "violations"):
					p["category"] = m
				default:
					p["title"] = m
				}
			}
			if len(p) == 0 {
				p["title"] = domain.ErrorMessage(err)
			}
			s.renderIntakeConvert(w, r, http.StatusBadRequest, title, country, category, p)
			return
		}
		s.fail(w, r, err)
		return
	}
	if err := s.opts.Intake.MarkConverted(ctx, u, id, inc.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	s.redirect(w, r, "/admin/incidents/"+strconv.FormatInt(inc.ID, 10))
}
