package web

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/demo"
	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/editorial"
	"github.com/presswatch/presswatch/internal/store"
)

// TestServeDemo serves the demo data set on PRESSWATCH_WEB_DEMO_ADDR (a
// 127.0.0.1 address) for two minutes, to look at the pages with a browser
// (see docs/web.md). /test-login?as=editor&next=/admin/... signs in
// without forms so that a headless browser can take back-office
// screenshots; it exists only in this test.
func TestServeDemo(t *testing.T) {
	addr := os.Getenv("PRESSWATCH_WEB_DEMO_ADDR")
	if addr == "" {
		t.Skip("set PRESSWATCH_WEB_DEMO_ADDR=127.0.0.1:PORT to serve the demo set")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := editorial.New(db, db, db, db, db, nil)
	svc.SetPasswordParams(editorial.PasswordParams{Time: 1, Memory: 64, Threads: 1})
	if _, err := demo.Seed(ctx, svc, demo.Options{Incidents: 120}); err != nil {
		t.Fatal(err)
	}
	var srv *Server
	login := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		users, _ := db.ListUsers(r.Context())
		for _, u := range users {
			if u.Role == r.URL.Query().Get("as") {
				u.MustChangePW = false
				if _, err := srv.startSession(w, r, u, true); err != nil {
					http.Error(w, err.Error(), 500)
					return
				}
				http.Redirect(w, r, r.URL.Query().Get("next"), http.StatusSeeOther)
				return
			}
		}
		http.NotFound(w, r)
	})
	srv, err = New(Options{Service: mustChangeOff{svc}, Public: db, Sessions: db, Ping: db.Ping,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, nil)), Mounts: map[string]http.Handler{"/test-login": login}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv}
	go hs.Serve(ln)
	time.Sleep(2 * time.Minute)
	hs.Close()
}

// mustChangeOff lets the demo's staff skip the first-login password change.
type mustChangeOff struct{ *editorial.Service }

func (m mustChangeOff) FindUser(ctx context.Context, id int64) (*domain.User, error) {
	u, err := m.Service.FindUser(ctx, id)
	if u != nil {
		u.MustChangePW = false
	}
	return u, err
}
