package cli_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/presswatch/presswatch/internal/ledger"
	"github.com/presswatch/presswatch/internal/ledger/ledgertest"
	"github.com/presswatch/presswatch/internal/store"
	tdlog "github.com/transparency-dev/formats/log"
	tdnote "github.com/transparency-dev/formats/note"
)

// mustLogEntries writes n entries into the outbox of the instance's
// database, as publishing transactions do.
func mustLogEntries(t *testing.T, dataDir, prefix string, n int) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dataDir, "presswatch.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := 0; i < n; i++ {
		tx, err := db.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := store.InsertLedgerEntry(ctx, tx, ledger.Entry{Kind: ledger.KindMeasurement, Ref: prefix + strconv.Itoa(i), Time: tx.Now}); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
}

// newLogInstance migrates a fresh data folder, creates its log key and puts
// n entries in its outbox; it returns the folder and the verifier key.
func newLogInstance(t *testing.T, n int) (string, string) {
	t.Helper()
	dataDir := t.TempDir()
	if code, _, errs := run(t, "", "migrate", "--data", dataDir); code != 0 {
		t.Fatalf("migrate: %s", errs)
	}
	key := logKey(t, dataDir)
	mustLogEntries(t, dataDir, "m-", n)
	return dataDir, key
}

// cosignedBy reports whether the served checkpoint has size and verifies
// with the log's key and each witness key (an independent parser).
func cosignedBy(t *testing.T, base, logKey string, size uint64, witnessKeys ...string) bool {
	t.Helper()
	code, body := httpGet(t, base+"/log/checkpoint")
	if code != 200 {
		return false
	}
	lv, err := tdnote.NewVerifier(logKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range witnessKeys {
		wv, err := tdnote.NewVerifierForCosignatureV1(k)
		if err != nil {
			t.Fatal(err)
		}
		c, _, n, err := tdlog.ParseCheckpoint([]byte(body), lv.Name(), lv, wv)
		if err != nil || c.Size != size || len(n.Sigs) != 2 {
			return false
		}
	}
	return true
}

// TestLogWitnesses runs a real serve with three witnesses started by the
// test on 127.0.0.1: one that cosigns, one that answers with a key other
// than the one configured (ignored), and a pull witness that posts its
// cosignature to /log/cosignature. A restart makes the pushed witness answer
// 409 (the new pusher does not know its size) and the retry succeeds.
func TestLogWitnesses(t *testing.T) {
	dataDir, key := newLogInstance(t, 20)
	good := ledgertest.NewWitness(t, "good.witness.test", key)
	impostor := ledgertest.NewWitness(t, "impostor.witness.test", key)
	configured := ledgertest.NewWitness(t, "impostor.witness.test", key) // its key is configured, the impostor answers
	pull := ledgertest.NewWitness(t, "pull.witness.test", key)
	args := []string{"--insecure-allow-private-addresses", "--log-witness-interval", "100ms",
		"--log-witness", good.VKey + "=" + good.URL,
		"--log-witness", configured.VKey + "=" + impostor.URL,
		"--log-witnesses", pull.VKey}
	srv := startLogServe(t, dataDir, args...)
	waitFor(t, "the good witness's cosignature on the served checkpoint", func() bool { return cosignedBy(t, srv.base, key, 20, good.VKey) })
	waitFor(t, "the impostor to be reported", func() bool { return strings.Contains(srv.stderr.String(), "impostor.witness.test") })
	if cosignedBy(t, srv.base, key, 20, configured.VKey) {
		t.Fatal("an answer signed with another key than the configured one was merged")
	}
	if !strings.Contains(srv.stderr.String(), "no cosignature that verifies with the configured key") {
		t.Errorf("the impostor's answer is not explained: %s", srv.stderr)
	}
	if code, body := httpGet(t, srv.base+"/log"); code != 200 || !strings.Contains(body, "good.witness.test") {
		t.Errorf("/log does not show the witness: %d", code)
	}

	// The pull model: POST /log/cosignature.
	_, cp := httpGet(t, srv.base+"/log/checkpoint")
	post := func(body []byte) int {
		t.Helper()
		resp, err := http.Post(srv.base+"/log/cosignature", "text/plain", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(impostor.Cosign(t, []byte(cp))); code != http.StatusForbidden {
		t.Errorf("a cosignature from an unknown key: %d, want 403", code)
	}
	if code := post([]byte("not a note")); code != http.StatusBadRequest {
		t.Errorf("garbage: %d, want 400", code)
	}
	if code := post(pull.Cosign(t, []byte(cp))); code != http.StatusNoContent {
		t.Fatalf("the pull witness's cosignature: %d, want 204", code)
	}
	if !cosignedBy(t, srv.base, key, 20, pull.VKey) || !cosignedBy(t, srv.base, key, 20, good.VKey) {
		t.Fatal("the served checkpoint does not carry both cosignatures")
	}
	if _, body := httpGet(t, srv.base+"/log"); !strings.Contains(body, "pull.witness.test") {
		t.Error("/log does not show the pull witness")
	}
	srv.stop()

	// Restart after more entries: the new pusher starts from size 0, the
	// witness answers 409 with 20, the retry carries the proof from 20.
	mustLogEntries(t, dataDir, "n-", 7)
	srv = startLogServe(t, dataDir, args...)
	waitFor(t, "the cosignature on the grown checkpoint", func() bool { return cosignedBy(t, srv.base, key, 27, good.VKey) })
	st := good.Statuses()
	if i := indexOf(st, http.StatusConflict); i < 0 || i+1 >= len(st) || st[i+1] != http.StatusOK {
		t.Fatalf("witness answers %v: want a 409 followed by a 200", st)
	}
	if origin := strings.SplitN(key, "+", 2)[0]; good.Size(origin) != 27 {
		t.Fatalf("the witness holds %d, want 27", good.Size(origin))
	}
	srv.stop()

	// Offline: `log cosign FILE` with a witness given on the command line.
	offline := ledgertest.NewWitness(t, "offline.witness.test", key)
	db := openDB(t, dataDir)
	cur, err := db.LogStorage().ReadCheckpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	file := filepath.Join(t.TempDir(), "cosigned")
	os.WriteFile(file, offline.Cosign(t, cur), 0o644)
	code, out, errs := run(t, "", "log", "cosign", "--data", dataDir, "--log-witnesses", offline.VKey, file)
	if code != 0 || !strings.Contains(out, "offline.witness.test") {
		t.Fatalf("log cosign: %d\n%s%s", code, out, errs)
	}
	os.WriteFile(file, impostor.Cosign(t, cur), 0o644)
	if code, out, errs := run(t, "", "log", "cosign", "--data", dataDir, "--log-witnesses", offline.VKey, file); code != 1 || !strings.Contains(errs, "does not verify") {
		t.Fatalf("log cosign with an unknown witness: %d\n%s%s", code, out, errs)
	}
}

// TestLogWitnessGuard: without --insecure-allow-private-addresses a witness
// on 127.0.0.1 is never reached.
func TestLogWitnessGuard(t *testing.T) {
	dataDir, key := newLogInstance(t, 3)
	w := ledgertest.NewWitness(t, "w.witness.test", key)
	srv := startLogServe(t, dataDir, "--log-witness", w.VKey+"="+w.URL)
	waitFor(t, "the refusal", func() bool { return strings.Contains(srv.stderr.String(), "blocked address") })
	if len(w.Statuses()) != 0 {
		t.Fatalf("the witness on 127.0.0.1 was reached: %v", w.Statuses())
	}
}

func indexOf(s []int, v int) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// TestLogRestore restores an old database, then puts the lost entries back
// with `log restore` from a copy of the public files; signing resumes.
func TestLogRestore(t *testing.T) {
	dataDir, key := newLogInstance(t, 30)
	srv := startLogServe(t, dataDir)
	waitFor(t, "the first checkpoint", func() bool { return checkpointSize(t, srv.base) == 30 })
	srv.stop()
	dbFile := filepath.Join(dataDir, "presswatch.db")
	backup := filepath.Join(t.TempDir(), "backup.db")
	copyFile(t, dbFile, backup)

	mustLogEntries(t, dataDir, "later-", 300)
	srv = startLogServe(t, dataDir)
	waitFor(t, "the grown checkpoint", func() bool { return checkpointSize(t, srv.base) == 330 })
	srv.stop()
	// A copy of the public files, as a mirror has them.
	mirrorDir := t.TempDir()
	db := openDB(t, dataDir)
	ro, err := ledger.New(ledger.Config{Origin: strings.SplitN(key, "+", 2)[0], Storage: db.LogStorage(), VerifierKey: key})
	if err != nil {
		t.Fatal(err)
	}
	if err := ro.WriteStatic(context.Background(), filepath.Join(mirrorDir, "log")); err != nil {
		t.Fatal(err)
	}
	db.Close()
	mirrorSrv := httptest.NewServer(http.FileServer(http.Dir(mirrorDir)))
	defer mirrorSrv.Close()

	// Restore the old database: the log is read-only.
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(dbFile + suffix)
	}
	copyFile(t, backup, dbFile)
	mustLogEntries(t, dataDir, "after-restore-", 2) // published while read-only: they wait in the outbox

	code, out, errs := run(t, "", "log", "restore", "--data", dataDir, "--from", mirrorSrv.URL+"/log")
	if code != 1 || !strings.Contains(errs, "blocked address") {
		t.Fatalf("restore from 127.0.0.1 without the allowance: %d\n%s%s", code, out, errs)
	}
	// A copy that does not make the last signed root: nothing appended.
	bad := t.TempDir()
	os.CopyFS(bad, os.DirFS(mirrorDir))
	bundle := filepath.Join(bad, "log", "tile", "entries", "000")
	b, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	os.WriteFile(bundle, b, 0o644)
	code, out, errs = run(t, "", "log", "restore", "--data", dataDir, "--from", bad)
	if code != 1 || !strings.Contains(errs, "nothing") {
		t.Fatalf("restore from an altered copy: %d\n%s%s", code, out, errs)
	}
	code, out, errs = run(t, "", "log", "restore", "--data", dataDir, "--from", mirrorSrv.URL+"/log", "--insecure-allow-private-addresses")
	if code != 0 || !strings.Contains(out, "Restored 300 entries (30 to 329)") {
		t.Fatalf("log restore: %d\n%s%s", code, out, errs)
	}
	code, out, _ = run(t, "", "log", "restore", "--data", dataDir, "--from", mirrorDir)
	if code != 0 || !strings.Contains(out, "Nothing to restore") {
		t.Fatalf("second restore: %d\n%s", code, out)
	}
	srv = startLogServe(t, dataDir)
	waitFor(t, "signing to resume with the waiting entries", func() bool { return checkpointSize(t, srv.base) == 332 })
	if strings.Contains(srv.stderr.String(), "READ-ONLY") {
		t.Fatalf("still read-only: %s", srv.stderr)
	}
	state := filepath.Join(t.TempDir(), "state")
	copyFile(t, filepath.Join(mirrorDir, "log", "checkpoint"), state)
	if code, out, errs := run(t, "", "verify", "--log", srv.base+"/log", "--key", key, "--state", state); code != 0 {
		t.Fatalf("verify from the checkpoint before the restore: %d\n%s%s", code, out, errs)
	}
}
