package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/presswatch/presswatch/internal/blob"
	"github.com/presswatch/presswatch/internal/cli"
	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/intake"
	"github.com/presswatch/presswatch/internal/store"
	"github.com/presswatch/presswatch/internal/store/storetest"
)

// killCanary fills the attachments of the interrupted-upload test: no
// fragment of it may reach a disk in clear.
const killCanary = "KILL9-PLAINTEXT-CANARY-5e1d "

// TestHelperIntakeServe is not a test: TestIntakeKillMidUpload runs the test
// binary again with PRESSWATCH_TEST_INTAKE_CHILD=DATA_DIR to get a real
// `presswatch serve` process it can kill with SIGKILL.
func TestHelperIntakeServe(t *testing.T) {
	dataDir := os.Getenv("PRESSWATCH_TEST_INTAKE_CHILD")
	if dataDir == "" {
		t.Skip("helper process for the intake crash test")
	}
	args := []string{"serve", "--addr", "127.0.0.1:0", "--data", dataDir, "--log-level", "warn"}
	if r := os.Getenv("PRESSWATCH_TEST_INTAKE_OFFLINE"); r != "" {
		args = append(args, "--intake-offline-recipient", r)
	}
	os.Exit(cli.Run(context.Background(), args, func(string) string { return "" }, os.Stdin, os.Stdout, os.Stderr))
}

