package domain

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// IncidentFilter selects published incidents. It is the one filter layer:
// the HTML list, JSON, CSV, NDJSON, Atom, the API and statistics all parse
// the same query string into it, so the same query means the same set.
// Values within one field are alternatives (OR); fields combine with AND.
type IncidentFilter struct {
	Country      []string
	Admin1       []string
	Category     []string
	Family       []string
	ActorType    []string
	TargetRole   []string
	Gender       []string
	Verification []string
	Tag          []string
	From         string // YYYY-MM-DD, inclusive, on the start date
	To           string // YYYY-MM-DD, inclusive
	Year         []int
	Q            string // full-text query, treated as plain words
	Demo         *bool  // nil: both

	// Paging and order.
	Page    int // 1-based, for pages
	PerPage int // default 25, at most 500
	// Offset, when positive, is the 0-based position of the page's first
	// incident, in place of (Page-1)*PerPage: the public list's pages are
	// blocks counted from the oldest incident (ListWindow).
	Offset int
	After  string // opaque cursor, for the API
	Sort   string // "date" (newest first, default), "relevance" (with Q), "updated"
}

// FilterParam describes one query parameter of the filter layer; pages, the
// data dictionary and the OpenAPI document are generated from this table.
type FilterParam struct {
	Name        string
	Type        string // "code", "date", "int", "text"
	Multi       bool
	Vocab       string   // vocabulary for codes, if any
	Enum        []string // fixed values, if any
	Description string
}

// FilterParams is the table of incident filter parameters.
var FilterParams = []FilterParam{
	{Name: "country", Type: "code", Multi: true, Description: "ISO 3166-1 alpha-2 country code, e.g. PK."},
	{Name: "admin1", Type: "code", Multi: true, Description: "ISO 3166-2 province or state code, e.g. PK-PB."},
	{Name: "category", Type: "code", Multi: true, Vocab: VocabCategory, Description: "Violation category code; an incident matches if any of its violations has it."},
	{Name: "family", Type: "code", Multi: true, Enum: CategoryFamilies, Description: "Category family: violence, legal, censorship, threats, other."},
	{Name: "actor_type", Type: "code", Multi: true, Vocab: VocabActorType, Description: "Type of an actor of any violation."},
	{Name: "target_role", Type: "code", Multi: true, Vocab: VocabTargetRole, Description: "Role of a targeted person."},
	{Name: "gender", Type: "code", Multi: true, Vocab: VocabGender, Description: "Gender of a targeted person."},
	{Name: "verification", Type: "code", Multi: true, Enum: Verifications, Description: "Verification state."},
	{Name: "tag", Type: "code", Multi: true, Description: "Context tag."},
	{Name: "year", Type: "int", Multi: true, Description: "Year of the start date."},
	{Name: "from", Type: "date", Description: "Start date on or after this day (YYYY-MM-DD)."},
	{Name: "to", Type: "date", Description: "Start date on or before this day (YYYY-MM-DD)."},
	{Name: "q", Type: "text", Description: "Words to search for in titles, summaries, texts, names and outlets, in every language. Operators are not interpreted."},
}

