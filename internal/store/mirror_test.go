package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

func TestMirrorsSQLite(t *testing.T) { testMirrors(t, storetest.MustOpenSQLite(t)) }

func TestMirrorsPostgres(t *testing.T) {
	if !storetest.PostgresEnabled() {
		t.Skip("PRESSWATCH_TEST_POSTGRES is not set")
	}
	testMirrors(t, storetest.MustOpenPostgres(t))
}

func testMirrors(t *testing.T, db *store.DB) {
	ctx := context.Background()
	admin := storetest.MustUser(t, db, "admin@mirrors.test", domain.RoleAdmin)
	bad := []domain.Mirror{
		{Kind: domain.MirrorCDN, URL: "ftp://x.example/"},
		{Kind: domain.MirrorCDN, URL: "https://u:p@x.example/"},
		{Kind: "tape", URL: "https://x.example/"},
		{Kind: domain.MirrorUSBNote},
	}
	for _, m := range bad {
		if err := db.CreateMirror(ctx, admin, &m); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("create %+v: %v, want EINVALID", m, err)
		}
	}
	a := &domain.Mirror{Kind: domain.MirrorCDN, URL: " https://cdn.example/pw/ ", Label: "CDN", Public: true}
	if err := db.CreateMirror(ctx, admin, a); err != nil {
		t.Fatal(err)
	}
	if a.URL != "https://cdn.example/pw/" || a.ID == 0 {
		t.Fatalf("created %+v", a)
	}
	dup := &domain.Mirror{Kind: domain.MirrorStatic, URL: "https://cdn.example/pw/"}
	if err := db.CreateMirror(ctx, admin, dup); domain.ErrorFields(err)["url"] == "" {
		t.Fatalf("duplicate URL: %v", err)
	}
	note := &domain.Mirror{Kind: domain.MirrorUSBNote, Label: "Ask at the press club", URL: "https://ignored.example/"}
	if err := db.CreateMirror(ctx, admin, note); err != nil {
		t.Fatal(err)
	}
	note2 := &domain.Mirror{Kind: domain.MirrorUSBNote, Label: "Second note"}
	if err := db.CreateMirror(ctx, admin, note2); err != nil {
		t.Fatalf("two notes without URL: %v", err)
	}
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	if err := db.RecordMirrorCheck(ctx, a.ID, domain.MirrorCheck{State: domain.MirrorOK, Size: 7, Root: "cm9vdA==", BuiltAt: at.Add(-time.Hour), CheckedAt: at, Verified: true}); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordMirrorCheck(ctx, a.ID, domain.MirrorCheck{State: domain.MirrorAltered, Problem: "bad", CheckedAt: at.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	got, err := db.FindMirror(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != domain.MirrorAltered || got.Size != 7 || got.Root != "cm9vdA==" || !got.VerifiedAt.Equal(at) || !got.CheckedAt.Equal(at.Add(time.Hour)) || !got.Public {
		t.Fatalf("after checks: %+v", got)
	}
	if err := db.RecordMirrorCheck(ctx, 9999, domain.MirrorCheck{State: domain.MirrorOK}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("check of unknown mirror: %v", err)
	}
	got.URL, got.Public = "https://cdn2.example/", false
	if err := db.UpdateMirror(ctx, admin, got); err != nil {
		t.Fatal(err)
	}
	got, _ = db.FindMirror(ctx, a.ID)
	if got.State != domain.MirrorUnchecked || got.Size != 0 || got.Public {
		t.Fatalf("a new URL forgets the watch: %+v", got)
	}
	list, err := db.ListMirrors(ctx)
	if err != nil || len(list) != 3 || list[1].URL != "" {
		t.Fatalf("list: %v %+v", err, list)
	}
	if err := db.DeleteMirror(ctx, admin, note.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteMirror(ctx, admin, note.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("delete twice: %v", err)
	}
	if err := db.SetOnionAddress(ctx, admin, "https://example.com/"); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("clearnet onion: %v", err)
	}
	onion := "http://abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuv.onion/"
	for _, v := range []string{onion, onion, ""} {
		if err := db.SetOnionAddress(ctx, admin, v); err != nil {
			t.Fatal(err)
		}
		if got, err := db.OnionAddress(ctx); err != nil || got != v {
			t.Fatalf("onion = %q, %v; want %q", got, err, v)
		}
	}
	rows, total, err := db.ListAudit(ctx, domain.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rows {
		if len(r.Action) > 7 && r.Action[:7] == "mirror." {
			n++
		}
	}
	if n != 8 {
		t.Fatalf("audit rows for mirrors = %d of %d, want 8", n, total)
	}
}
