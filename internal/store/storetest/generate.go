package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/store"
)

var (
	genCountries = []struct {
		cc     string
		admin1 []string
	}{
		{"PK", []string{"PK-PB", "PK-SD", "PK-KP", "PK-BA", "PK-IS"}},
		{"IN", []string{"IN-DL", "IN-MH", "IN-UP", "IN-JK", "IN-KA"}},
		{"BD", []string{"BD-13", "BD-10"}},
		{"AF", []string{""}},
		{"LK", []string{"LK-1", ""}},
	}
	genCategories = []string{"arrest_detention", "physical_assault", "website_blocked", "threat", "content_removed",
		"criminal_case", "abduction", "online_harassment", "broadcast_ban_off_air", "killing"}
	genActors  = []string{"police", "military_intelligence", "regulator", "judiciary", "mob", "unknown", "political_party"}
	genRoles   = []string{"reporter", "editor", "photojournalist", "anchor_presenter", "columnist"}
	genGenders = []string{"woman", "man", "unknown"}
	genVerif   = domain.Verifications
	genWords   = []string{"journalist", "reporter", "newspaper", "channel", "arrested", "beaten", "blocked", "website",
		"court", "police", "threatened", "protest", "election", "column", "broadcast", "licence", "raid", "office"}
	genOutlets = []string{"Daily Dawn Herald", "Khabar TV", "Sach News", "The Frontier Post", "Awaz Radio"}
	genNames   = []string{"Ayesha Malik", "Rahul Verma", "Imran Qureshi", "Sana Baloch", "Arjun Nair", "Fatima Noor"}
)

// GeneratePublic returns n deterministic, realistic-looking published
// incidents (fictional, marked Demo) for seeding tests and benchmarks.
// Every 7th has an Urdu translation containing "صحافی" and every 11th a
// Hindi one containing "पत्रकार". Refs are left empty (SeedPublic assigns
// them).
func GeneratePublic(n int, seed uint64) []*domain.PublicIncident {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	base := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	out := make([]*domain.PublicIncident, n)
	for i := range out {
		c := genCountries[r.IntN(len(genCountries))]
		year := 2015 + r.IntN(11)
		date := time.Date(year, time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		p := &domain.PublicIncident{
			Status:            domain.PublicationPublished,
			Title:             fmt.Sprintf("%s %s in %s (%d)", genWords[r.IntN(len(genWords))], genWords[r.IntN(len(genWords))], c.cc, i),
			Summary:           fmt.Sprintf("A %s was %s by %s.", genWords[r.IntN(len(genWords))], genWords[r.IntN(len(genWords))], genWords[r.IntN(len(genWords))]),
			Body:              "Fictional demo record. " + genWords[r.IntN(len(genWords))] + " " + genWords[r.IntN(len(genWords))],
			DatePrecision:     domain.PrecisionDay,
			DateStart:         date.Format("2006-01-02"),
			Country:           c.cc,
			Admin1:            c.admin1[r.IntN(len(c.admin1))],
			LocationPrecision: domain.LocationAdmin1,
			Verification:      genVerif[r.IntN(len(genVerif))],
			WorkRelated:       domain.WorkRelatedConfirmed,
			Revision:          1,
			FirstPublishedAt:  base.Add(time.Duration(i) * time.Minute),
			UpdatedAt:         base.Add(time.Duration(i) * time.Minute),
			Demo:              true,
		}
		if i%13 == 0 {
			p.DatePrecision, p.DateStart = domain.PrecisionYear, fmt.Sprint(year)
		}
		if i%97 == 0 {
			p.DatePrecision, p.DateStart = domain.PrecisionUnknown, ""
		}
		if i%7 == 0 {
			p.Translations = map[string]domain.Translation{"ur": {Title: "صحافی گرفتار", Summary: "پولیس نے صحافی کو گرفتار کر لیا"}}
		}
		if i%11 == 0 {
			if p.Translations == nil {
				p.Translations = map[string]domain.Translation{}
			}
			p.Translations["hi"] = domain.Translation{Title: "पत्रकार गिरफ़्तार", Summary: "पुलिस ने पत्रकार को गिरफ़्तार किया"}
		}
		if i%5 == 0 {
			p.Tags = []string{"elections"}
		}
		nv := 1 + r.IntN(2)
		for v := 0; v < nv; v++ {
			vi := domain.Violation{Category: genCategories[r.IntN(len(genCategories))]}
			vi.Actors = []domain.Actor{{Type: genActors[r.IntN(len(genActors))], Attribution: domain.AttributionAlleged}}
			nt := r.IntN(3)
			for t := 0; t < nt; t++ {
				tg := domain.Target{Kind: domain.TargetPerson, Name: genNames[r.IntN(len(genNames))],
					Gender: genGenders[r.IntN(len(genGenders))], Role: genRoles[r.IntN(len(genRoles))],
					Outlet: genOutlets[r.IntN(len(genOutlets))]}
				if r.IntN(4) == 0 {
					tg.Name, tg.NameWithheld = "", true
				}
				vi.Targets = append(vi.Targets, tg)
			}
			if vi.Category == "website_blocked" {
				vi.Targets = append(vi.Targets, domain.Target{Kind: domain.TargetWebsite, Name: genOutlets[r.IntN(len(genOutlets))], URL: "https://example.org/"})
			}
			p.Violations = append(p.Violations, vi)
		}
		out[i] = p
	}
	return out
}

// SeedPublic generates n published incidents, bulk-loads them and refreshes
// the planner's statistics.
func SeedPublic(tb testing.TB, db *store.DB, n int, seed uint64) []*domain.PublicIncident {
	tb.Helper()
	pubs := GeneratePublic(n, seed)
	if err := db.SeedPublic(context.Background(), pubs); err != nil {
		tb.Fatalf("seed %d public incidents: %v", n, err)
	}
	if err := db.Analyze(context.Background()); err != nil {
		tb.Fatalf("analyze: %v", err)
	}
	return pubs
}
