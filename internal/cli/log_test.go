package cli_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/cli"
	"github.com/presswatch/presswatch/internal/ledger"
	"github.com/presswatch/presswatch/internal/store"
)

// syncBuffer collects a server's log output while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// logServe is a real `presswatch serve` on 127.0.0.1:0 that a test can stop
// and start again on the same data folder.
type logServe struct {
	base   string
	stderr *syncBuffer
	stop   func()
}

func startLogServe(t *testing.T, dataDir string, extra ...string) *logServe {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	ls := &logServe{stderr: &syncBuffer{}}
	done := make(chan int, 1)
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", dataDir, "--log-level", "warn", "--log-interval", "100ms"}, extra...)
	go func() {
		code := cli.Run(ctx, args, func(string) string { return "" }, strings.NewReader(""), pw, ls.stderr)
		pw.Close()
		done <- code
	}()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		re := regexp.MustCompile(`listening on (http://\S+)`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case ls.base = <-addr:
	case code := <-done:
		t.Fatalf("serve exited with %d before listening: %s", code, ls.stderr)
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not start")
	}
	var once sync.Once
	ls.stop = func() {
		once.Do(func() {
			cancel()
			select {
			case code := <-done:
				if code != 0 {
					t.Errorf("serve exited with %d: %s", code, ls.stderr)
				}
			case <-time.After(15 * time.Second):
				t.Error("serve did not stop")
			}
		})
	}
	t.Cleanup(ls.stop)
	return ls
}

