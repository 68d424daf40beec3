package monitor_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/jobs"
	"github.com/presswatch/presswatch/internal/monitor"
	mt "github.com/presswatch/presswatch/internal/monitor/monitortest"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

// TestTwoWorkersPostgres runs two River clients (two "worker processes",
// each with its own Monitor) on one PostgreSQL schema against a simulated
// fleet, and counts the requests per URL at the server: a round fetches no
// article, feed or sitemap twice. (robots.txt is cached per process, so
// each process may ask for it once a day.)
func TestTwoWorkersPostgres(t *testing.T) {
	if !storetest.PostgresEnabled() {
		t.Skip("PRESSWATCH_TEST_POSTGRES is not set")
	}
	ctx := context.Background()
	db := storetest.MustOpenPostgres(t)
	if err := jobs.Migrate(ctx, db.WriterDB(), db.Engine()); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	clock := mt.NewClock(start)
	outlets, _ := mt.NewsroomScript()
	n := mt.NewNewsroom(t, clock, outlets...)
	ms := db.Monitor()
	for _, o := range outlets {
		mo := monitor.Outlet{Slug: monitor.Slugify(o.Host), Name: o.Name, Homepage: n.URL(o.Host, "/")}
		switch o.Feed {
		case mt.RSS:
			mo.Feeds = []string{n.URL(o.Host, "/feed.xml")}
		case mt.Atom:
			mo.Feeds = []string{n.URL(o.Host, "/atom.xml")}
		case mt.JSON:
			mo.Feeds = []string{n.URL(o.Host, "/feed.json")}
		case mt.Sitemap:
			mo.Sitemaps = []string{n.URL(o.Host, "/sitemap_index.xml")}
		}
		if err := ms.SaveOutlet(ctx, mo); err != nil {
			t.Fatal(err)
		}
	}
	var clients []*jobs.Client
	for i := 0; i < 2; i++ {
		// Each process opens its own connections.
		pdb, err := store.Open(ctx, storetestURL(t, db))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { pdb.Close() })
		m, err := monitor.New(monitor.Options{Store: pdb.Monitor(), Fetcher: monitor.SafeFetcher{Client: mt.MustClient(t, 5*time.Second)},
			Workers: 2, HostInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		workers := jobs.NewWorkers()
		if err := monitor.RegisterJobs(workers, &monitor.Jobs{Monitor: m, Store: pdb.Monitor(), BatchSize: 3, Now: clock.Now}); err != nil {
			t.Fatal(err)
		}
		c, err := jobs.New(pdb.WriterDB(), pdb.Engine(), workers, jobs.Options{Work: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c.Stop(sctx)
		})
		clients = append(clients, c)
	}
	// Two rounds: discovery (+ first copies), then every article re-checked
	// at 1 h.
	for round, at := range []time.Duration{0, time.Hour} {
		before := map[string]int{}
		for _, p := range n.RequestedPaths() {
			h, path, _ := strings.Cut(p, " ")
			before[p] = n.Requests(h, path)
		}
		clock.Set(start.Add(at))
		if _, err := clients[round%2].Insert(ctx, monitor.RoundArgs{}, nil); err != nil {
			t.Fatal(err)
		}
		waitIdle(t, db, 30*time.Second)
		for _, p := range n.RequestedPaths() {
			h, path, _ := strings.Cut(p, " ")
			if path == "/robots.txt" || strings.HasPrefix(path, "/presswatch-probe-") {
				continue
			}
			if d := n.Requests(h, path) - before[p]; d > 2 {
				// An article may be fetched twice in a round only when the
				// first answer asks for a confirmation; the newsroom's
				// articles are unchanged at 0 h and 1 h except the flapping one.
				if !strings.Contains(path, "flapping") {
					t.Errorf("round %d: %s fetched %d times", round, p, d)
				}
			} else if d == 2 && !strings.Contains(path, "flapping") && !strings.Contains(path, "outage") && !strings.Contains(path, "moved") {
				t.Errorf("round %d: %s fetched twice", round, p)
			}
		}
	}
	due, err := ms.CountDue(ctx, start.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if due != 0 {
		t.Errorf("%d articles still due after the round", due)
	}
}

func storetestURL(t *testing.T, db *store.DB) string {
	t.Helper()
	var schema string
	if err := db.ReaderDB().QueryRow("SELECT current_schema()").Scan(&schema); err != nil {
		t.Fatal(err)
	}
	u := storetest.PostgresURL(t) // a fresh URL; swap its schema for db's
	i := strings.Index(u, "search_path=")
	return u[:i] + "search_path=" + schema + u[i+len("search_path=")+len("t_000000000000"):]
}

// waitIdle waits until no monitor job is available, running or scheduled.
func waitIdle(t *testing.T, db *store.DB, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	time.Sleep(300 * time.Millisecond)
	for time.Now().Before(deadline) {
		var n int
		if err := db.ReaderDB().QueryRow(`SELECT COUNT(*) FROM river_job WHERE state IN ('available', 'running', 'scheduled', 'retryable', 'pending')`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("monitor jobs did not finish")
}
