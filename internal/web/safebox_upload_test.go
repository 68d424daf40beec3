package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSafeboxDepositWithFile: a deposit with a file is streamed into the
// sealed writer (the file's canary never at rest in clear), checked in,
// read by a named reader, and cancelled: envelopes, content, alerts and
// rows are gone, and the sealed bytes are no longer in the database files
// (WAL included).
func TestSafeboxDepositWithFile(t *testing.T) {
	e, _ := mustStoriesEnv(t)
	ctx := context.Background()
	const canary = "SAFEBOX-FILE-CANARY-7f3a"
	v := e.client()
	csrf := v.token("/safebox")
	fields := url.Values{"title": {"Ledger"}, "text": {"see the file"}, "every": {"14"}, "grace": {"7"},
		"on_silence": {"alert"}, "reader": {itoa(int(e.users["editor2"].u.ID))}}
	file := []filePart{{"../../notes.txt", strings.NewReader(strings.Repeat(canary+"\n", 5000))}}
	// Without the token first: refused before anything is read.
	if r := v.postMultipart("/safebox/deposit", "wrong", fields, file, "Origin", e.ts.URL); r.status != http.StatusForbidden {
		t.Fatalf("bad token: %d", r.status)
	}
	file = []filePart{{"../../notes.txt", strings.NewReader(strings.Repeat(canary+"\n", 5000))}}
	r := v.postMultipart("/safebox/deposit", csrf, fields, file, "Origin", e.ts.URL)
	if r.status != 200 || !strings.Contains(r.body, "Your deposit is sealed") {
		t.Fatalf("deposit: %d %s", r.status, excerpt(r.body))
	}
	code := regexp.MustCompile(`<p class="codename"><strong>([^<]+)</strong>`).FindStringSubmatch(r.body)[1]
	var sealed []byte
	if err := e.db.Reader().QueryRow(ctx, "SELECT sealed FROM deposit_content").Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	dbDir := filepath.Dir(mustDBPath(t, e))
	search := func(needle []byte) string {
		entries, _ := os.ReadDir(dbDir)
		for _, en := range entries {
			b, _ := os.ReadFile(filepath.Join(dbDir, en.Name()))
			if bytes.Contains(b, needle) {
				return en.Name()
			}
		}
		return ""
	}
	if f := search([]byte(canary)); f != "" {
		t.Fatalf("the file's plaintext is in %s", f)
	}
	if r := v.submit("/safebox", "/safebox/checkin", url.Values{"codename": {code}}); r.status != 200 || !strings.Contains(r.body, "checked in") {
		t.Fatalf("check in: %d", r.status)
	}
	// The named reader reads it (with the file inside).
	c2 := e.client()
	c2.login("editor2")
	if r := c2.submit("/admin/safebox/1", "/admin/safebox/1/read", url.Values{"password": {testPassword}}); r.status != 200 || !strings.Contains(r.body, "see the file") {
		t.Fatalf("named reader: %d %s", r.status, excerpt(r.body))
	}
	if r := v.submit("/safebox", "/safebox/cancel", url.Values{"codename": {code}, "deposit": {"1"}, "confirm": {"destroy"}}); r.status != 200 || !strings.Contains(r.body, "destroyed") {
		t.Fatalf("cancel: %d", r.status)
	}
	for _, table := range []string{"deposits", "deposit_envelopes", "deposit_content", "deposit_alerts"} {
		var n int
		if err := e.db.Reader().QueryRow(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%s: %v, %d rows left", table, err, n)
		}
	}
	for _, off := range []int{len(sealed) / 3, len(sealed) / 2, len(sealed) - 64} {
		if f := search(sealed[off : off+48]); f != "" {
			t.Fatalf("sealed bytes at %d are still in %s after cancel", off, f)
		}
	}
}

// TestSafeboxDepositTooLarge: a body over the limit is refused with 413
// and stores nothing.
func TestSafeboxDepositTooLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("uploads 70 MB")
	}
	e, _ := mustStoriesEnv(t)
	v := e.client()
	csrf := v.token("/safebox")
	fields := url.Values{"title": {"Big"}, "every": {"14"}, "grace": {"7"}, "on_silence": {"alert"}}
	r := v.postMultipart("/safebox/deposit", csrf, fields, []filePart{{"big.bin", bytes.NewReader(make([]byte, 70<<20))}}, "Origin", e.ts.URL)
	if r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversize: %d", r.status)
	}
	var n int
	if err := e.db.Reader().QueryRow(context.Background(), "SELECT COUNT(*) FROM deposits").Scan(&n); err != nil || n != 0 {
		t.Fatalf("rows: %v %d", err, n)
	}
}
