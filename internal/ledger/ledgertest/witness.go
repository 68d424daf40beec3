package ledgertest

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tdlog "github.com/transparency-dev/formats/log"
	tdnote "github.com/transparency-dev/formats/note"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// Witness is a C2SP tlog-witness started by a test on 127.0.0.1. It is
// written independently of package ledger: it parses checkpoints with
// transparency-dev/formats, verifies consistency proofs with
// transparency-dev/merkle and cosigns (cosignature/v1, Ed25519) with
// transparency-dev/formats/note.
type Witness struct {
	Name string
	// VKey is the witness's cosignature/v1 verifier key.
	VKey string
	// URL is the submission prefix: POST URL/add-checkpoint.
	URL string

	signer note.Signer
	logs   map[string]note.Verifier // by origin

	mu       sync.Mutex
	sizes    map[string]uint64
	roots    map[string][]byte
	statuses []int
	// Delay, when set, holds each answer that long (timeout tests).
	Delay time.Duration
	// Fail, when non-zero, is answered to every request (outage tests).
	Fail int
}

// NewWitness starts a witness named name that trusts the given log
// verifier keys. It stops when the test ends.
func NewWitness(tb testing.TB, name string, logVKeys ...string) *Witness {
	tb.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := tdnote.NewSignerForCosignatureV1(skey)
	if err != nil {
		tb.Fatal(err)
	}
	cv, err := tdnote.VKeyToCosignatureV1(vkey)
	if err != nil {
		tb.Fatal(err)
	}
	w := &Witness{Name: name, VKey: cv, signer: s, logs: map[string]note.Verifier{},
		sizes: map[string]uint64{}, roots: map[string][]byte{}}
	for _, k := range logVKeys {
		v, err := tdnote.NewVerifier(k)
		if err != nil {
			tb.Fatal(err)
		}
		w.logs[v.Name()] = v
	}
	srv := httptest.NewServer(http.HandlerFunc(w.serve))
	tb.Cleanup(srv.Close)
	w.URL = srv.URL + "/witness"
	return w
}

// Hold makes the witness hold size and root for origin, as if it had
// cosigned that checkpoint before.
func (w *Witness) Hold(origin string, size uint64, root []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sizes[origin], w.roots[origin] = size, root
}

// Size returns the size the witness holds for origin.
func (w *Witness) Size(origin string) uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sizes[origin]
}

// Statuses returns the status of every answer so far, in order.
func (w *Witness) Statuses() []int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]int(nil), w.statuses...)
}

func (w *Witness) answer(rw http.ResponseWriter, status int, ctype, body string) {
	w.statuses = append(w.statuses, status)
	if ctype != "" {
		rw.Header().Set("Content-Type", ctype)
	}
	rw.WriteHeader(status)
	io.WriteString(rw, body)
}

func (w *Witness) serve(rw http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/witness/add-checkpoint" {
		http.NotFound(rw, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.Delay > 0 {
		time.Sleep(w.Delay)
	}
	if w.Fail != 0 {
		w.answer(rw, w.Fail, "", "unavailable\n")
		return
	}
	if err != nil {
		w.answer(rw, http.StatusBadRequest, "", "read\n")
		return
	}
	old, proofHashes, cp, err := parseAddCheckpoint(body)
	if err != nil {
		w.answer(rw, http.StatusBadRequest, "", err.Error()+"\n")
		return
	}
	origin, _, _ := strings.Cut(string(cp), "\n")
	v, ok := w.logs[origin]
	if !ok {
		w.answer(rw, http.StatusNotFound, "", "unknown log\n")
		return
	}
	c, _, n, err := tdlog.ParseCheckpoint(cp, origin, v)
	if err != nil {
		w.answer(rw, http.StatusForbidden, "", "bad signature\n")
		return
	}
	if old > c.Size {
		w.answer(rw, http.StatusBadRequest, "", "old size beyond the checkpoint\n")
		return
	}
	if held := w.sizes[origin]; old != held {
		w.answer(rw, http.StatusConflict, "text/x.tlog.size", strconv.FormatUint(held, 10)+"\n")
		return
	}
	if old == c.Size {
		if old > 0 && !bytes.Equal(w.roots[origin], c.Hash) {
			w.answer(rw, http.StatusConflict, "text/x.tlog.size", strconv.FormatUint(old, 10)+"\n")
			return
		}
	} else if old > 0 {
		if err := proof.VerifyConsistency(rfc6962.DefaultHasher, old, c.Size, proofHashes, w.roots[origin], c.Hash); err != nil {
			w.answer(rw, http.StatusUnprocessableEntity, "", "bad proof\n")
			return
		}
	} else if len(proofHashes) != 0 {
		w.answer(rw, http.StatusUnprocessableEntity, "", "proof from 0 must be empty\n")
		return
	}
	w.sizes[origin], w.roots[origin] = c.Size, c.Hash
	signed, err := note.Sign(&note.Note{Text: n.Text}, w.signer)
	if err != nil {
		w.answer(rw, http.StatusInternalServerError, "", "sign\n")
		return
	}
	_, sigs, _ := bytes.Cut(signed, []byte("\n\n"))
	w.answer(rw, http.StatusOK, "text/plain; charset=utf-8", string(sigs))
}

// Cosign returns the witness's cosigned note for a checkpoint (the pull
// model), without checking or remembering anything.
func (w *Witness) Cosign(tb testing.TB, checkpoint []byte) []byte {
	tb.Helper()
	text, _, _ := strings.Cut(string(checkpoint), "\n\n")
	b, err := note.Sign(&note.Note{Text: text + "\n"}, w.signer)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func parseAddCheckpoint(body []byte) (old uint64, hashes [][]byte, cp []byte, err error) {
	rd := bufio.NewReader(bytes.NewReader(body))
	line, err := rd.ReadString('\n')
	if err != nil {
		return 0, nil, nil, fmt.Errorf("no old size line")
	}
	s, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), "old ")
	if !ok {
		return 0, nil, nil, fmt.Errorf("no old size line")
	}
	if old, err = strconv.ParseUint(s, 10, 64); err != nil || strconv.FormatUint(old, 10) != s {
		return 0, nil, nil, fmt.Errorf("bad old size")
	}
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			return 0, nil, nil, fmt.Errorf("no empty line")
		}
		if line == "\n" {
			break
		}
		h, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(line, "\n"))
		if err != nil || len(h) != 32 || len(hashes) == 63 {
			return 0, nil, nil, fmt.Errorf("bad proof line")
		}
		hashes = append(hashes, h)
	}
	cp, _ = io.ReadAll(rd)
	return old, hashes, cp, nil
}
