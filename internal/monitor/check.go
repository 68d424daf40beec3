package monitor

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/presswatch/presswatch/internal/evidence/extract"
)

// outcome is what one fetch of an article says.
type outcome int

const (
	outSame    outcome = iota // unchanged (304, same bytes, same text, or moved)
	outChanged                // the article, with a changed text
	outGone                   // deleted: 404/410/451, redirect to a front page, soft 404
	outDown                   // no answer, 5xx, other errors
	outBlocked                // robots.txt forbids it
)

type observation struct {
	out    outcome
	reason string
	snap   Snapshot
	parts  []string
	diff   TextDiff
}

// observe fetches an article once and classifies the answer against the
// baseline.
func (m *Monitor) observe(ctx context.Context, r *round, o Outlet, a *Article, conditional bool) observation {
	var cond Conditional
	if conditional && a.State == StateLive {
		cond = a.Baseline.Conditional()
	}
	f, err := m.fetchArticle(ctx, r, o, a.URL, cond)
	if errors.Is(err, errRobots) {
		return observation{out: outBlocked, reason: "disallowed by robots.txt"}
	}
	if err != nil {
		return observation{out: outDown, reason: "no answer: " + shortError(err), snap: Snapshot{URL: a.URL, FetchedAt: r.now, Error: err.Error()}}
	}
	r.add(func(s *RoundStats) { s.RecheckBytes += f.WireBytes })
	if f.Status == 304 {
		r.add(func(s *RoundStats) { s.RecheckNotModified++ })
		snap := a.Baseline
		snap.FetchedAt = f.FetchedAt
		return observation{out: outSame, snap: snap}
	}
	switch {
	case f.Status == 404 || f.Status == 410 || f.Status == 451:
		return observation{out: outGone, reason: fmt.Sprintf("HTTP %d", f.Status), snap: NewSnapshot(f)}
	case f.Status < 200 || f.Status >= 300:
		return observation{out: outDown, reason: fmt.Sprintf("HTTP %d", f.Status), snap: NewSnapshot(f)}
	}
	if a.State == StateLive && f.Header != nil && a.Baseline.BodyHash != "" {
		if h := NewSnapshotHash(f.Body); h == a.Baseline.BodyHash {
			snap := a.Baseline
			snap.FetchedAt, snap.ETag, snap.LastModified = f.FetchedAt, f.Header.Get("ETag"), f.Header.Get("Last-Modified")
			return observation{out: outSame, snap: snap}
		}
	}
	snap := NewSnapshot(f)
	base := a.Baseline
	if a.State == StateDeleted || a.State == StateNew {
		// Any real page counts as the article being there; a front page or
		// a soft 404 does not.
		if base.Text() == "" {
			base = snap
		}
	}
	if f.Redirected && !sameURL(f.FinalURL, a.URL) {
		moved := similarity(base.Text(), snap.Text()) >= m.opts.MovedSimilarity
		if !moved {
			if kind := frontPageKind(f.FinalURL, a.URL, o.Homepage); kind != "" {
				return observation{out: outGone, reason: "redirected to " + kind + " " + f.FinalURL, snap: snap}
			}
		}
	}
	if probe, ok := m.probeFingerprint(ctx, r, o, a.URL); ok {
		if similarity(withoutURLWords(snap.Text(), a.URL), probe) >= m.opts.SoftNotFound {
			return observation{out: outGone, reason: "soft 404: the page is the site's answer for a missing URL", snap: snap}
		}
	}
	if snap.Text() == "" && base.Text() != "" {
		// A 200 page without any readable text is not the article.
		return observation{out: outGone, reason: "the page has no readable text", snap: snap}
	}
	parts, diff := m.compare(base, snap)
	if len(parts) == 0 {
		return observation{out: outSame, snap: snap}
	}
	return observation{out: outChanged, snap: snap, parts: parts, diff: diff}
}