// ParseIncidentFilter reads a filter from query parameters. Unknown codes are
// kept (they match nothing); malformed dates and numbers are EINVALID with
// the parameter named.
func ParseIncidentFilter(q url.Values) (IncidentFilter, error) {
	var f IncidentFilter
	p := map[string]string{}
	multi := func(name string, upper bool) []string {
		var out []string
		seen := map[string]bool{}
		for _, raw := range q[name] {
			for _, v := range strings.Split(raw, ",") {
				v = strings.TrimSpace(v)
				if upper {
					v = strings.ToUpper(v)
				}
				if v == "" || seen[v] || len(v) > 64 {
					continue
				}
				seen[v] = true
				out = append(out, v)
			}
		}
		if len(out) > 50 {
			p[name] = "At most 50 values."
		}
		return out
	}
	f.Country = multi("country", true)
	f.Admin1 = multi("admin1", true)
	f.Category = multi("category", false)
	f.Family = multi("family", false)
	f.ActorType = multi("actor_type", false)
	f.TargetRole = multi("target_role", false)
	f.Gender = multi("gender", false)
	f.Verification = multi("verification", false)
	f.Tag = multi("tag", false)
	for _, y := range multi("year", false) {
		n, err := strconv.Atoi(y)
		if err != nil || n < 1900 || n > 2200 {
			p["year"] = "Use a year such as 2024."
			continue
		}
		f.Year = append(f.Year, n)
	}
	for _, d := range []struct {
		name string
		dst  *string
	}{{"from", &f.From}, {"to", &f.To}} {
		v := strings.TrimSpace(q.Get(d.name))
		if v == "" {
			continue
		}
		prec := PrecisionDay
		switch len(v) {
		case 4:
			prec = PrecisionYear
		case 7:
			prec = PrecisionMonth
		}
		t, err := ParseFuzzyDate(v, prec)
		if err != nil {
			p[d.name] = "Use a date such as 2024-03-15."
			continue
		}
		if d.name == "to" && prec != PrecisionDay {
			// "to=2024" means to the end of 2024.
			if prec == PrecisionYear {
				t = t.AddDate(1, 0, -1)
			} else {
				t = t.AddDate(0, 1, -1)
			}
		}
		*d.dst = t.Format("2006-01-02")
	}
	f.Q = strings.TrimSpace(q.Get("q"))
	if utf8.RuneCountInString(f.Q) > 200 {
		p["q"] = "Search for at most 200 characters."
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			p["page"] = "Pages are numbered from 1."
		}
		f.Page = n
	}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			p["per_page"] = "Between 1 and 500 per page."
		}
		f.PerPage = n
	}
	if v := q.Get("demo"); v != "" {
		b := v == "1" || v == "true"
		f.Demo = &b
	}
	f.After = q.Get("after")
	f.Sort = q.Get("sort")
	if f.Sort != "" && !oneOf(f.Sort, []string{"date", "relevance", "updated", "oldest"}) {
		p["sort"] = "Sort by date, oldest, updated or relevance."
	}
	f.Defaults()
	if len(p) > 0 {
		return f, InvalidFields(p)
	}
	return f, nil
}

// Defaults fills paging defaults.
func (f *IncidentFilter) Defaults() {
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PerPage < 1 || f.PerPage > 500 {
		f.PerPage = 25
	}
	if f.Sort == "" {
		f.Sort = "date"
		if f.Q != "" {
			f.Sort = "relevance"
		}
	}
}

// Values writes the filter back as query parameters (without paging), in a
// stable order, so links and feeds can rebuild it.
func (f IncidentFilter) Values() url.Values {
	v := url.Values{}
	add := func(name string, vals []string) {
		for _, x := range vals {
			v.Add(name, x)
		}
	}
	add("country", f.Country)
	add("admin1", f.Admin1)
	add("category", f.Category)
	add("family", f.Family)
	add("actor_type", f.ActorType)
	add("target_role", f.TargetRole)
	add("gender", f.Gender)
	add("verification", f.Verification)
	add("tag", f.Tag)
	for _, y := range f.Year {
		v.Add("year", strconv.Itoa(y))
	}
	if f.From != "" {
		v.Set("from", f.From)
	}
	if f.To != "" {
		v.Set("to", f.To)
	}
	if f.Q != "" {
		v.Set("q", f.Q)
	}
	if f.Demo != nil {
		v.Set("demo", strconv.FormatBool(*f.Demo))
	}
	if f.Sort != "" && f.Sort != "date" && !(f.Sort == "relevance" && f.Q != "") {
		v.Set("sort", f.Sort)
	}
	return v
}

// IsEmpty reports whether the filter selects every published incident.
func (f IncidentFilter) IsEmpty() bool {
	return len(f.Values()) == 0
}

// Facets are counts per value of each facet field for a filter.
type Facets struct {
	Incidents int                     `json:"incidents"`
	Persons   int                     `json:"persons"`
	Fields    map[string][]FacetCount `json:"fields"`
}

// FacetCount is one value of a facet field with its count.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// FacetFields are the fields the facets count, in display order.
var FacetFields = []string{"country", "admin1", "family", "category", "actor_type", "target_role", "gender", "year", "verification"}