func httpGet(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// checkpointSize returns the size in the served checkpoint (-1 for none).
func checkpointSize(t *testing.T, base string) int64 {
	t.Helper()
	code, body := httpGet(t, base+"/log/checkpoint")
	if code != http.StatusOK {
		return -1
	}
	lines := strings.Split(body, "\n")
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		t.Fatalf("checkpoint %q", body)
	}
	return n
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// openDB opens the instance's SQLite database beside the running server, as
// an attacker with access to the disk (or a restore) would.
func openDB(t *testing.T, dataDir string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(dataDir, "presswatch.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func logKey(t *testing.T, dataDir string) string {
	t.Helper()
	code, out, errs := run(t, "", "log", "key", "--data", dataDir)
	if code != 0 {
		t.Fatalf("log key: %d %s", code, errs)
	}
	return strings.TrimSpace(out)
}

// TestLogTamper runs the real verify against a real serve with the demo
// data: valid, then one flipped byte of a published incident's content and
// of a stored entry each make it fail, naming the entry.
func TestLogTamper(t *testing.T) {
	dataDir := t.TempDir()
	srv := startLogServe(t, dataDir, "--demo")
	waitFor(t, "the demo publications to be signed", func() bool { return checkpointSize(t, srv.base) >= 200 })
	key := logKey(t, dataDir)
	state := filepath.Join(t.TempDir(), "state")
	code, out, errs := run(t, "", "verify", "--log", srv.base+"/log", "--key", key, "--state", state)
	if code != 0 || !strings.Contains(out, "OK") {
		t.Fatalf("verify of an intact log: %d\n%s%s", code, out, errs)
	}
	if !regexp.MustCompile(`content files hashed and equal: [1-9]\d*; not reachable from here: 0`).MatchString(out) {
		t.Fatalf("verify did not hash the public content:\n%s", out)
	}

	db := openDB(t, dataDir)
	ctx := context.Background()
	// A published incident's content: entry 7's data.url.
	var entry []byte
	if err := db.ReaderDB().QueryRowContext(ctx, "SELECT entry FROM log_entries WHERE idx = 7").Scan(&entry); err != nil {
		t.Fatal(err)
	}
	e, err := ledger.ParseEntry(entry)
	if err != nil {
		t.Fatal(err)
	}
	var data struct{ URL string }
	json.Unmarshal(e.Data, &data)
	var content []byte
	if err := db.ReaderDB().QueryRowContext(ctx, "SELECT content FROM log_content WHERE path = ?", data.URL).Scan(&content); err != nil {
		t.Fatal(err)
	}
	flip := func(b []byte, i int) []byte {
		c := append([]byte(nil), b...)
		c[i] ^= 0x01
		return c
	}
	sqlExec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.WriterDB().ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	sqlExec("UPDATE log_content SET content = ? WHERE path = ?", flip(content, len(content)/2), data.URL)
	code, out, errs = run(t, "", "verify", "--log", srv.base+"/log", "--key", key, "--incident", e.Ref)
	if code != 1 || !strings.Contains(errs, "entry 7:") || !strings.Contains(errs, data.URL) || !strings.Contains(errs, "altered") {
		t.Fatalf("verify after altering %s: %d\n%s%s", data.URL, code, out, errs)
	}
	sqlExec("UPDATE log_content SET content = ? WHERE path = ?", content, data.URL)

	// A stored entry.
	sqlExec("UPDATE log_entries SET entry = ? WHERE idx = 7", flip(entry, 10))
	code, out, errs = run(t, "", "verify", "--log", srv.base+"/log", "--key", key, "--state", state)
	if code != 1 || !strings.Contains(errs, "entry 7:") {
		t.Fatalf("verify after altering entry 7: %d\n%s%s", code, out, errs)
	}
	sqlExec("UPDATE log_entries SET entry = ? WHERE idx = 7", entry)
	if code, out, errs = run(t, "", "verify", "--log", srv.base+"/log", "--key", key, "--state", state); code != 0 {
		t.Fatalf("verify after repair: %d\n%s%s", code, out, errs)
	}
}

// TestVerifyWARCAndFork checks a static copy of a log: a WARC file next to
// it is hashed and a flipped byte in it is named; a log that forks from the
// one a state file saw is rejected.
func TestVerifyWARCAndFork(t *testing.T) {
	ctx := context.Background()
	skey, vkey, err := ledger.GenerateKey("fork.test/log")
	if err != nil {
		t.Fatal(err)
	}
	build := func(t *testing.T, refs ...string) string {
		t.Helper()
		site := t.TempDir()
		lg, err := ledger.New(ledger.Config{Origin: "fork.test/log", Storage: ledger.NewMemoryStorage(), SignerKey: skey, StateDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		for _, ref := range refs {
			warc := []byte("WARC/1.1\r\nWARC-Type: response\r\n\r\n" + ref)
			os.MkdirAll(filepath.Join(site, "captures"), 0o755)
			if err := os.WriteFile(filepath.Join(site, "captures", ref+".warc"), warc, 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := lg.Append(ctx, ledger.Entry{Kind: ledger.KindCapture, Ref: ref, Time: time.Unix(1_700_000_000, 0),
				SHA256: sha256Hex(warc), Data: json.RawMessage(`{"warc":"/captures/` + ref + `.warc"}`)}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := lg.Sign(ctx); err != nil {
			t.Fatal(err)
		}
		if err := lg.WriteStatic(ctx, filepath.Join(site, "log")); err != nil {
			t.Fatal(err)
		}
		return site
	}
	a := build(t, "capture-1", "capture-2", "capture-3")
	state := filepath.Join(t.TempDir(), "state")
	code, out, errs := run(t, "", "verify", "--log", filepath.Join(a, "log"), "--key", vkey, "--state", state)
	if code != 0 || !strings.Contains(out, "content files hashed and equal: 3") {
		t.Fatalf("verify: %d\n%s%s", code, out, errs)
	}
	warc := filepath.Join(a, "captures", "capture-2.warc")
	b, _ := os.ReadFile(warc)
	b[3] ^= 0x20
	os.WriteFile(warc, b, 0o644)
	code, out, errs = run(t, "", "verify", "--log", filepath.Join(a, "log"), "--key", vkey)
	if code != 1 || !strings.Contains(errs, "entry 1:") || !strings.Contains(errs, "WARC file /captures/capture-2.warc") {
		t.Fatalf("verify after altering a WARC: %d\n%s%s", code, out, errs)
	}

	// Same key, same first two entries, then a different third and more.
	fork := build(t, "capture-1", "capture-2", "capture-X", "capture-4")
	code, out, errs = run(t, "", "verify", "--log", filepath.Join(fork, "log"), "--key", vkey, "--state", state)
	if code != 1 || !strings.Contains(errs, "forked") {
		t.Fatalf("verify of a forked log: %d\n%s%s", code, out, errs)
	}
	// The state file still holds the first log's checkpoint.
	if code, out, errs = run(t, "", "verify", "--log", filepath.Join(a, "log"), "--key", vkey, "--state", state, "--incident", "capture-1"); code != 0 {
		t.Fatalf("verify of the original log after the fork was refused: %d\n%s%s", code, out, errs)
	}
}

// TestLogRollback restores an older copy of the database: signing is
// refused with a clear message, the log keeps being served read-only, and a
// reader holding the newer checkpoint sees the rollback.
func TestLogRollback(t *testing.T) {
	dataDir := t.TempDir()
	srv := startLogServe(t, dataDir, "--demo")
	waitFor(t, "the demo publications to be signed", func() bool { return checkpointSize(t, srv.base) >= 200 })
	old := checkpointSize(t, srv.base)
	srv.stop()
	dbFile := filepath.Join(dataDir, "presswatch.db")
	backup := filepath.Join(t.TempDir(), "backup.db")
	copyFile(t, dbFile, backup)

	// More entries, integrated and signed by the next run.
	db, err := store.Open(context.Background(), dbFile)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		tx, err := db.Begin(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if err := store.InsertLedgerEntry(context.Background(), tx, ledger.Entry{Kind: ledger.KindMeasurement,
			Ref: "m-" + strconv.Itoa(i), Time: tx.Now}); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	srv = startLogServe(t, dataDir)
	waitFor(t, "the new entries to be signed", func() bool { return checkpointSize(t, srv.base) == old+5 })
	key := logKey(t, dataDir)
	state := filepath.Join(t.TempDir(), "state")
	if code, out, errs := run(t, "", "verify", "--log", srv.base+"/log", "--key", key, "--state", state); code != 0 {
		t.Fatalf("verify: %d\n%s%s", code, out, errs)
	}
	srv.stop()

	// Restore the old database.
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(dbFile + suffix)
	}
	copyFile(t, backup, dbFile)
	srv = startLogServe(t, dataDir)
	want := "log size " + strconv.FormatInt(old, 10) + " is below the last signed size " + strconv.FormatInt(old+5, 10)
	waitFor(t, "signing to be refused", func() bool { return strings.Contains(srv.stderr.String(), want) })
	if !strings.Contains(srv.stderr.String(), "PUBLIC LOG READ-ONLY") {
		t.Errorf("the refusal is not loud: %s", srv.stderr)
	}
	if n := checkpointSize(t, srv.base); n != old {
		t.Fatalf("served checkpoint size %d, want the restored %d (read-only)", n, old)
	}
	if code, body := httpGet(t, srv.base+"/log"); code != 200 || !strings.Contains(body, "read-only") {
		t.Errorf("/log page does not say the log is read-only: %d", code)
	}
	if code, _ := httpGet(t, srv.base+"/log/proof/3"); code != 200 {
		t.Errorf("proofs are not served while read-only: %d", code)
	}
	code, out, errs := run(t, "", "verify", "--log", srv.base+"/log", "--key", key, "--state", state)
	if code != 1 || !strings.Contains(errs, "rolled back") {
		t.Fatalf("a reader holding the newer checkpoint did not see the rollback: %d\n%s%s", code, out, errs)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestLogCrash kills -9 a real serve process (this test binary run again,
// see TestHelperPublishingServe) while it publishes in a loop; after a
// restart every acknowledged publication is in the log and the tree extends
// the last checkpoint signed before the crash. -short runs one round.
func TestLogCrash(t *testing.T) {
	dataDir := t.TempDir()
	rounds := 3
	if testing.Short() {
		rounds = 1
	}
	var acked []string
	for round := 0; round < rounds; round++ {
		acked = append(acked, crashRound(t, dataDir, round)...)
		lastSigned := filepath.Join(dataDir, "log", ledger.LastSignedFile)
		state := filepath.Join(t.TempDir(), "state")
		if _, err := os.Stat(lastSigned); err == nil {
			copyFile(t, lastSigned, state)
		}
		srv := startLogServe(t, dataDir)
		db := openDB(t, dataDir)
		var pending, size int64
		waitFor(t, "the outbox to drain and the tree to be signed", func() bool {
			db.ReaderDB().QueryRow("SELECT COUNT(*) FROM log_entries WHERE idx IS NULL").Scan(&pending)
			db.ReaderDB().QueryRow("SELECT COALESCE(MAX(idx) + 1, 0) FROM log_entries").Scan(&size)
			return pending == 0 && checkpointSize(t, srv.base) == size
		})
		for _, ref := range acked {
			var n int
			db.ReaderDB().QueryRow("SELECT COUNT(*) FROM log_entries WHERE ref = ? AND kind = 'incident_revision' AND idx IS NOT NULL", ref).Scan(&n)
			if n != 1 {
				t.Fatalf("round %d: acknowledged publication %s is not in the log (%d entries)", round, ref, n)
			}
		}
		key := logKey(t, dataDir)
		code, out, errs := run(t, "", "verify", "--log", srv.base+"/log", "--key", key, "--state", state)
		if code != 0 {
			t.Fatalf("round %d: the log after the crash does not extend the last signed checkpoint: %d\n%s%s", round, code, out, errs)
		}
		if strings.Contains(srv.stderr.String(), "READ-ONLY") {
			t.Fatalf("round %d: signing refused after a crash: %s", round, srv.stderr)
		}
		t.Logf("round %d: %d acknowledged publications in a log of %d entries", round, len(acked), size)
		srv.stop()
		db.Close()
	}
}

// crashRound runs the publishing child, kills it with SIGKILL after some
// acknowledged publications, and returns their refs.
func crashRound(t *testing.T, dataDir string, round int) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperPublishingServe$", "-test.v=false")
	cmd.Env = append(os.Environ(), "PRESSWATCH_TEST_CRASH_CHILD="+dataDir, "PRESSWATCH_TEST_CRASH_ROUND="+strconv.Itoa(round))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []string
	sc := bufio.NewScanner(out)
	deadline := time.Now().Add(20 * time.Second)
	want := 25 + round*7 // kill at a different point each round
	for len(acked) < want && sc.Scan() {
		if ref, ok := strings.CutPrefix(sc.Text(), "ACK "); ok {
			acked = append(acked, ref)
		}
		if time.Now().After(deadline) {
			break
		}
	}
	cmd.Process.Kill() // SIGKILL: no shutdown, no deferred code
	cmd.Wait()
	if len(acked) == 0 {
		t.Fatalf("the publishing serve acknowledged nothing: %s", stderr.String())
	}
	return acked
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
