// Package demo fills an empty instance with a realistic but fictional data
// set, so that a new installation shows what presswatch does. Every person
// and outlet name is invented, every incident is marked as demo data, and
// every title says so.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/editorial"
)

// Options control the size of the demo set.
type Options struct {
	Incidents int       // default 240
	Seed      uint64    // default 2024
	Now       time.Time // default: the service clock
}

// Result says what Seed created.
type Result struct {
	Incidents     int
	AdminEmail    string
	AdminPassword string
}

// Seed creates demo users and publishes incidents through the editorial
// workflow (an editor writes, a reviewer approves, the editor publishes). It
// does nothing when the instance already has users.
func Seed(ctx context.Context, svc *editorial.Service, opt Options) (Result, error) {
	if n, err := svc.Users.CountUsers(ctx); err != nil || n > 0 {
		return Result{}, err
	}
	if opt.Incidents == 0 {
		opt.Incidents = 240
	}
	if opt.Seed == 0 {
		opt.Seed = 2024
	}
	if opt.Now.IsZero() {
		opt.Now = svc.Now()
	}
	res := Result{AdminEmail: "admin@demo.invalid", AdminPassword: editorial.NewPassword()}
	if _, err := svc.CreateUser(ctx, nil, res.AdminEmail, "Demo admin", domain.RoleAdmin, res.AdminPassword); err != nil {
		return res, err
	}
	editor, err := svc.CreateUser(ctx, nil, "editor@demo.invalid", "Demo editor", domain.RoleEditor, editorial.NewPassword())
	if err != nil {
		return res, err
	}
	reviewer, err := svc.CreateUser(ctx, nil, "reviewer@demo.invalid", "Demo reviewer", domain.RoleReviewer, editorial.NewPassword())
	if err != nil {
		return res, err
	}
	vocab, _, err := svc.Vocab(ctx)
	if err != nil {
		return res, err
	}
	g := &generator{r: rand.New(rand.NewPCG(opt.Seed, 7)), now: opt.Now, vocab: vocab}
	for i := 0; i < opt.Incidents; i++ {
		inc := g.incident(i)
		if err := svc.CreateIncident(ctx, editor, inc, "Demo data"); err != nil {
			return res, fmt.Errorf("demo incident %d: %w", i, err)
		}
		if err := svc.Submit(ctx, editor, inc.ID, inc.Version, ""); err != nil {
			return res, err
		}
		if err := svc.Approve(ctx, reviewer, inc.ID, inc.Version, "Checked against the sources (demo)."); err != nil {
			return res, err
		}
		if _, err := svc.Publish(ctx, editor, inc.ID, inc.Version); err != nil {
			return res, err
		}
		res.Incidents++
	}
	return res, nil
}

type generator struct {
	r     *rand.Rand
	now   time.Time
	vocab domain.VocabSet
}

func (g *generator) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

func (g *generator) place() place {
	total := 0
	for _, w := range countryWeight {
		total += w
	}
	n := g.r.IntN(total)
	country := "PK"
	for _, c := range []string{"PK", "IN", "BD", "AF", "NP", "LK"} {
		if n < countryWeight[c] {
			country = c
			break
		}
		n -= countryWeight[c]
	}
	var in []place
	for _, p := range places {
		if p.country == country {
			in = append(in, p)
		}
	}
	return in[g.r.IntN(len(in))]
}

func (g *generator) person() string {
	return g.pick(givenNames) + " " + g.pick(familyNames)
}

