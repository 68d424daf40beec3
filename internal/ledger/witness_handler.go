package ledger

import (
	"errors"
	"io"
	"net/http"

	"github.com/presswatch/presswatch/internal/domain"
	"golang.org/x/mod/sumdb/note"
)

// MaxCosignedNote bounds the body of POST /log/cosignature: a checkpoint
// and a few dozen signature lines fit many times over.
const MaxCosignedNote = 16 << 10

// CosignatureHandler accepts a cosigned checkpoint from a configured witness
// (the pull model: the witness fetched /log/checkpoint, cosigned it and posts
// the note back). Mount it at POST /log/cosignature. Answers: 204 merged;
// 400 not a signed note, or none is configured; 403 no signature from a
// configured witness verifies; 409 the note is for another checkpoint than
// the published one; 413 body too large.
func (l *Log) CosignatureHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			http.Error(w, "Method not allowed.", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxCosignedNote))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "The cosigned checkpoint is too large.", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "Could not read the request.", http.StatusBadRequest)
			return
		}
		if len(l.witnesses) == 0 {
			http.Error(w, "This log accepts no cosignatures: no witness is configured.", http.StatusBadRequest)
			return
		}
		if _, err := note.Open(body, note.VerifierList(l.witnesses...)); err != nil {
			var unverified *note.UnverifiedNoteError
			var invalid *note.InvalidSignatureError
			switch {
			case errors.As(err, &unverified):
				http.Error(w, "No signature verifies with a configured witness key.", http.StatusForbidden)
			case errors.As(err, &invalid):
				http.Error(w, "A witness signature does not verify.", http.StatusForbidden)
			default:
				http.Error(w, "The body is not a signed note.", http.StatusBadRequest)
			}
			return
		}
		switch err := l.AddCosignature(r.Context(), body); {
		case err == nil:
			w.WriteHeader(http.StatusNoContent)
		case domain.IsCode(err, domain.ECONFLICT), domain.IsCode(err, domain.ENOTFOUND):
			http.Error(w, "The note is not for the published checkpoint; fetch /log/checkpoint again.", http.StatusConflict)
		case domain.IsCode(err, domain.EINVALID):
			http.Error(w, "The cosignature was refused.", http.StatusBadRequest)
		default:
			http.Error(w, "Internal error.", http.StatusInternalServerError)
		}
	})
}
