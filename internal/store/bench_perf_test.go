package store_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

// benchDB opens the database of PRESSWATCH_BENCH_DB (a SQLite path or
// postgres:// URL seeded with `go run ./internal/store/storetest/cmd/seed`)
// or, without it, a temporary SQLite database with PRESSWATCH_BENCH_PUBLIC
// (default 100,000) synthetic incidents.
func benchDB(b *testing.B) *store.DB {
	ctx := context.Background()
	if u := os.Getenv("PRESSWATCH_BENCH_DB"); u != "" {
		db, err := store.Open(ctx, u)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		if err := db.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		return db
	}
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("PRESSWATCH_BENCH_PUBLIC")); err == nil && v > 0 {
		n = v
	}
	db := storetest.MustOpenSQLite(b)
	storetest.SeedPublic(b, db, n, 42)
	return db
}

// scaleQueries is the mix of issue 3's "search plus facet counts": the
// default list, column and term filters, combinations, and text searches
// (common and rare words, Urdu, Hindi).
var scaleQueries = []struct {
	name string
	f    domain.IncidentFilter
}{
	{"default", domain.IncidentFilter{}},
	{"country=PK", domain.IncidentFilter{Country: []string{"PK"}}},
	{"category=website_blocked", domain.IncidentFilter{Category: []string{"website_blocked"}}},
	{"family=violence&country=IN", domain.IncidentFilter{Family: []string{"violence"}, Country: []string{"IN"}}},
	{"gender=woman&role=editor&year=2020", domain.IncidentFilter{Gender: []string{"woman"}, TargetRole: []string{"editor"}, Year: []int{2020}}},
	{"from=2024-01-01&actor=police", domain.IncidentFilter{From: "2024-01-01", ActorType: []string{"police"}}},
	{"page=50", domain.IncidentFilter{Page: 50}},
	{"q=journalist", domain.IncidentFilter{Q: "journalist"}},
	{"q=licence+raid", domain.IncidentFilter{Q: "licence raid"}},
	{"q=صحافی", domain.IncidentFilter{Q: "صحافی"}},
	{"q=पत्रकार&country=IN", domain.IncidentFilter{Q: "पत्रकार", Country: []string{"IN"}}},
	// Four common words matching ~1 % together: few enough to be ranked
	// by relevance, each word's doclist long.
	{"q=journalist+court+raid+licence", domain.IncidentFilter{Q: "journalist court raid licence"}},
	// A common word and a rare one (a title's number, ~20 incidents at a
	// million): ranked, FTS5's bm25 counts the common word's matches.
	{"q=journalist+12345", domain.IncidentFilter{Q: "journalist 12345"}},
	// A word in no incident.
	{"q=nosuchword", domain.IncidentFilter{Q: "nosuchword"}},
}

// BenchmarkPublicScale measures SearchPublic + Facets with the totals and
// facets cache dropped before every call (the worst case: every request a
// new filter), per query and over the whole mix, reporting p50 and p95;
// then the mix warm (the cache kept). Cold drops only this process's
// cache of the generation, not the index nor SQLite's or the OS's pages.
// The in-memory index is built once before timing (serve warms it at
// start-up). PRESSWATCH_BENCH_SQL=1 adds the SQL path for comparison.
func BenchmarkPublicScale(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	modes := []bool{true}
	if os.Getenv("PRESSWATCH_BENCH_SQL") != "" {
		modes = append(modes, false)
	}
	warmPublic(b, db)
	for _, on := range modes {
		mode := "index"
		if !on {
			mode = "sql"
		}
		store.SetPublicIndex(db, on)
		warm := false
		one := func(b *testing.B, f domain.IncidentFilter) time.Duration {
			t := time.Now()
			if !warm {
				store.DropCache(db)
			}
			if _, err := db.SearchPublic(ctx, f); err != nil {
				b.Fatal(err)
			}
			if _, err := db.Facets(ctx, f); err != nil {
				b.Fatal(err)
			}
			return time.Since(t)
		}
		for _, qc := range scaleQueries {
			b.Run(mode+"/"+qc.name, func(b *testing.B) {
				var lat []time.Duration
				cpu0 := procCPU()
				for b.Loop() {
					lat = append(lat, one(b, qc.f))
				}
				reportLatency(b, lat, cpu0)
			})
		}
		b.Run(mode+"/mix", func(b *testing.B) {
			var lat []time.Duration
			cpu0 := procCPU()
			for i := 0; b.Loop(); i++ {
				lat = append(lat, one(b, scaleQueries[i%len(scaleQueries)].f))
			}
			reportLatency(b, lat, cpu0)
		})
		// Warm: the same requests again in the same generation, as a
		// running server answers a filter it has seen since the last
		// publication (totals, facets and q's match set cached, filled
		// once before timing; the page and its documents are still
		// read).
		warm = true
		for _, qc := range scaleQueries {
			one(b, qc.f)
		}
		b.Run(mode+"/mix-warm", func(b *testing.B) {
			var lat []time.Duration
			cpu0 := procCPU()
			for i := 0; b.Loop(); i++ {
				lat = append(lat, one(b, scaleQueries[i%len(scaleQueries)].f))
			}
			reportLatency(b, lat, cpu0)
		})
	}
	store.SetPublicIndex(db, true)
}

