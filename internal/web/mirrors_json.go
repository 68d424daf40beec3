package web

import (
	"net/http"
	"time"
)

// MirrorsJSON is the body of /mirrors.json: the public mirrors with each
// one's state and last verified checkpoint, and the onion address.
type MirrorsJSON struct {
	Onion   string       `json:"onion,omitempty"`
	Mirrors []MirrorJSON `json:"mirrors"`
}

// MirrorJSON is one public mirror. URL is empty for a note on how to get a
// copy by hand (kind usb-note).
type MirrorJSON struct {
	URL       string          `json:"url,omitempty"`
	Kind      string          `json:"kind"`
	Label     string          `json:"label,omitempty"`
	State     string          `json:"state"`
	CheckedAt *time.Time      `json:"checked_at,omitempty"`
	Verified  *MirrorVerified `json:"last_verified,omitempty"`
}

// MirrorVerified is the last checkpoint a watch found signed by the
// instance and consistent with its log.
type MirrorVerified struct {
	Size    int64      `json:"size"`
	Root    string     `json:"root"`
	Time    time.Time  `json:"time"`
	BuiltAt *time.Time `json:"built_at,omitempty"`
}

func (s *Server) handleMirrorsJSON(w http.ResponseWriter, r *http.Request) {
	list, onion, err := s.opts.Mirrors.Cached(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := MirrorsJSON{Onion: onion, Mirrors: []MirrorJSON{}}
	for _, m := range list {
		if !m.Public {
			continue
		}
		j := MirrorJSON{URL: m.URL, Kind: m.Kind, Label: m.Label, State: m.State}
		if !m.CheckedAt.IsZero() {
			t := m.CheckedAt
			j.CheckedAt = &t
		}
		if !m.VerifiedAt.IsZero() {
			j.Verified = &MirrorVerified{Size: m.Size, Root: m.Root, Time: m.VerifiedAt}
			if !m.BuiltAt.IsZero() {
				t := m.BuiltAt
				j.Verified.BuiltAt = &t
			}
		}
		out.Mirrors = append(out.Mirrors, j)
	}
	writeJSON(w, out)
}
