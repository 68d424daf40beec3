package ledger_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/ledger"
	"github.com/presswatch/presswatch/internal/ledger/ledgertest"
	tdlog "github.com/transparency-dev/formats/log"
	tdnote "github.com/transparency-dev/formats/note"
)

const pushOrigin = "push.test/log"

type pushLog struct {
	*ledger.Log
	skey, vkey, state string
	store             *ledger.MemoryStorage
}

func mustPushLog(t testing.TB, witnesses ...string) *pushLog {
	t.Helper()
	skey, vkey, err := ledger.GenerateKey(pushOrigin)
	if err != nil {
		t.Fatal(err)
	}
	pl := &pushLog{skey: skey, vkey: vkey, state: t.TempDir(), store: ledger.NewMemoryStorage()}
	pl.reopen(t, witnesses...)
	return pl
}

func (pl *pushLog) reopen(t testing.TB, witnesses ...string) {
	t.Helper()
	l, err := ledger.New(ledger.Config{Origin: pushOrigin, Storage: pl.store, SignerKey: pl.skey, StateDir: pl.state, Witnesses: witnesses})
	if err != nil {
		t.Fatal(err)
	}
	pl.Log = l
}

func (pl *pushLog) grow(t testing.TB, from, to int) []byte {
	t.Helper()
	ctx := context.Background()
	for i := from; i < to; i++ {
		if _, err := pl.Append(ctx, ledger.Entry{Kind: ledger.KindMeasurement, Ref: fmt.Sprint("m-", i), Time: time.Unix(1_700_000_000, 0)}); err != nil {
			t.Fatal(err)
		}
	}
	cp, err := pl.Sign(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return cp
}

func mustPusher(t *testing.T, l *ledger.Log, opt ledger.PushOptions, ws ...*ledgertest.Witness) *ledger.WitnessPusher {
	t.Helper()
	var eps []ledger.WitnessEndpoint
	for _, w := range ws {
		ep, err := ledger.ParseWitnessEndpoint(w.VKey + "=" + w.URL)
		if err != nil {
			t.Fatal(err)
		}
		eps = append(eps, ep)
	}
	if opt.MinBackoff == 0 {
		opt.MinBackoff = time.Millisecond
	}
	p, err := l.NewWitnessPusher(eps, opt)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestWitnessPush pushes checkpoints to two witnesses: both cosign, the
// served checkpoint verifies with an independent parser and all three keys,
// the next checkpoint goes with a consistency proof, and a restarted
// pusher (which does not know the sizes the witnesses hold) recovers
// through 409.
func TestWitnessPush(t *testing.T) {
	ctx := context.Background()
	pl := mustPushLog(t)
	w1 := ledgertest.NewWitness(t, "w1.example", pl.vkey)
	w2 := ledgertest.NewWitness(t, "w2.example", pl.vkey)
	pl.reopen(t, w1.VKey, w2.VKey)

	pl.grow(t, 0, 37)
	p := mustPusher(t, pl.Log, ledger.PushOptions{}, w1, w2)
	if errs := p.Push(ctx); errs != nil {
		t.Fatalf("push: %v", errs)
	}
	checkCosigned := func(size uint64) {
		t.Helper()
		cp, err := pl.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		lv, _ := tdnote.NewVerifier(pl.vkey)
		v1, _ := tdnote.NewVerifierForCosignatureV1(w1.VKey)
		v2, _ := tdnote.NewVerifierForCosignatureV1(w2.VKey)
		c, _, n, err := tdlog.ParseCheckpoint(cp, pushOrigin, lv, v1, v2)
		if err != nil {
			t.Fatalf("served checkpoint: %v\n%s", err, cp)
		}
		if c.Size != size || len(n.Sigs) != 3 {
			t.Fatalf("served checkpoint of size %d with %d verified signatures, want %d and 3:\n%s", c.Size, len(n.Sigs), size, cp)
		}
	}
	checkCosigned(37)
	if w1.Size(pushOrigin) != 37 {
		t.Fatalf("witness holds %d", w1.Size(pushOrigin))
	}
	// Nothing new: no request.
	before := len(w1.Statuses())
	p.Push(ctx)
	if len(w1.Statuses()) != before {
		t.Fatalf("a cosigned checkpoint was sent again")
	}
	// The next checkpoint, with a consistency proof from 37.
	pl.grow(t, 37, 300)
	if errs := p.Push(ctx); errs != nil {
		t.Fatalf("push: %v", errs)
	}
	checkCosigned(300)

	// A new pusher starts from old size 0: 409 tells it 300, and the retry
	// with the proof from 300 succeeds.
	pl.grow(t, 300, 301)
	p2 := mustPusher(t, pl.Log, ledger.PushOptions{}, w1, w2)
	if errs := p2.Push(ctx); errs != nil {
		t.Fatalf("push after restart: %v", errs)
	}
	checkCosigned(301)
	st := w1.Statuses()
	if !slices.Equal(st[len(st)-2:], []int{409, 200}) {
		t.Fatalf("witness answers %v, want ... 409, 200", st)
	}
	for _, s := range p2.Status() {
		if s.Size != 301 || s.LastError != "" || s.LastOK.IsZero() {
			t.Errorf("status %+v", s)
		}
	}
}

// TestWitnessPushRefusals: a witness that does not trust the log (403), one
// whose answer is signed by another key than configured, a fork seen by a
// witness (409 at the same size), outages and timeouts with backoff.
func TestWitnessPushRefusals(t *testing.T) {
	ctx := context.Background()
	pl := mustPushLog(t)
	stranger := ledgertest.NewWitness(t, "stranger.example") // trusts no log
	impostor := ledgertest.NewWitness(t, "w1.example", pl.vkey)
	real := ledgertest.NewWitness(t, "w1.example", pl.vkey)
	down := ledgertest.NewWitness(t, "down.example", pl.vkey)
	down.Fail = http.StatusServiceUnavailable
	slow := ledgertest.NewWitness(t, "slow.example", pl.vkey)
	slow.Delay = 300 * time.Millisecond
	pl.reopen(t, stranger.VKey, real.VKey, down.VKey, slow.VKey)
	pl.grow(t, 0, 10)

	// The impostor answers at the real witness's URL with its own key.
	impostorAtRealKey := &ledgertest.Witness{VKey: real.VKey, URL: impostor.URL}
	p := mustPusher(t, pl.Log, ledger.PushOptions{Timeout: 100 * time.Millisecond, MinBackoff: time.Hour}, stranger, impostorAtRealKey, down, slow)
	errs := p.Push(ctx)
	want := map[string]string{
		"stranger.example": "404: it does not know the origin", // a witness that knows no such log
		"w1.example":       "no cosignature that verifies with the configured key",
		"down.example":     "503",
		"slow.example":     "deadline exceeded",
	}
	for name, frag := range want {
		if err := errs[name]; err == nil || !strings.Contains(err.Error(), frag) {
			t.Errorf("%s: %v, want an error with %q", name, errs[name], frag)
		}
	}
	cp, _ := pl.Checkpoint(ctx)
	if strings.Count(string(cp), "\u2014 ") != 1 {
		t.Fatalf("refused or forged cosignatures were merged:\n%s", cp)
	}
	// Backoff: no new request before it expires.
	n := len(down.Statuses())
	p.Push(ctx)
	if len(down.Statuses()) != n {
		t.Fatalf("a witness in backoff was asked again")
	}
	for _, s := range p.Status() {
		if s.LastError == "" || !s.NextTry.After(time.Now().Add(50*time.Minute)) {
			t.Errorf("status %+v: want an error and a retry in about an hour", s)
		}
	}

	// A witness that holds another tree at the same size (a fork).
	forked := ledgertest.NewWitness(t, "forked.example", pl.vkey)
	forked.Hold(pushOrigin, 10, make([]byte, 32))
	pl.reopen(t, forked.VKey)
	p = mustPusher(t, pl.Log, ledger.PushOptions{}, forked)
	if err := p.Push(ctx)["forked.example"]; err == nil || !strings.Contains(err.Error(), "fork") {
		t.Fatalf("fork: %v", err)
	}
	// A witness ahead of the log (another signer, or a rollback).
	ahead := ledgertest.NewWitness(t, "ahead.example", pl.vkey)
	ahead.Hold(pushOrigin, 99, make([]byte, 32))
	pl.reopen(t, ahead.VKey)
	p = mustPusher(t, pl.Log, ledger.PushOptions{}, ahead)
	if err := p.Push(ctx)["ahead.example"]; err == nil || !strings.Contains(err.Error(), "larger than the published") {
		t.Fatalf("ahead: %v", err)
	}
	// A witness that rejects the proof (it holds a different tree at 5).
	bad := ledgertest.NewWitness(t, "bad.example", pl.vkey)
	bad.Hold(pushOrigin, 5, make([]byte, 32))
	pl.reopen(t, bad.VKey)
	p = mustPusher(t, pl.Log, ledger.PushOptions{}, bad)
	if err := p.Push(ctx)["bad.example"]; err == nil || !strings.Contains(err.Error(), "422") {
		t.Fatalf("bad proof: %v", err)
	}
}

func TestParseWitnessEndpoint(t *testing.T) {
	w := ledgertest.NewWitness(t, "w.example")
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"https", w.VKey + "=https://witness.example/w1", true},
		{"http with slash", w.VKey + "=http://127.0.0.1:9/w/", true},
		{"no url", w.VKey, false},
		{"bad key", "nope+00000000+AAAA=https://w.example", false},
		{"ftp", w.VKey + "=ftp://w.example", false},
		{"credentials", w.VKey + "=https://u:p@w.example", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ep, err := ledger.ParseWitnessEndpoint(tc.in)
			if (err == nil) != tc.ok {
				t.Fatalf("ParseWitnessEndpoint(%q) = %+v, %v", tc.in, ep, err)
			}
			if tc.ok && (ep.Key != w.VKey || strings.HasSuffix(ep.URL, "/")) {
				t.Fatalf("got %+v", ep)
			}
		})
	}
}

