package ledger

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
	"golang.org/x/mod/sumdb/note"
)

// WitnessEndpoint is an external witness the log asks for cosignatures with
// the C2SP tlog-witness add-checkpoint call.
type WitnessEndpoint struct {
	// Key is the witness's verifier key (cosignature/v1, or plain Ed25519).
	Key string
	// URL is the witness's submission prefix: requests go to
	// URL + "/add-checkpoint".
	URL string
}

// ParseWitnessEndpoint parses "NAME+HASH+KEY=URL", the form of
// --log-witness: a witness verifier key, "=", and its submission prefix.
func ParseWitnessEndpoint(s string) (WitnessEndpoint, error) {
	s = strings.TrimSpace(s)
	i := strings.Index(s, "=http://")
	if j := strings.Index(s, "=https://"); j >= 0 && (i < 0 || j < i) {
		i = j
	}
	if i <= 0 {
		return WitnessEndpoint{}, fmt.Errorf("ledger: witness %q: want KEY=URL (the witness's verifier key, '=', its http(s) submission URL)", s)
	}
	w := WitnessEndpoint{Key: s[:i], URL: strings.TrimSuffix(s[i+1:], "/")}
	if _, err := NewCosignatureVerifier(w.Key); err != nil {
		return WitnessEndpoint{}, fmt.Errorf("ledger: witness %q: %w", s, err)
	}
	u, err := url.Parse(w.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return WitnessEndpoint{}, fmt.Errorf("ledger: witness %q: %q is not an http(s) URL", s, w.URL)
	}
	return w, nil
}

// PushOptions configure a WitnessPusher. Zero values take the defaults.
type PushOptions struct {
	// Client sends the requests (pass a guarded client; default
	// http.DefaultClient). Redirects should not be followed.
	Client *http.Client
	Logger *slog.Logger
	// Timeout bounds one add-checkpoint request (default 20s).
	Timeout time.Duration
	// MinBackoff and MaxBackoff bound the pause after a failure; it doubles
	// with each failure in a row (defaults 5s and 10m).
	MinBackoff, MaxBackoff time.Duration
	// Interval is how often Run retries witnesses in backoff (default 5s).
	Interval time.Duration
}

// maxWitnessResponse bounds a witness's answer: a few signature lines.
const maxWitnessResponse = 64 << 10

// WitnessPusher sends each checkpoint the log publishes to its witnesses
// (C2SP tlog-witness add-checkpoint, with a consistency proof from the size
// the witness holds) and merges the cosignatures they return into the
// published checkpoint. It is safe for concurrent use.
type WitnessPusher struct {
	log    *Log
	opt    PushOptions
	logger *slog.Logger
	nudge  chan struct{}

	mu        sync.Mutex // serialises Push
	witnesses []*pushTarget
}

// pushTarget is one witness and what the pusher knows of it.
type pushTarget struct {
	WitnessEndpoint
	verifier note.Verifier

	mu       sync.Mutex
	size     int64  // the size the witness holds, -1 when unknown
	done     string // the checkpoint text the witness last cosigned
	failures int
	next     time.Time // no request before this (backoff)
	lastErr  error
	lastOK   time.Time
}

// WitnessStatus is what the pusher knows of one witness.
type WitnessStatus struct {
	Name      string
	URL       string
	Size      int64 // the size the witness holds, -1 when unknown
	LastOK    time.Time
	LastError string
	NextTry   time.Time
}

// NewWitnessPusher returns a pusher for the given witnesses. Each one's key
// must also be among the log's Config.Witnesses, or its cosignatures could
// not be merged.
func (l *Log) NewWitnessPusher(ws []WitnessEndpoint, opt PushOptions) (*WitnessPusher, error) {
	if l.signer == nil {
		return nil, errors.New("ledger: pushing to witnesses needs the signing log")
	}
	if opt.Client == nil {
		opt.Client = http.DefaultClient
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 20 * time.Second
	}
	if opt.MinBackoff <= 0 {
		opt.MinBackoff = 5 * time.Second
	}
	if opt.MaxBackoff < opt.MinBackoff {
		opt.MaxBackoff = max(10*time.Minute, opt.MinBackoff)
	}
	if opt.Interval <= 0 {
		opt.Interval = 5 * time.Second
	}
	p := &WitnessPusher{log: l, opt: opt, logger: opt.Logger, nudge: make(chan struct{}, 1)}
	for _, w := range ws {
		v, err := NewCosignatureVerifier(w.Key)
		if err != nil {
			return nil, fmt.Errorf("ledger: witness %s: %w", w.URL, err)
		}
		known := false
		for _, lv := range l.witnesses {
			if lv.Name() == v.Name() && lv.KeyHash() == v.KeyHash() {
				known = true
			}
		}
		if !known {
			return nil, fmt.Errorf("ledger: witness %s (%s) is not among the log's configured witness keys", v.Name(), w.URL)
		}
		p.witnesses = append(p.witnesses, &pushTarget{WitnessEndpoint: w, verifier: v, size: -1})
	}
	return p, nil
}

