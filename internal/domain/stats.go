package domain

import "context"

// Stats are the statistics of the incidents a filter selects: what /stats,
// its CSV files and the API's statistics show. Every count honours the same
// IncidentFilter as the list, exports and feeds.
type Stats struct {
	// Incidents and Persons are the totals of the filter (the same numbers
	// as the list's count line).
	Incidents int `json:"incidents"`
	Persons   int `json:"persons"`
	// Monthly counts incidents per month ("YYYY-MM") and category family.
	// An incident with violations of two families counts once in each.
	Monthly []MonthFamilyCount `json:"monthly"`
	// NoMonth counts incidents whose date is not known to the month.
	NoMonth int `json:"no_month"`
	// Families, ActorTypes and Countries count incidents per value (as the
	// facets do).
	Families   []FacetCount `json:"families"`
	ActorTypes []FacetCount `json:"actor_types"`
	Countries  []FacetCount `json:"countries"`
	Admin1     []FacetCount `json:"admin1"`
	// Targets counts targeted persons (entries of the record) per role and
	// gender; "" is an unknown role or gender.
	Targets []RoleGenderCount `json:"targets"`
	// Outlets are the most targeted outlets: incidents in which the outlet,
	// its website or one of its staff was targeted (at most StatsTopOutlets).
	Outlets []FacetCount `json:"outlets"`
}

// MonthFamilyCount is one cell of the monthly chart.
type MonthFamilyCount struct {
	Month  string `json:"month"`
	Family string `json:"family"`
	Count  int    `json:"count"`
}

// RoleGenderCount is one cell of the targets chart.
type RoleGenderCount struct {
	Role   string `json:"role"`
	Gender string `json:"gender"`
	Count  int    `json:"count"`
}

// StatsTopOutlets is how many outlets Stats.Outlets lists.
const StatsTopOutlets = 15

// StatsStore computes statistics over the published record. Errors:
// EINVALID for a malformed filter (from the filter layer), EINTERNAL.
type StatsStore interface {
	Stats(ctx context.Context, f IncidentFilter) (*Stats, error)
}