// NewSnapshotHash is the BodyHash of a body.
func NewSnapshotHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// compare reports which parts of the article changed beyond the threshold,
// and the diff of the whole texts.
func (m *Monitor) compare(before, after Snapshot) ([]string, TextDiff) {
	var parts []string
	words := 0
	if before.Title != after.Title {
		parts = append(parts, "title")
	}
	for _, p := range []struct {
		name string
		a, b string
	}{{"lede", before.Lede, after.Lede}, {"body", before.Body, after.Body}} {
		if p.a == p.b {
			continue
		}
		d := DiffText(p.a, p.b)
		if d.WordsChanged == 0 {
			continue // punctuation or spacing only
		}
		words += d.WordsChanged
		parts = append(parts, p.name)
	}
	diff := DiffText(before.Text(), after.Text())
	titleChanged := len(parts) > 0 && parts[0] == "title"
	if !titleChanged {
		total := max(diff.WordsTotal, 1)
		if words < m.opts.EditMinWords || float64(words)/float64(total) < m.opts.EditMinRatio {
			return nil, diff
		}
	}
	return parts, diff
}

// check re-checks one article and records what it finds.
func (m *Monitor) check(ctx context.Context, r *round, o Outlet, a Article) {
	r.add(func(s *RoundStats) { s.Rechecks++ })
	obs := m.observe(ctx, r, o, &a, true)
	if ctx.Err() != nil {
		return
	}
	if obs.out == outSame && obs.snap.Status == 0 {
		obs.snap.Status = 200
	}
	a.Checks++
	down := false
	switch a.State {
	case StateNew:
		switch obs.out {
		case outSame, outChanged:
			if obs.snap.Text() != "" {
				a.State, a.Baseline = StateLive, obs.snap
			}
		case outBlocked:
			a.State = StateSkipped
		}
	case StateLive:
		switch obs.out {
		case outSame:
			a.Baseline.FetchedAt = obs.snap.FetchedAt
			a.Baseline.ETag, a.Baseline.LastModified = obs.snap.ETag, obs.snap.LastModified
			a.DownSince, a.DownReported = time.Time{}, false
		case outChanged:
			a.DownSince, a.DownReported = time.Time{}, false
			if c := m.observe(ctx, r, o, &a, false); c.out == outChanged {
				m.report(ctx, r, &a, Detection{Kind: KindEdited, Reason: "changed " + strings.Join(c.parts, ", "), Parts: c.parts, Before: a.Baseline, After: c.snap, Diff: c.diff})
				a.Baseline = c.snap
			}
		case outGone:
			a.DownSince, a.DownReported = time.Time{}, false
			if c := m.observe(ctx, r, o, &a, false); c.out == outGone {
				m.report(ctx, r, &a, Detection{Kind: KindDeleted, Reason: c.reason, Before: a.Baseline, After: c.snap, Diff: DiffText(a.Baseline.Text(), c.snap.Text())})
				a.State, a.Gone = StateDeleted, c.snap
			}
		case outDown:
			down = true
			if a.DownSince.IsZero() {
				a.DownSince = r.now
			}
			if !a.DownReported && r.now.Sub(a.DownSince) >= m.opts.UnavailableAfter {
				if c := m.observe(ctx, r, o, &a, false); c.out == outDown {
					m.report(ctx, r, &a, Detection{Kind: KindUnavailable,
						Reason: fmt.Sprintf("unavailable since %s (%s): %s", a.DownSince.UTC().Format(time.RFC3339), r.now.Sub(a.DownSince).Round(time.Minute), c.reason),
						Before: a.Baseline, After: c.snap})
					a.DownReported = true
				}
			}
		case outBlocked:
			a.State = StateSkipped
		}
	case StateDeleted:
		if obs.out == outSame || obs.out == outChanged {
			if c := m.observe(ctx, r, o, &a, false); c.out == outSame || c.out == outChanged {
				m.report(ctx, r, &a, Detection{Kind: KindRestored, Reason: "the article answers again", Before: a.Gone, After: c.snap, Diff: DiffText(a.Baseline.Text(), c.snap.Text())})
				a.State, a.Baseline, a.Gone = StateLive, c.snap, Snapshot{}
			}
		}
	}
	a.LastCheck = r.now
	next, ok := NextCheck(a.FirstSeen, r.now, m.opts.Schedule)
	if down && !a.DownReported {
		if soon := r.now.Add(m.opts.DownRecheck); !ok || soon.Before(next) {
			next, ok = soon, true
		}
	}
	a.NextCheck, a.Done = next, !ok
	if err := m.store.SaveArticle(ctx, a); err != nil {
		r.fail(fmt.Errorf("monitor: save article %s: %w", a.URL, err))
	}
}