func (g *generator) incident(i int) *domain.Incident {
	sc := scenarios[g.r.IntN(len(scenarios))]
	pl := g.place()
	// Spread over seven years, more recent years busier.
	days := int(g.r.ExpFloat64() * 700)
	if days > 7*365 {
		days = g.r.IntN(7 * 365)
	}
	date := g.now.AddDate(0, 0, -days-1)
	prec := domain.PrecisionDay
	if g.r.IntN(12) == 0 {
		prec = domain.PrecisionMonth
	}
	name, outlet := g.person(), g.pick(outletNames)
	fill := func(s string) string {
		return strings.NewReplacer("{name}", name, "{outlet}", outlet, "{city}", pl.city).Replace(s)
	}
	lat, lon := pl.lat+g.r.Float64()*0.05-0.025, pl.lon+g.r.Float64()*0.05-0.025
	inc := &domain.Incident{
		Title:                   fill(sc.title) + " (demo)",
		Summary:                 fill(sc.summary) + " This incident is fictional demo data.",
		Body:                    fill(sc.body) + "\n\n*This record is part of presswatch's fictional demo data set; the people and outlets named do not exist.*",
		DateStart:               date.Format("2006-01-02"),
		DatePrecision:           prec,
		Country:                 pl.country,
		Admin1:                  pl.admin1,
		District:                pl.district,
		City:                    pl.city,
		Lat:                     &lat,
		Lon:                     &lon,
		LocationPrecision:       domain.LocationExact,
		PublicLocationPrecision: domain.LocationCity,
		Verification:            g.pick([]string{"confirmed", "confirmed", "corroborated", "corroborated", "unverified", "disputed"}),
		WorkRelated:             g.pick([]string{"confirmed", "confirmed", "unconfirmed"}),
		Sensitivity:             domain.SensitivityNormal,
		Tags:                    append([]string(nil), sc.tags...),
		Demo:                    true,
	}
	if sc.urTitle != "" {
		inc.Translations = map[string]domain.Translation{
			"ur": {Title: fill(sc.urTitle) + " (ڈیمو)"},
			"hi": {Title: fill(sc.hiTitle) + " (डेमो)"},
		}
	}
	if g.r.IntN(10) == 0 {
		inc.Sensitivity = domain.SensitivityProtectIdentity
	}
	gender := g.pick([]string{"man", "man", "woman", "woman", "unknown"})
	for k, cat := range sc.categories {
		v := domain.Violation{Category: cat}
		for _, a := range sc.actors {
			v.Actors = append(v.Actors, domain.Actor{Type: a, Attribution: g.pick([]string{"confirmed", "suspected", "alleged"})})
		}
		if k == 0 {
			switch sc.target {
			case domain.TargetOutlet:
				v.Targets = []domain.Target{{Kind: domain.TargetOutlet, Name: outlet, Role: "outlet"}}
			case domain.TargetWebsite:
				host := strings.ToLower(strings.ReplaceAll(outlet, " ", "")) + ".example"
				v.Targets = []domain.Target{{Kind: domain.TargetWebsite, Name: outlet, URL: "https://" + host + "/"}}
				v.Details.Domain = host
				v.Details.ISPs = []string{"PTCL", "Jazz", "Zong"}
				v.Details.BlockMethod = g.pick([]string{domain.BlockDNS, domain.BlockSNI, domain.BlockHTTPFailure})
			default:
				v.Targets = []domain.Target{{Kind: domain.TargetPerson, Name: name, Gender: gender,
					Role: g.pick(sc.roles), Employment: g.pick([]string{"staff", "freelance"}), Outlet: outlet}}
				if g.r.IntN(4) == 0 {
					second := g.person()
					v.Targets = append(v.Targets, domain.Target{Kind: domain.TargetPerson, Name: second,
						Gender: g.pick([]string{"man", "woman"}), Role: "camera_operator", Employment: "staff", Outlet: outlet})
				}
			}
			if cat == "content_removed" {
				v.Details.ContentURL = "https://" + strings.ToLower(strings.ReplaceAll(outlet, " ", "")) + ".example/2024/story"
				v.Details.RemovedOn = inc.DateStart
			}
		}
		inc.Violations = append(inc.Violations, v)
	}
	inc.Sources = []domain.Source{{Kind: "news_report", Title: fill("Report by {outlet}"),
		URL: fmt.Sprintf("https://news.example/demo/%d", i), Publisher: outlet, Date: inc.DateStart, Visibility: domain.VisibilityPublic}}
	if g.r.IntN(3) == 0 {
		inc.Sources = append(inc.Sources, domain.Source{Kind: "testimony", Title: "Interview with the journalist (kept internal)", Visibility: domain.VisibilityInternal})
	}
	if g.r.IntN(4) == 0 {
		when := date.AddDate(0, 0, 3+g.r.IntN(30))
		if when.After(g.now) {
			when = g.now
		}
		inc.Timeline = []domain.Update{{Date: when.Format("2006-01-02"), Text: sc.update}}
	}
	if inc.DatePrecision == domain.PrecisionMonth {
		inc.DateStart = date.Format("2006-01")
	}
	return inc
}
