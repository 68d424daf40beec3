package ledger

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
	tdlog "github.com/transparency-dev/formats/log"
	tdnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"
)

type testWitness struct {
	name   string
	signer note.Signer
	vkey   string // cosignature/v1 verifier key
}

func mustWitness(t *testing.T, name string) testWitness {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := tdnote.NewSignerForCosignatureV1(skey)
	if err != nil {
		t.Fatal(err)
	}
	cv, err := tdnote.VKeyToCosignatureV1(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return testWitness{name: name, signer: s, vkey: cv}
}

func (w testWitness) cosign(t *testing.T, checkpoint []byte) []byte {
	t.Helper()
	text, _, _ := strings.Cut(string(checkpoint), "\n\n")
	b, err := note.Sign(&note.Note{Text: text + "\n"}, w.signer)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWitnessCosignatures(t *testing.T) {
	ctx := context.Background()
	w1, w2, stranger := mustWitness(t, "witness-one.example"), mustWitness(t, "witness-two.example"), mustWitness(t, "stranger.example")
	base := MustNewLog(t)
	l := MustOpenLog(t, base.store, base.skey, base.stateDir, w1.vkey, w2.vkey)
	MustAppend(t, l.Log, 0, 300)
	cp := MustSign(t, l.Log)

	if err := l.AddCosignature(ctx, stranger.cosign(t, cp)); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("stranger's cosignature: %v, want EINVALID", err)
	}
	for _, w := range []testWitness{w1, w2, w1} { // w1 twice: replaced, not duplicated
		if err := l.AddCosignature(ctx, w.cosign(t, cp)); err != nil {
			t.Fatalf("AddCosignature(%s): %v", w.name, err)
		}
	}
	served, err := l.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c := strings.Count(string(served), "\u2014 witness-one.example "); c != 1 {
		t.Fatalf("witness-one signs %d times:\n%s", c, served)
	}
	// An independent parser verifies the log's and both witnesses' signatures.
	lv, _ := tdnote.NewVerifier(l.vkey)
	v1, _ := tdnote.NewVerifierForCosignatureV1(w1.vkey)
	v2, _ := tdnote.NewVerifierForCosignatureV1(w2.vkey)
	_, _, n, err := tdlog.ParseCheckpoint(served, testOrigin, lv, v1, v2)
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Sigs) != 3 {
		t.Fatalf("verified signatures: %d, want 3 (log + 2 witnesses)", len(n.Sigs))
	}
	cos, err := l.Cosignatures(ctx)
	if err != nil || len(cos) != 2 || cos[0].Time.IsZero() {
		t.Fatalf("Cosignatures = %+v, %v", cos, err)
	}
	// The verifier still accepts the cosigned checkpoint.
	if _, err := Verify(ctx, DirSource(MustWriteStatic(t, l.Log)), l.vkey, VerifyOptions{}); err != nil {
		t.Fatalf("Verify cosigned log: %v", err)
	}
	// A cosignature on an older checkpoint is a conflict.
	MustAppend(t, l.Log, 300, 301)
	MustSign(t, l.Log)
	err = l.AddCosignature(ctx, w1.cosign(t, cp))
	if domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("stale cosignature: %v, want ECONFLICT", err)
	}
	// A forged witness signature is refused.
	forged := []byte(strings.Replace(string(w2.cosign(t, served)), "\n300\n", "\n301\n", 1))
	if err := l.AddCosignature(ctx, forged); err == nil || errors.Is(err, nil) {
		t.Fatalf("forged cosignature: %v", err)
	}
}