// statsQueries are filtered /stats requests (the whole record reads
// public_stats: BenchmarkStatsWhole).
var statsQueries = []struct {
	name string
	f    domain.IncidentFilter
}{
	{"country=PK", domain.IncidentFilter{Country: []string{"PK"}}},
	{"category=website_blocked", domain.IncidentFilter{Category: []string{"website_blocked"}}},
	{"year=2020", domain.IncidentFilter{Year: []int{2020}}},
	{"country=IN&family=violence", domain.IncidentFilter{Country: []string{"IN"}, Family: []string{"violence"}}},
	{"q=journalist", domain.IncidentFilter{Q: "journalist"}},
	{"q=licence+raid", domain.IncidentFilter{Q: "licence raid"}},
}

// BenchmarkStatsFiltered measures Stats for a filter with the totals,
// facets and statistics cache dropped before every call (every request a
// filter nobody asked for since the last publication), reporting CPU time
// per call and p50/p95. The in-memory index is built once before timing.
// PRESSWATCH_BENCH_SQL=1 adds the SQL path (the documents; minutes per
// call at a million incidents).
func BenchmarkStatsFiltered(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	warmPublic(b, db)
	modes := []bool{true}
	if os.Getenv("PRESSWATCH_BENCH_SQL") != "" {
		modes = append(modes, false)
	}
	for _, on := range modes {
		mode := "index"
		if !on {
			mode = "sql"
		}
		store.SetPublicIndex(db, on)
		for _, qc := range statsQueries {
			b.Run(mode+"/"+qc.name, func(b *testing.B) {
				var lat []time.Duration
				cpu0 := procCPU()
				n := 0
				for b.Loop() {
					t := time.Now()
					store.DropCache(db)
					st, err := db.Stats(ctx, qc.f)
					if err != nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(t))
					n = st.Incidents
				}
				reportLatency(b, lat, cpu0)
				b.ReportMetric(float64(n), "incidents")
			})
		}
	}
	store.SetPublicIndex(db, true)
}

// BenchmarkPublicIndexUpdate measures what a reader pays after one
// publication: applying the change to the index of the whole record.
func BenchmarkPublicIndexUpdate(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	if err := db.WarmPublic(ctx); err != nil {
		b.Fatal(err)
	}
	ed := storetest.MustUser(b, db, "bench-"+strconv.FormatInt(time.Now().UnixNano(), 36)+"@example.org", domain.RoleEditor)
	page, err := db.SearchPublic(ctx, domain.IncidentFilter{PerPage: 100})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		b.StopTimer()
		if i == len(page.Items) {
			b.Fatal("out of incidents to withdraw")
		}
		if _, err := db.Withdraw(ctx, page.Items[i].ID, "benchmark", ed); err != nil {
			b.Fatal(err)
		}
		i++
		b.StartTimer()
		if err := db.WarmPublic(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// warmPublic builds the in-memory index, logging its wall and CPU time.
func warmPublic(b *testing.B, db *store.DB) {
	t, cpu := time.Now(), procCPU()
	if err := db.WarmPublic(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Logf("index built in %s (%s CPU)", time.Since(t).Round(time.Millisecond), (procCPU() - cpu).Round(time.Millisecond))
	if os.Getenv("PRESSWATCH_BENCH_NO_WORDS") != "" {
		return
	}
	t, cpu = time.Now(), procCPU()
	n, err := db.WarmWords(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d frequent words' match sets read in %s (%s CPU)", n, time.Since(t).Round(time.Millisecond), (procCPU() - cpu).Round(time.Millisecond))
}

// reportLatency reports the CPU time of the process per call (all cores:
// on a loaded machine the wall-clock percentiles mostly measure waiting)
// and the p50, p95 and maximum of the calls' latencies.
func reportLatency(b *testing.B, lat []time.Duration, cpu0 time.Duration) {
	b.ReportMetric(ms(procCPU()-cpu0)/float64(len(lat)), "cpu-ms/op")
	slices.Sort(lat)
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[min(len(lat)-1, len(lat)*95/100)]), "p95-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// procCPU is the user and system CPU time the process has used.
func procCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