// Notify asks Run to push the newly signed checkpoint soon (never blocks).
func (p *WitnessPusher) Notify() {
	select {
	case p.nudge <- struct{}{}:
	default:
	}
}

// Run pushes after each Notify and every Interval (for witnesses whose
// backoff has expired) until ctx ends.
func (p *WitnessPusher) Run(ctx context.Context) {
	t := time.NewTicker(p.opt.Interval)
	defer t.Stop()
	for {
		p.Push(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-p.nudge:
		}
	}
}

// Push sends the published checkpoint to every witness that has not
// cosigned it yet and is not in backoff, in parallel, and merges the
// cosignatures. It returns the errors by witness name (nil when all went
// well or nothing was due).
func (p *WitnessPusher) Push(ctx context.Context) map[string]error {
	p.mu.Lock()
	defer p.mu.Unlock()
	cp, err := p.log.Checkpoint(ctx)
	if err != nil {
		if !domain.IsCode(err, domain.ENOTFOUND) {
			p.logger.Warn("public log: reading the checkpoint for witnesses failed", "err", err)
		}
		return nil
	}
	text, _, err := splitNote(cp)
	if err != nil {
		return nil
	}
	tree, err := ParseCheckpoint([]byte(text))
	if err != nil {
		return nil
	}
	var (
		wg   sync.WaitGroup
		emu  sync.Mutex
		errs map[string]error
	)
	now := time.Now()
	for _, w := range p.witnesses {
		w.mu.Lock()
		due := w.done != text && !now.Before(w.next)
		w.mu.Unlock()
		if !due {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := p.pushOne(ctx, w, cp, text, tree)
			w.mu.Lock()
			defer w.mu.Unlock()
			if err == nil {
				w.failures, w.next, w.lastErr, w.lastOK = 0, time.Time{}, nil, time.Now()
				return
			}
			if ctx.Err() != nil {
				return
			}
			w.failures++
			d := p.opt.MinBackoff << min(w.failures-1, 16)
			if d > p.opt.MaxBackoff || d <= 0 {
				d = p.opt.MaxBackoff
			}
			d += time.Duration(rand.Int64N(int64(d)/4 + 1)) // spread retries
			w.next, w.lastErr = time.Now().Add(d), err
			p.logger.Warn("public log: witness did not cosign; will retry", "witness", w.verifier.Name(),
				"url", w.URL, "size", tree.Size, "retry_in", d.Round(time.Second).String(), "err", err)
			emu.Lock()
			if errs == nil {
				errs = map[string]error{}
			}
			errs[w.verifier.Name()] = err
			emu.Unlock()
		}()
	}
	wg.Wait()
	return errs
}

// Status returns what the pusher knows of each witness.
func (p *WitnessPusher) Status() []WitnessStatus {
	out := make([]WitnessStatus, 0, len(p.witnesses))
	for _, w := range p.witnesses {
		w.mu.Lock()
		s := WitnessStatus{Name: w.verifier.Name(), URL: w.URL, Size: w.size, LastOK: w.lastOK, NextTry: w.next}
		if w.lastErr != nil {
			s.LastError = w.lastErr.Error()
		}
		w.mu.Unlock()
		out = append(out, s)
	}
	return out
}

// WitnessError is a witness's refusal, by HTTP status.
type WitnessError struct {
	Witness string
	Status  int
	Reason  string
}

func (e *WitnessError) Error() string {
	return fmt.Sprintf("ledger: witness %s answered %d: %s", e.Witness, e.Status, e.Reason)
}

