package monitortest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// Fleet is a generated fleet of outlets for benchmarks: outlet i is the
// virtual host "o<i>.test", its article j is /news/<j>-<slug>. Pages are
// generated on demand (no memory per article) with an ETag; every
// ChangeEvery-th article changes each time Bump is called, the rest never
// change, so conditional GETs of the rest are answered 304.
type Fleet struct {
	Server      *httptest.Server
	Outlets     int
	Articles    int
	ChangeEvery int

	version  atomic.Int64
	requests atomic.Int64
	served   atomic.Int64 // 200 answers
}

// NewFleet starts a fleet server on 127.0.0.1; it is closed with tb.
func NewFleet(tb testing.TB, outlets, articles, changeEvery int) *Fleet {
	tb.Helper()
	f := &Fleet{Outlets: outlets, Articles: articles, ChangeEvery: changeEvery}
	f.Server = httptest.NewServer(f)
	tb.Cleanup(f.Server.Close)
	return f
}

// Bump changes the changing articles.
func (f *Fleet) Bump() { f.version.Add(1) }

// Host is the virtual host of outlet i.
func (f *Fleet) Host(i int) string { return fmt.Sprintf("o%04d.test", i) }

// ArticleURL is the URL of article j of outlet i.
func (f *Fleet) ArticleURL(i, j int) string {
	return URL(f.Server.Listener.Addr().String(), f.Host(i), f.articlePath(j))
}

// HomeURL is outlet i's home page.
func (f *Fleet) HomeURL(i int) string {
	return URL(f.Server.Listener.Addr().String(), f.Host(i), "/")
}

func (f *Fleet) articlePath(j int) string {
	return fmt.Sprintf("/news/%d-%s", j, strings.ReplaceAll(strings.ToLower(strings.TrimSuffix(Sentence(strconv.Itoa(j), 4), ".")), " ", "-"))
}

// Requests returns the requests served and the 200 answers among them.
func (f *Fleet) Requests() (all, full int64) { return f.requests.Load(), f.served.Load() }

func (f *Fleet) versionOf(j int) int64 {
	if f.ChangeEvery > 0 && j%f.ChangeEvery == 0 {
		return f.version.Load()
	}
	return 0
}

// Page returns article j of outlet i at a version, and its ETag.
func (f *Fleet) Page(i, j int, version int64) ([]byte, string) {
	seed := fmt.Sprintf("%d/%d", i, j)
	title := Sentence(seed+"t", 8)
	lede := Paragraph(seed+"l", 2)
	body := Body(seed, 6)
	if version > 0 {
		body[2] = Paragraph(fmt.Sprintf("%s v%d", seed, version), 3)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s | Outlet %d</title></head><body>", html.EscapeString(title), i)
	b.WriteString(`<header><nav><a href="/">Home</a> <a href="/politics/">Politics</a></nav></header><main><article>`)
	fmt.Fprintf(&b, "<h1>%s</h1><p>%s</p>", html.EscapeString(title), html.EscapeString(lede))
	for _, p := range body {
		fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(p))
	}
	b.WriteString(`</article></main><footer>© Outlet</footer></body></html>`)
	page := []byte(b.String())
	sum := sha256.Sum256(page)
	return page, `"` + hex.EncodeToString(sum[:8]) + `"`
}

func (f *Fleet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	var i, j int
	if _, err := fmt.Sscanf(host, "o%d.test", &i); err != nil || i < 0 || i >= f.Outlets {
		http.Error(w, "no such outlet", http.StatusMisdirectedRequest)
		return
	}
	if r.URL.Path == "/robots.txt" {
		http.NotFound(w, r)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/news/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	num, _, _ := strings.Cut(rest, "-")
	j, err = strconv.Atoi(num)
	if err != nil || j < 0 || j >= f.Articles || r.URL.Path != f.articlePath(j) {
		http.NotFound(w, r)
		return
	}
	page, etag := f.Page(i, j, f.versionOf(j))
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	f.served.Add(1)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(page)
}
