package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/monitor"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

// TestMonitorPagesStore covers what the monitor's pages add to the store:
// audited outlet create/update/remove, batch article loads and the
// per-outlet counts, on SQLite and (when enabled) PostgreSQL.
func TestMonitorPagesStore(t *testing.T) {
	engines := map[string]func(tb testing.TB) *store.DB{"sqlite": storetest.MustOpenSQLite}
	if storetest.PostgresEnabled() {
		engines["postgres"] = storetest.MustOpenPostgres
	}
	for name, open := range engines {
		t.Run(name, func(t *testing.T) { testMonitorPagesStore(t, open(t)) })
	}
}

func testMonitorPagesStore(t *testing.T, db *store.DB) {
	ctx := context.Background()
	ms := db.Monitor()
	o := monitor.Outlet{Slug: "dawn", Name: "Dawn", Homepage: "https://dawn.example/", Feeds: []string{"https://dawn.example/feed"}}
	if err := ms.UpdateOutlet(ctx, o, 0); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("update of a missing outlet: %v", err)
	}
	if err := ms.CreateOutlet(ctx, o, 0); err != nil {
		t.Fatal(err)
	}
	if err := ms.CreateOutlet(ctx, o, 0); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("second create: %v", err)
	}
	o.IgnoreRobots, o.PollEvery = true, 30*time.Minute
	if err := ms.UpdateOutlet(ctx, o, 0); err != nil {
		t.Fatal(err)
	}
	if got, err := ms.Outlet(ctx, "dawn"); err != nil || !got.IgnoreRobots || got.PollEvery != 30*time.Minute {
		t.Fatalf("updated outlet: %+v %v", got, err)
	}
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var batch []monitor.Article
	for _, u := range []string{"https://dawn.example/a", "https://dawn.example/b", "https://dawn.example/a"} {
		batch = append(batch, monitor.Article{URL: u, Outlet: "dawn", FirstSeen: now, NextCheck: now, State: monitor.StateLive})
	}
	if n, err := ms.AddArticles(ctx, batch); err != nil || n != 2 {
		t.Fatalf("AddArticles: %d %v", n, err)
	}
	for i, kind := range []monitor.Kind{monitor.KindDeleted, monitor.KindEdited, monitor.KindEdited, monitor.KindRestored} {
		d, err := ms.AddDetection(ctx, monitor.Detection{Kind: kind, URL: "https://dawn.example/a", Outlet: "dawn", At: now})
		if err != nil {
			t.Fatal(err)
		}
		review := monitor.ReviewConfirmed
		if i == 2 {
			review = monitor.ReviewDismissed
		}
		if err := ms.ReviewDetection(ctx, d.ID, review, 0); err != nil {
			t.Fatal(err)
		}
	}
	for _, slug := range []string{"", "dawn"} {
		counts, err := ms.OutletCounts(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		if c := counts["dawn"]; c != (store.OutletCount{Articles: 2, Removals: 1, Edits: 1}) {
			t.Errorf("counts(%q): %+v", slug, c)
		}
	}
	if err := ms.RemoveOutletBy(ctx, "dawn", 0); err != nil {
		t.Fatal(err)
	}
	if err := ms.RemoveOutletBy(ctx, "dawn", 0); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("second remove: %v", err)
	}
	if n, _ := ms.CountArticles(ctx, "dawn"); n != 0 {
		t.Errorf("%d articles left", n)
	}
	entries, _, err := db.ListAudit(ctx, domain.AuditFilter{Page: 1, PerPage: 50})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		seen[e.Action] = true
	}
	for _, a := range []string{"outlet.create", "outlet.update", "outlet.remove"} {
		if !seen[a] {
			t.Errorf("no audit row %s", a)
		}
	}
}