// TestCosignatureHandler is the pull model: POST /log/cosignature.
func TestCosignatureHandler(t *testing.T) {
	ctx := context.Background()
	pl := mustPushLog(t)
	w := ledgertest.NewWitness(t, "w.example", pl.vkey)
	other := ledgertest.NewWitness(t, "other.example", pl.vkey)
	pl.reopen(t, w.VKey)
	cp := pl.grow(t, 0, 5)
	srv := httptest.NewServer(pl.CosignatureHandler())
	defer srv.Close()
	post := func(body string) int {
		t.Helper()
		resp, err := http.Post(srv.URL, "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	forged := strings.Replace(string(w.Cosign(t, cp)), "\n5\n", "\n6\n", 1)
	for _, tc := range []struct {
		name string
		body string
		want int
	}{
		{"garbage", "hello", 400},
		{"too large", strings.Repeat("a", ledger.MaxCosignedNote+1), 413},
		{"unknown witness", string(other.Cosign(t, cp)), 403},
		{"forged", forged, 403},
		{"log's own note only", string(cp), 403},
		{"ok", string(w.Cosign(t, cp)), 204},
	} {
		if got := post(tc.body); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
	cos, err := pl.Cosignatures(ctx)
	if err != nil || len(cos) != 1 || cos[0].Name != "w.example" {
		t.Fatalf("cosignatures %+v %v", cos, err)
	}
	pl.grow(t, 5, 6)
	if got := post(string(w.Cosign(t, cp))); got != 409 {
		t.Errorf("stale: %d, want 409", got)
	}
	if resp, _ := http.Get(srv.URL); resp.StatusCode != 405 {
		t.Errorf("GET: %d", resp.StatusCode)
	}
}

// FuzzCosignatureHandler posts arbitrary bodies to POST /log/cosignature:
// the answer is always one of the documented codes, never 500, and never
// 204 for anything but a real cosignature of the published checkpoint.
func FuzzCosignatureHandler(f *testing.F) {
	pl := mustPushLog(f)
	w := ledgertest.NewWitness(f, "w.example", pl.vkey)
	pl.reopen(f, w.VKey)
	cp := pl.grow(f, 0, 3)
	f.Add([]byte("hello"))
	f.Add(cp)
	f.Add(w.Cosign(f, cp))
	h := pl.CosignatureHandler()
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/log/cosignature", strings.NewReader(string(body))))
		switch rec.Code {
		case 204, 400, 403, 409, 413:
		default:
			t.Fatalf("status %d for %q", rec.Code, body)
		}
	})
}
