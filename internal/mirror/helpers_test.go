package mirror_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/demo"
	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/editorial"
	"github.com/presswatch/presswatch/internal/ledger"
	"github.com/presswatch/presswatch/internal/mirror"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
	"github.com/presswatch/presswatch/internal/web"
)

const testOrigin = "mirror.test/log"

// instance is a real presswatch instance: SQLite store, editorial service,
// web handler and a signing log over the store.
type instance struct {
	tb      testing.TB
	db      *store.DB
	svc     *editorial.Service
	handler http.Handler
	log     *ledger.Log
	dir     *mirror.Directory // the list of mirrors (footer, /mirrors.json)
	// canary stands for the origin: it counts every request that reaches it.
	canary *httptest.Server
	hits   atomic.Int64
}

// MustInstance seeds n demo incidents through the editorial workflow and
// signs the log.
func MustInstance(tb testing.TB, n int) *instance {
	tb.Helper()
	ctx := context.Background()
	db, dir := mustStore(tb)
	svc := editorial.New(db, db, db, db, db, nil)
	svc.SetPasswordParams(editorial.PasswordParams{Time: 1, Memory: 64, Threads: 1})
	if _, err := demo.Seed(ctx, svc, demo.Options{Incidents: n, Now: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		tb.Fatalf("demo seed: %v", err)
	}
	return mustWire(tb, db, svc, dir)
}

// mustStore opens a migrated SQLite store in a new folder, closed at the
// end of the test.
func mustStore(tb testing.TB) (*store.DB, string) {
	tb.Helper()
	dir := tb.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(dir, "test.db"))
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return db, dir
}

// MustSeededInstance is an instance over n bulk-seeded published
// incidents (storetest.SeedPublic: quick, not in the log) and the two users
// MustPublish needs.
func MustSeededInstance(tb testing.TB, n int) *instance {
	tb.Helper()
	ctx := context.Background()
	db, dir := mustStore(tb)
	storetest.SeedPublic(tb, db, n, 7)
	svc := editorial.New(db, db, db, db, db, nil)
	svc.SetPasswordParams(editorial.PasswordParams{Time: 1, Memory: 64, Threads: 1})
	for _, u := range [][2]string{{"editor@demo.invalid", domain.RoleEditor}, {"reviewer@demo.invalid", domain.RoleReviewer}} {
		if _, err := svc.CreateUser(ctx, nil, u[0], u[0], u[1], "a long enough password"); err != nil {
			tb.Fatal(err)
		}
	}
	return mustWire(tb, db, svc, dir)
}

func mustWire(tb testing.TB, db *store.DB, svc *editorial.Service, dir string) *instance {
	tb.Helper()
	logDir := filepath.Join(dir, "log")
	skey, err := ledger.LoadOrCreateKey(logDir, testOrigin)
	if err != nil {
		tb.Fatal(err)
	}
	l, err := ledger.New(ledger.Config{Origin: testOrigin, Storage: db.LogStorage(), SignerKey: skey, StateDir: logDir})
	if err != nil {
		tb.Fatal(err)
	}
	inst := &instance{tb: tb, db: db, svc: svc, log: l, dir: mirror.NewDirectory(db)}
	inst.MustSign()
	h, err := web.New(web.Options{Service: svc, Public: db, Sessions: db, Logger: slog.New(slog.DiscardHandler),
		Mounts: map[string]http.Handler{"/log/": l.Handler()}, LogContent: db.FindLogContent, Mirrors: inst.dir,
		Log: func(ctx context.Context) (*web.LogInfo, error) {
			info := &web.LogInfo{Origin: l.Origin(), VerifierKey: l.VerifierKey()}
			cp, err := l.Checkpoint(ctx)
			if err != nil {
				return nil, err
			}
			info.Checkpoint = string(cp)
			if t, err := l.PublishedTree(ctx); err == nil {
				info.Size = t.Size
			}
			return info, nil
		}})
	if err != nil {
		tb.Fatal(err)
	}
	inst.handler = h
	inst.canary = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inst.hits.Add(1)
		h.ServeHTTP(w, r)
	}))
	tb.Cleanup(inst.canary.Close)
	return inst
}

// MustSign integrates the outbox and signs a checkpoint.
func (in *instance) MustSign() {
	in.tb.Helper()
	ctx := context.Background()
	if _, err := in.log.Integrate(ctx, 0); err != nil {
		in.tb.Fatalf("integrate: %v", err)
	}
	if _, err := in.log.Sign(ctx); err != nil {
		in.tb.Fatalf("sign: %v", err)
	}
}

// MustPublish publishes one new incident through the workflow and signs.
func (in *instance) MustPublish(title string) *domain.PublicIncident {
	in.tb.Helper()
	return in.MustPublishOn(title, "")
}

// MustPublishOn publishes one new incident that started on date
// (YYYY-MM-DD; "" keeps storetest.NewIncident's) and signs.
func (in *instance) MustPublishOn(title, date string) *domain.PublicIncident {
	in.tb.Helper()
	ctx := context.Background()
	editor, err := in.db.FindUserByEmail(ctx, "editor@demo.invalid")
	if err != nil {
		in.tb.Fatal(err)
	}
	reviewer, err := in.db.FindUserByEmail(ctx, "reviewer@demo.invalid")
	if err != nil {
		in.tb.Fatal(err)
	}
	inc := storetest.NewIncident(title)
	if date != "" {
		inc.DateStart = date
	}
	if err := in.svc.CreateIncident(ctx, editor, inc, "test"); err != nil {
		in.tb.Fatal(err)
	}
	if err := in.svc.Submit(ctx, editor, inc.ID, inc.Version, ""); err != nil {
		in.tb.Fatal(err)
	}
	if err := in.svc.Approve(ctx, reviewer, inc.ID, inc.Version, "ok"); err != nil {
		in.tb.Fatal(err)
	}
	pub, err := in.svc.Publish(ctx, editor, inc.ID, inc.Version)
	if err != nil {
		in.tb.Fatal(err)
	}
	in.MustSign()
	return pub
}

// MustBuild builds a mirror of the instance into out.
func (in *instance) MustBuild(out string, full bool) *mirror.Result {
	in.tb.Helper()
	res, err := mirror.Build(context.Background(), mirror.Options{Handler: in.handler, Log: in.log, Out: out,
		Origin: in.canary.URL, Full: full, Version: "test"})
	if err != nil {
		in.tb.Fatalf("build: %v", err)
	}
	return res
}
