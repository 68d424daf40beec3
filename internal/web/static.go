package web

import (
	"io/fs"
	"net/http"
	"strings"
)

// handleStatic serves the embedded stylesheet and images; they are the only
// responses that may be cached.
func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	if name == "" || strings.HasSuffix(name, "/") {
		s.notFound(w, r)
		return
	}
	st, err := fs.Stat(s.static, name)
	if err != nil || st.IsDir() {
		s.notFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=86400")
	http.ServeFileFS(w, r, s.static, name)
}
