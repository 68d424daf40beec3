package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	ro := filepath.Join(t.TempDir(), "ro")
	if err := os.MkdirAll(ro, 0o500); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		// root writes anywhere: use a path under a regular file instead.
		f := filepath.Join(t.TempDir(), "file")
		os.WriteFile(f, nil, 0o600)
		ro = filepath.Join(f, "sub")
	}
	tests := []struct {
		name, url, code, says string
	}{
		{"unwritable folder", filepath.Join(ro, "x", "presswatch.db"), domain.EUNAVAILABLE, "writable"},
		{"unreachable postgres", "postgres://nobody:secret@127.0.0.1:1/none?sslmode=disable&connect_timeout=2", domain.EUNAVAILABLE, "cannot reach"},
		{"unknown scheme", "mysql://localhost/x", domain.EINVALID, "postgres://"},
		{"empty", "", domain.EINVALID, "--database"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, err := store.Open(ctx, tc.url)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			if domain.ErrorCode(err) != tc.code || !strings.Contains(domain.ErrorMessage(err), tc.says) {
				t.Fatalf("Open error = %q (%s), want %s saying %q", domain.ErrorMessage(err), domain.ErrorCode(err), tc.code, tc.says)
			}
			if strings.Contains(domain.ErrorMessage(err), "secret") {
				t.Error("the message shows the password")
			}
		})
	}
}

func TestOpenForms(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, u := range []string{"sqlite://" + filepath.Join(dir, "a.db"), "sqlite:" + filepath.Join(dir, "b.db"), filepath.Join(dir, "c", "d.db")} {
		db, err := store.Open(ctx, u)
		if err != nil {
			t.Fatalf("Open(%q): %v", u, err)
		}
		if db.Engine() != store.EngineSQLite {
			t.Errorf("Engine = %s", db.Engine())
		}
		if err := db.Ping(ctx); err != nil {
			t.Error(err)
		}
		err = db.CheckSchema(ctx)
		if domain.ErrorCode(err) != domain.EUNAVAILABLE || !strings.Contains(domain.ErrorMessage(err), "presswatch migrate") {
			t.Errorf("CheckSchema on an empty database = %v", err)
		}
		db.Close()
	}
}

func TestReaderIsReadOnly(t *testing.T) {
	db := storetest.MustOpenSQLite(t)
	if _, err := db.Reader().Exec(context.Background(), "DELETE FROM users"); err == nil {
		t.Fatal("a write through the SQLite reader pool succeeded")
	}
}