// mustIntakeEditor migrates dataDir and gives it an editor whose intake key
// opens with password, as an operator's first sign-in would.
func mustIntakeEditor(t *testing.T, dataDir, password string) {
	t.Helper()
	if code, _, errs := run(t, "", "migrate", "--data", dataDir); code != 0 {
		t.Fatalf("migrate: %s", errs)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dataDir, "presswatch.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ed := storetest.MustUser(t, db, "intake-editor@example.org", domain.RoleEditor)
	svc := mustIntakeService(t, db, dataDir)
	if err := svc.EnsureEditorKey(ctx, ed, "", password); err != nil {
		t.Fatal(err)
	}
}

// mustIntakeService opens the intake service of dataDir as serve does.
func mustIntakeService(t *testing.T, db *store.DB, dataDir string) *intake.Service {
	t.Helper()
	blobs, err := blob.Open(filepath.Join(dataDir, "blobs", "intake"))
	if err != nil {
		t.Fatal(err)
	}
	pepper, err := intake.LoadPepper(filepath.Join(dataDir, "intake", "pepper"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := intake.NewService(intake.Options{Store: db, Blobs: blobs, Pepper: pepper})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// sourceClient is a source's browser without JavaScript.
func sourceClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// sourceToken opens /submit and returns its form token.
func sourceToken(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	resp, err := c.Get(base + "/submit")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := reCSRF.FindSubmatch(b)
	if m == nil {
		t.Fatalf("no token on /submit: %d", resp.StatusCode)
	}
	return string(m[1])
}

// filesOf returns every regular file under the folders, by path.
func filesOf(t *testing.T, dirs ...string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, dir := range dirs {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				if b, err := os.ReadFile(p); err == nil {
					out[p] = b
				}
			}
			return nil
		})
	}
	return out
}

// noCanary fails when any fragment of the canary (a 16-byte window of it)
// is in one of the files.
func noCanary(t *testing.T, when string, files map[string][]byte) {
	t.Helper()
	c := strings.Repeat(killCanary, 2)
	for p, b := range files {
		for i := 0; i < len(killCanary); i += 4 {
			if bytes.Contains(b, []byte(c[i:i+16])) {
				t.Errorf("%s: a plaintext fragment %q is in %s", when, c[i:i+16], p)
				break
			}
		}
	}
}

// SECURITY.md check 3: a real serve process is killed with SIGKILL while a
// source streams a large upload slowly (one file already sealed and stored,
// the next one half-way). After the kill no plaintext fragment is anywhere
// in the data or temp folders; the restarted serve removes the temp file and
// the orphan blob before its first request; no row points at a missing blob;
// the report acknowledged before the crash is intact and opens through the
// CLI export and the offline key.
func TestIntakeKillMidUpload(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve processes and runs Argon2id/scrypt derivations")
	}
	dataDir, tmpDir := t.TempDir(), t.TempDir()
	mustIntakeEditor(t, dataDir, "editor password 123")
	offline, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperIntakeServe$", "-test.v=false")
	cmd.Env = append(os.Environ(), "PRESSWATCH_TEST_INTAKE_CHILD="+dataDir, "TMPDIR="+tmpDir,
		"PRESSWATCH_TEST_INTAKE_OFFLINE="+offline.Recipient().String())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	t.Cleanup(func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		re := regexp.MustCompile(`listening on (http://\S+)`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	var base string
	select {
	case base = <-addr:
	case <-time.After(90 * time.Second):
		t.Fatalf("the child serve did not start: %s", stderr.String())
	}

	// An acknowledged report first: it must survive the crash intact.
	ackFile := []byte("acknowledged file, sealed before the crash")
	c := sourceClient()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", sourceToken(t, c, base))
	mw.WriteField("text", "acknowledged report")
	fw, _ := mw.CreateFormFile("file", "ack.txt")
	fw.Write(ackFile)
	mw.Close()
	resp, err := c.Post(base+"/submit", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/submit/codename" {
		t.Fatalf("acknowledged report: %d %s", resp.StatusCode, stderr.String())
	}
	blobDir := filepath.Join(dataDir, "blobs", "intake")
	blobsBefore := countBlobs(t, blobDir)

	// The slow upload: one small file completes (its blob is stored, no row
	// yet), the second streams the canary slowly until the kill.
	c = sourceClient()
	token := sourceToken(t, c, base)
	pr, pw := io.Pipe()
	mw = multipart.NewWriter(pw)
	stopWriting := make(chan struct{})
	go func() {
		err := mw.WriteField("csrf", token)
		if err == nil {
			err = mw.WriteField("text", "interrupted report")
		}
		var w io.Writer
		if err == nil {
			w, err = mw.CreateFormFile("file", "first.bin")
		}
		if err == nil {
			_, err = io.WriteString(w, strings.Repeat(killCanary, 8000))
		}
		if err == nil {
			w, err = mw.CreateFormFile("file", "second.bin")
		}
		chunk := strings.Repeat(killCanary, 64<<10/len(killCanary))
		for err == nil {
			select {
			case <-stopWriting:
				pw.CloseWithError(io.ErrClosedPipe)
				return
			case <-time.After(5 * time.Millisecond):
			}
			_, err = io.WriteString(w, chunk)
		}
		pw.CloseWithError(err)
	}()
	defer close(stopWriting)
	posted := make(chan error, 1)
	go func() {
		resp, err := c.Post(base+"/submit", mw.FormDataContentType(), pr)
		if err == nil {
			resp.Body.Close()
			err = fmt.Errorf("the interrupted upload was answered: %d", resp.StatusCode)
		}
		posted <- err
	}()
	// Kill once the first file's blob is stored and the second's temp file
	// holds a few MB of ciphertext.
	deadline := time.Now().Add(60 * time.Second)
	for {
		if time.Now().After(deadline) {
			t.Fatalf("the upload did not progress: %s", stderr.String())
		}
		if countBlobs(t, blobDir) > blobsBefore && tempBytes(t, blobDir) > 3<<20 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Kill() // SIGKILL: no shutdown, no deferred code
	cmd.Wait()
	killed = true
	if err := <-posted; err == nil || strings.Contains(err.Error(), "answered") {
		t.Fatalf("upload after the kill: %v", err)
	}
	if tempBytes(t, blobDir) == 0 || countBlobs(t, blobDir) != blobsBefore+1 {
		t.Fatal("the crash left no half-written upload: the test did not interrupt anything")
	}
	noCanary(t, "after the kill", filesOf(t, dataDir, tmpDir))

	// Restart: the cleanup runs before the first request.
	srv := startLogServe(t, dataDir, "--intake-offline-recipient", offline.Recipient().String())
	// The temp file may be removed by the intake store's cleanup or by the
	// evidence store's (rooted at <data>/blobs, it sweeps temp files below
	// it too); the orphan blob only by intake's.
	if !strings.Contains(srv.stderr.String(), "orphan_blobs=1") {
		t.Errorf("start-up cleanup not reported: %s", srv.stderr.String())
	}
	if n := tempBytes(t, blobDir); n != 0 {
		t.Errorf("%d bytes of temp files left after the restart", n)
	}
	db := openDB(t, dataDir)
	refs := map[string]bool{}
	rows, err := db.ReaderDB().Query("SELECT blob_sha256, missing FROM intake_attachments")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var sha string
		var missing bool
		rows.Scan(&sha, &missing)
		refs[sha] = true
		if _, err := os.Stat(filepath.Join(blobDir, "sha256", sha[:2], sha[2:4], sha)); err != nil || missing {
			t.Errorf("row points at a missing blob %s (flagged %v)", sha, missing)
		}
	}
	rows.Close()
	if len(refs) != 1 {
		t.Fatalf("%d attachment rows, want the acknowledged one only", len(refs))
	}
	filepath.WalkDir(filepath.Join(blobDir, "sha256"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !refs[d.Name()] {
			t.Errorf("orphan blob left after the restart: %s", p)
		}
		return nil
	})
	var reports int
	db.ReaderDB().QueryRow("SELECT COUNT(*) FROM intake_reports").Scan(&reports)
	if reports != 1 {
		t.Errorf("%d reports, want the acknowledged one", reports)
	}
	srv.stop()
	noCanary(t, "after the restart", filesOf(t, dataDir, tmpDir))

	// The acknowledged report opens on "another machine" with the offline key.
	export := filepath.Join(t.TempDir(), "reports.tar")
	if code, _, errs := run(t, "", "intake", "export", "--data", dataDir, "--out", export); code != 0 {
		t.Fatalf("intake export: %d %s", code, errs)
	}
	exp, _ := os.ReadFile(export)
	if bytes.Contains(exp, ackFile) || bytes.Contains(exp, []byte("acknowledged report")) {
		t.Fatal("plaintext in the export")
	}
	idFile := filepath.Join(t.TempDir(), "offline.key")
	os.WriteFile(idFile, []byte(offline.String()+"\n"), 0o600)
	out := filepath.Join(t.TempDir(), "opened")
	code, stdoutText, errs := run(t, "", "intake", "decrypt", "--identity", idFile, "--in", export, "--out", out)
	if code != 0 || !strings.Contains(stdoutText, "Decrypted 1 reports") {
		t.Fatalf("intake decrypt: %d %s %s", code, stdoutText, errs)
	}
	got := filesOf(t, out)
	var sawFile, sawMessage bool
	for p, b := range got {
		if strings.HasSuffix(p, "ack.txt") && bytes.Equal(b, ackFile) {
			sawFile = true
		}
		if strings.Contains(filepath.Base(p), "message-") && bytes.Contains(b, []byte("acknowledged report")) {
			sawMessage = true
		}
	}
	if !sawFile || !sawMessage {
		names := []string{}
		for p := range got {
			names = append(names, p)
		}
		t.Fatalf("decrypted export: file %v message %v in %v", sawFile, sawMessage, names)
	}
	// Another key opens nothing.
	stranger, _ := age.GenerateX25519Identity()
	os.WriteFile(idFile, []byte(stranger.String()+"\n"), 0o600)
	if code, stdoutText, _ := run(t, "", "intake", "decrypt", "--identity", idFile, "--in", export, "--out", filepath.Join(t.TempDir(), "x")); code != 1 || !strings.Contains(stdoutText, "not sealed to this key") {
		t.Fatalf("decrypt with a stranger's key: %d %s", code, stdoutText)
	}
}

func countBlobs(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(filepath.Join(dir, "sha256"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return nil
	})
	return n
}

// tempBytes is the size of the blob store's temp files (uploads under way).
func tempBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && strings.HasPrefix(d.Name(), ".tmp-") {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}
