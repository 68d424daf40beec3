package domain

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Mirror kinds: where a copy of the public site is served.
const (
	MirrorCDN     = "cdn"      // a large content-delivery network or object store
	MirrorStatic  = "static"   // any static web host
	MirrorOnion   = "onion"    // a Tor onion service
	MirrorIPFS    = "ipfs"     // an IPFS gateway URL
	MirrorUSBNote = "usb-note" // no URL: a note on how to get a copy by hand
)

// MirrorKinds lists the kinds in display order.
var MirrorKinds = []string{MirrorCDN, MirrorStatic, MirrorOnion, MirrorIPFS, MirrorUSBNote}

// Mirror states, as the watch records them (StateUnchecked until then).
const (
	MirrorUnchecked   = "unchecked"
	MirrorOK          = "ok"
	MirrorStale       = "stale"
	MirrorAltered     = "altered"
	MirrorUnreachable = "unreachable"
	MirrorNoLog       = "no_log"
	MirrorUnknown     = "unknown"
)

// Mirror is one copy of the public site that the instance knows of and may
// advertise to readers ("if this site is blocked, use …").
type Mirror struct {
	ID     int64
	URL    string // http(s) URL; empty for a usb-note
	Kind   string
	Label  string
	Public bool // listed in the footer and /mirrors.json
	// The last watch: state, problem and time; the last checkpoint it
	// verified (signed, consistent with the log): size, root and time.
	State      string
	Problem    string
	CheckedAt  time.Time
	BuiltAt    time.Time
	Size       int64
	Root       string
	VerifiedAt time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Watchable reports whether a watch can fetch the mirror (it has an http(s)
// URL; onion services only through a proxy).
func (m *Mirror) Watchable(proxy bool) bool {
	if m.Kind == MirrorUSBNote || m.URL == "" {
		return false
	}
	u, err := url.Parse(m.URL)
	if err != nil {
		return false
	}
	if strings.HasSuffix(u.Hostname(), ".onion") && !proxy {
		return false
	}
	return true
}

// Alerting reports whether the last watch found the mirror stale, altered
// or out of reach.
func (m *Mirror) Alerting() bool {
	switch m.State {
	case MirrorStale, MirrorAltered, MirrorUnreachable, MirrorNoLog:
		return true
	}
	return false
}

// Normalize trims the fields; Validate checks them.
func (m *Mirror) Normalize() {
	m.URL = strings.TrimSpace(m.URL)
	m.Label = strings.TrimSpace(m.Label)
	m.Kind = strings.TrimSpace(m.Kind)
}

// Validate returns EINVALID with field messages.
func (m *Mirror) Validate() error {
	p := map[string]string{}
	if !slices.Contains(MirrorKinds, m.Kind) {
		p["kind"] = "Choose a kind."
	}
	if m.Kind == MirrorUSBNote {
		if m.Label == "" {
			p["label"] = "Say how readers get a copy by hand."
		}
	} else if err := ValidMirrorURL(m.URL); err != "" {
		p["url"] = err
	}
	if len(m.Label) > 300 {
		p["label"] = "Keep the label under 300 characters."
	}
	if len(p) > 0 {
		return InvalidFields(p)
	}
	return nil
}

// ValidMirrorURL returns "" for an absolute http(s) URL without user
// information, else a message.
func ValidMirrorURL(s string) string {
	if s == "" {
		return "Give the mirror's URL."
	}
	if len(s) > 2000 {
		return "This URL is too long."
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "Give an http:// or https:// URL."
	}
	if u.User != nil {
		return "A mirror's URL must not carry a user name or password."
	}
	return ""
}

// MirrorCheck is the result of one watch of a mirror.
type MirrorCheck struct {
	State     string
	Problem   string
	Size      int64  // the mirror's checkpoint size
	Root      string // its root hash, base64
	BuiltAt   time.Time
	CheckedAt time.Time
	// Verified means the checkpoint is signed by the instance and
	// consistent with its log (ok or stale): it becomes the mirror's last
	// verified checkpoint.
	Verified bool
}

// MirrorStore keeps the instance's list of mirrors and its onion address.
// Writes by a user record an audit row in the same transaction.
type MirrorStore interface {
	// ListMirrors returns every mirror, public or not, by id.
	ListMirrors(ctx context.Context) ([]*Mirror, error)
	// FindMirror returns ENOTFOUND for an unknown id.
	FindMirror(ctx context.Context, id int64) (*Mirror, error)
	// CreateMirror validates (EINVALID), fills ID; ECONFLICT for a URL
	// already listed.
	CreateMirror(ctx context.Context, by *User, m *Mirror) error
	// UpdateMirror changes URL, kind, label and public (EINVALID,
	// ENOTFOUND, ECONFLICT); a new URL forgets the last watch.
	UpdateMirror(ctx context.Context, by *User, m *Mirror) error
	// DeleteMirror returns ENOTFOUND for an unknown id.
	DeleteMirror(ctx context.Context, by *User, id int64) error
	// RecordMirrorCheck stores a watch's result (ENOTFOUND).
	RecordMirrorCheck(ctx context.Context, id int64, c MirrorCheck) error
	// OnionAddress returns the instance's own onion address ("" when none).
	OnionAddress(ctx context.Context) (string, error)
	// SetOnionAddress changes it (EINVALID for what is not an http(s) URL
	// on a .onion host; "" removes it).
	SetOnionAddress(ctx context.Context, by *User, addr string) error
}

// ValidOnionAddress returns "" when s is empty or an http(s) URL whose host
// ends in .onion, else a message.
func ValidOnionAddress(s string) string {
	if s == "" {
		return ""
	}
	if msg := ValidMirrorURL(s); msg != "" {
		return msg
	}
	u, _ := url.Parse(s)
	if !strings.HasSuffix(u.Hostname(), ".onion") {
		return "An onion address ends in .onion."
	}
	return ""
}
