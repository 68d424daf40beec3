package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
)

// LogInfo is what the public /log page shows of the transparency log.
type LogInfo struct {
	Origin      string
	VerifierKey string
	Checkpoint  string // the signed note, with witness cosignatures
	Size        int64
	Witnesses   []WitnessInfo
	// ReadOnly says why the log is not growing (signing refused), or "".
	ReadOnly string
}

// WitnessInfo is one verified witness cosignature on the checkpoint.
type WitnessInfo struct {
	Name string
	Time string
}

// LogView is the public /log page.
type LogView struct {
	Page
	Log      *LogInfo
	Site     string // this site's root URL as the request named it
	ProofURL string // an example proof path, when the log has entries
}

func (s *Server) handleLogPage(w http.ResponseWriter, r *http.Request) {
	if s.opts.Log == nil {
		s.notFound(w, r)
		return
	}
	info, err := s.opts.Log(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l := s.cat.localizer(localeOf(r))
	v := LogView{Page: s.page(r, l.T("log.title")), Log: info, Site: siteRoot(r)}
	if info.Size > 0 {
		v.ProofURL = "/log/proof/" + itoa(int(info.Size-1))
	}
	s.render(w, r, http.StatusOK, "log_page", &v)
}

// siteRoot returns the scheme and host the request was made to.
func siteRoot(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// handleLogContent serves public content whose SHA-256 a log entry
// records, byte for byte as it was hashed.
func (s *Server) handleLogContent(w http.ResponseWriter, r *http.Request) {
	ref, file := r.PathValue("ref"), r.PathValue("file")
	if s.opts.LogContent == nil || !domain.ValidRef(ref) || !strings.HasSuffix(file, ".json") {
		s.notFound(w, r)
		return
	}
	b, err := s.opts.LogContent(r.Context(), "/incidents/"+ref+"/content/"+file)
	if err != nil {
		if domain.IsCode(err, domain.ENOTFOUND) {
			s.notFound(w, r)
			return
		}
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Write(b)
}

// logProblem is the back-office banner text when the log is read-only.
func (s *Server) logProblem(ctx context.Context) string {
	if s.opts.LogProblem == nil {
		return ""
	}
	return s.opts.LogProblem()
}
