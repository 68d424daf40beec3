package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
	"golang.org/x/mod/sumdb/tlog"
)

// Handler serves the log's public files. Mount it at /log/:
//
//	mux.Handle("GET /log/", lg.Handler())
//
// It serves /log/checkpoint, /log/key, /log/tile/<L>/<N>[.p/<W>] and
// /log/tile/entries/<N>[.p/<W>] per C2SP tlog-tiles, bounded by the
// published checkpoint, and /log/proof/<index>, a JSON inclusion proof of one
// entry against the published checkpoint. A path without the /log prefix is
// served the same way.
func (l *Log) Handler() http.Handler {
	return http.HandlerFunc(l.serveHTTP)
}

func (l *Log) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Method not allowed.", http.StatusMethodNotAllowed)
		return
	}
	p := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/log"), "/")
	ctx := r.Context()
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	switch {
	case p == "checkpoint":
		b, err := l.Checkpoint(ctx)
		if err != nil {
			l.serveError(w, err)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(b)
	case p == "key":
		if l.vkey == "" {
			l.serveError(w, domain.Errorf(domain.ENOTFOUND, "no key"))
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Write([]byte(l.vkey + "\n"))
	case strings.HasPrefix(p, "tile/"):
		t, err := ParseTilePath(p)
		if err != nil {
			l.serveError(w, domain.Errorf(domain.ENOTFOUND, "no such tile"))
			return
		}
		cp, err := l.PublishedTree(ctx)
		if err != nil {
			l.serveError(w, err)
			return
		}
		b, err := l.ReadTile(ctx, t, cp.Size)
		if err != nil {
			l.serveError(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Write(b)
	case strings.HasPrefix(p, "proof/"):
		s := strings.TrimPrefix(p, "proof/")
		idx, err := strconv.ParseInt(s, 10, 64)
		if err != nil || idx < 0 || strconv.FormatInt(idx, 10) != s {
			l.serveError(w, domain.Errorf(domain.ENOTFOUND, "no such entry"))
			return
		}
		pr, err := l.InclusionProof(ctx, idx)
		if err != nil {
			l.serveError(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-cache")
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false) // the entry's bytes must stay exactly as logged
		enc.Encode(pr)
	default:
		l.serveError(w, domain.Errorf(domain.ENOTFOUND, "not found"))
	}
}

func (l *Log) serveError(w http.ResponseWriter, err error) {
	w.Header().Set("Cache-Control", "no-store")
	switch domain.ErrorCode(err) {
	case domain.ENOTFOUND:
		http.Error(w, "Not found.", http.StatusNotFound)
	default:
		http.Error(w, "Internal error.", http.StatusInternalServerError)
	}
}

// InclusionProof is the JSON document served at /log/proof/<index>: an
// entry, its RFC 6962 leaf hash and audit path (base64, leaf to root) in the
// tree of the published checkpoint, and that checkpoint.
type InclusionProof struct {
	Index      int64           `json:"index"`
	TreeSize   int64           `json:"tree_size"`
	Entry      json.RawMessage `json:"entry"`
	LeafHash   tlog.Hash       `json:"leaf_hash"`
	Proof      []tlog.Hash     `json:"inclusion_proof"`
	Checkpoint string          `json:"checkpoint"`
}

// InclusionProof proves entry index against the published checkpoint; it
// fails with ENOTFOUND when the checkpoint does not cover the entry yet.
func (l *Log) InclusionProof(ctx context.Context, index int64) (*InclusionProof, error) {
	note, err := l.Checkpoint(ctx)
	if err != nil {
		return nil, err
	}
	cp, err := l.PublishedTree(ctx)
	if err != nil {
		return nil, err
	}
	if index >= cp.Size {
		return nil, domain.Errorf(domain.ENOTFOUND, "ledger: entry %d is not in the published checkpoint yet", index)
	}
	entries, err := l.store.ReadEntries(ctx, index, index+1)
	if err != nil {
		return nil, err
	}
	if len(entries) != 1 {
		return nil, errors.New("ledger: storage returned no entry")
	}
	p, err := l.ProveInclusion(ctx, index, cp.Size)
	if err != nil {
		return nil, err
	}
	if p == nil {
		p = tlog.RecordProof{}
	}
	entry := json.RawMessage(entries[0])
	if !json.Valid(entry) {
		return nil, errors.New("ledger: stored entry is not JSON")
	}
	return &InclusionProof{Index: index, TreeSize: cp.Size, Entry: entry,
		LeafHash: tlog.RecordHash(entries[0]), Proof: p, Checkpoint: string(note)}, nil
}