func (m *Monitor) report(ctx context.Context, r *round, a *Article, d Detection) {
	d.URL, d.Outlet, d.At = a.URL, a.Outlet, r.now
	d, err := m.store.AddDetection(ctx, d)
	if err != nil {
		r.fail(fmt.Errorf("monitor: add detection %s: %w", a.URL, err))
		return
	}
	r.add(func(s *RoundStats) { s.Detections++; s.ByKind[d.Kind]++ })
	m.log.Info("monitor: detection", "kind", d.Kind, "url", d.URL, "reason", d.Reason)
	if m.opts.OnDetection != nil {
		if err := m.opts.OnDetection(ctx, d); err != nil {
			m.log.Error("monitor: after detection", "id", d.ID, "url", d.URL, "err", err)
			r.add(func(s *RoundStats) { s.Errors++ })
		}
	}
}

func shortError(err error) string {
	s := err.Error()
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

func sameURL(a, b string) bool {
	na, err1 := NormalizeURL(a)
	nb, err2 := NormalizeURL(b)
	return err1 == nil && err2 == nil && na == nb
}

// similarity is the word-overlap F1 of two texts; two empty texts are not
// similar (nothing to compare).
func similarity(a, b string) float64 {
	if strings.TrimSpace(a) == "" && strings.TrimSpace(b) == "" {
		return 0
	}
	f1, _, _ := extract.WordF1(a, b)
	return f1
}

// withoutURLWords removes from text the words of rawURL's path: error pages
// often repeat the address asked for, which would make every soft 404 page
// differ from the probe's.
func withoutURLWords(text, rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return text
	}
	drop := map[string]bool{}
	for _, w := range extract.Words(u.Path) {
		drop[w] = true
	}
	var keep []string
	for _, w := range extract.Words(text) {
		if !drop[w] {
			keep = append(keep, w)
		}
	}
	return strings.Join(keep, " ")
}

var (
	// articleSlug: a path segment with three or more words, or a long
	// number (an article id), or a date path.
	articleSlug = regexp.MustCompile(`[a-z0-9\p{L}]+[-_][a-z0-9\p{L}]+[-_][a-z0-9\p{L}]+|\d{5,}`)
	sectionWord = map[string]bool{"category": true, "categories": true, "section": true, "sections": true, "tag": true, "tags": true, "topic": true, "topics": true, "news": true, "latest": true, "archive": true}
)

// frontPageKind says whether finalURL, where articleURL now redirects, is
// the home page ("the home page") or a section front ("a section front"),
// from the outlet's home page and the shape of the path; "" otherwise.
func frontPageKind(finalURL, articleURL, homepage string) string {
	fu, err := url.Parse(finalURL)
	if err != nil {
		return ""
	}
	if sameURL(finalURL, homepage) || strings.Trim(fu.Path, "/") == "" {
		return "the home page"
	}
	if hu, err := url.Parse(homepage); err == nil && strings.EqualFold(hu.Host, fu.Host) && strings.Trim(hu.Path, "/") == strings.Trim(fu.Path, "/") {
		return "the home page"
	}
	if fu.RawQuery != "" && articleSlug.MatchString(strings.ToLower(fu.RawQuery)) {
		return ""
	}
	segs := strings.Split(strings.Trim(fu.Path, "/"), "/")
	last := strings.ToLower(segs[len(segs)-1])
	last = strings.TrimSuffix(last, path.Ext(last))
	if au, err := url.Parse(articleURL); err == nil {
		ap := strings.Trim(au.Path, "/")
		fp := strings.Trim(fu.Path, "/")
		if fp != "" && strings.HasPrefix(ap, fp+"/") && len(fp) < len(ap) {
			return "a section front"
		}
	}
	if articleSlug.MatchString(last) {
		return ""
	}
	if len(segs) <= 2 || (sectionWord[strings.ToLower(segs[0])] && len(segs) <= 3) {
		return "a section front"
	}
	return ""
}