// pushOne runs add-checkpoint for one witness; a 409 (the witness holds
// another size) is retried with the size it reports.
func (p *WitnessPusher) pushOne(ctx context.Context, w *pushTarget, cp []byte, text string, tree Checkpoint) error {
	w.mu.Lock()
	old := max(w.size, 0)
	w.mu.Unlock()
	name := w.verifier.Name()
	for attempt := 0; attempt < 3; attempt++ {
		if old > tree.Size {
			return &WitnessError{Witness: name, Status: http.StatusConflict, Reason: fmt.Sprintf(
				"it holds a checkpoint of size %d, larger than the published %d: another signer, or this log was rolled back", old, tree.Size)}
		}
		proof, err := p.log.ProveConsistency(ctx, old, tree.Size)
		if err != nil {
			return err
		}
		var body bytes.Buffer
		fmt.Fprintf(&body, "old %d\n", old)
		for _, h := range proof {
			body.WriteString(base64.StdEncoding.EncodeToString(h[:]) + "\n")
		}
		body.WriteString("\n")
		body.Write(cp)
		status, ctype, resp, err := p.post(ctx, w.URL+"/add-checkpoint", body.Bytes())
		if err != nil {
			return fmt.Errorf("ledger: witness %s: %w", name, err)
		}
		switch status {
		case http.StatusOK:
			return p.merge(ctx, w, text, tree, resp)
		case http.StatusConflict:
			n, ok := parseTreeSize(ctype, resp)
			if !ok {
				return &WitnessError{Witness: name, Status: status, Reason: "conflict without a text/x.tlog.size body"}
			}
			w.mu.Lock()
			w.size = n
			w.mu.Unlock()
			if n == old {
				return &WitnessError{Witness: name, Status: status, Reason: fmt.Sprintf(
					"it holds a different checkpoint of size %d: the witness saw another tree at that size (a fork)", n)}
			}
			old = n
		case http.StatusUnprocessableEntity:
			w.mu.Lock()
			w.size = -1
			w.mu.Unlock()
			return &WitnessError{Witness: name, Status: status, Reason: fmt.Sprintf("it rejected the consistency proof from size %d to %d", old, tree.Size)}
		case http.StatusForbidden:
			return &WitnessError{Witness: name, Status: status, Reason: "it does not trust this log's key"}
		case http.StatusNotFound:
			return &WitnessError{Witness: name, Status: status, Reason: fmt.Sprintf("it does not know the origin %q", tree.Origin)}
		default:
			return &WitnessError{Witness: name, Status: status, Reason: excerptOf(resp)}
		}
	}
	return &WitnessError{Witness: name, Status: http.StatusConflict, Reason: "its size kept changing"}
}

// merge checks that the witness answered with its own cosignature on text
// and merges it into the published checkpoint.
func (p *WitnessPusher) merge(ctx context.Context, w *pushTarget, text string, tree Checkpoint, resp []byte) error {
	name := w.verifier.Name()
	if len(resp) == 0 || resp[len(resp)-1] != '\n' {
		resp = append(resp, '\n')
	}
	msg := append([]byte(text+"\n"), resp...)
	if _, err := note.Open(msg, note.VerifierList(w.verifier)); err != nil {
		return &WitnessError{Witness: name, Status: http.StatusOK, Reason: "the answer carries no cosignature that verifies with the configured key: " + err.Error()}
	}
	err := p.log.AddCosignature(ctx, msg)
	if err != nil && !domain.IsCode(err, domain.ECONFLICT) {
		return err
	}
	// ECONFLICT: a newer checkpoint was published meanwhile; the witness
	// still holds tree.Size, and the next round sends the new one.
	w.mu.Lock()
	w.size = tree.Size
	if err == nil {
		w.done = text
	}
	w.mu.Unlock()
	return nil
}

func (p *WitnessPusher) post(ctx context.Context, u string, body []byte) (int, string, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, p.opt.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return 0, "", nil, err
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	resp, err := p.opt.Client.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxWitnessResponse+1))
	if err != nil {
		return 0, "", nil, err
	}
	if len(b) > maxWitnessResponse {
		return 0, "", nil, errors.New("the answer is larger than any cosignature")
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), b, nil
}

// parseTreeSize reads a 409 body: a decimal size and a newline, served as
// text/x.tlog.size.
func parseTreeSize(ctype string, b []byte) (int64, bool) {
	if mt, _, err := mime.ParseMediaType(ctype); err != nil || mt != "text/x.tlog.size" {
		return 0, false
	}
	s := strings.TrimSuffix(string(b), "\n")
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != s {
		return 0, false
	}
	return n, true
}

func excerptOf(b []byte) string {
	s := strings.ToValidUTF8(strings.TrimSpace(string(b)), "?")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		return "no reason given"
	}
	return strconv.Quote(s)
}
