package mirror_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/presswatch/presswatch/internal/mirror"
)

// TestBrowserWithoutJavaScript opens the mirror in headless Chromium with
// JavaScript disabled, follows links from the home page to an incident and
// the search page's script-free fallback, and checks that the origin saw no
// request.
func TestBrowserWithoutJavaScript(t *testing.T) {
	needBrowser(t)
	in, base := servedMirror(t, 6)
	ctx := browser(t, false)

	before := in.hits.Load()
	step := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("browser: %s: %v", what, err)
		}
	}
	_, err := chromedp.Run(ctx, chromedp.Navigate(base+"/index.html"))
	step("home", err)
	_, err = chromedp.Run(ctx, chromedp.Click(chromedp.CSS(`.card h3 a`)))
	step("click an incident", err)
	_, err = chromedp.Run(ctx, chromedp.WaitVisible(chromedp.CSS(`main h1`)))
	step("incident page", err)
	h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main h1`)))
	step("h1", err)
	title, err := chromedp.Run(ctx, chromedp.Title())
	step("title", err)
	_, err = chromedp.Run(ctx, chromedp.Navigate(base+"/search/index.html?q=demo"))
	step("search", err)
	searchText, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	step("search text", err)
	if h1 == "" || !strings.Contains(title, h1) {
		t.Errorf("incident page: title %q, h1 %q", title, h1)
	}
	if !strings.Contains(searchText, "By country") {
		t.Errorf("the search page without JavaScript shows no filter lists: %.200q", searchText)
	}
	if n := in.hits.Load() - before; n != 0 {
		t.Errorf("the browser made %d requests to the origin", n)
	}
}

// TestBrowserSearchScript runs the search page's script in headless
// Chromium: it finds an incident by a word of its title and its link
// opens that incident's page, in its country and year's folder (the
// script builds these links itself, by shardIncident's rule).
func TestBrowserSearchScript(t *testing.T) {
	needBrowser(t)
	in, base := servedMirror(t, 6)
	ctx := browser(t, true)
	before := in.hits.Load()

	_, err := chromedp.Run(ctx, chromedp.Navigate(base+"/search/index.html?q=demo"))
	if err == nil {
		_, err = chromedp.Run(ctx, chromedp.WaitVisible(chromedp.CSS(`#results li a`)))
	}
	if err != nil {
		t.Fatalf("the search script listed no incident for %q: %v", "demo", err)
	}
	link, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#results li a`)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = chromedp.Run(ctx, chromedp.Click(chromedp.CSS(`#results li a`)))
	if err == nil {
		_, err = chromedp.Run(ctx, chromedp.WaitVisible(chromedp.CSS(`main h1`)))
	}
	if err != nil {
		t.Fatalf("following the search result %q: %v", link, err)
	}
	h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main h1`)))
	if err != nil {
		t.Fatal(err)
	}
	at, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(h1) != strings.TrimSpace(link) || !regexp.MustCompile(`/incidents/([A-Z]{2}-\d{4})/([A-Z]{2}-\d{4})-\d+\.html$`).MatchString(at) {
		t.Errorf("the search result %q opened %s, titled %q", link, at, h1)
	}
	if n := in.hits.Load() - before; n != 0 {
		t.Errorf("the browser made %d requests to the origin", n)
	}
}

// servedMirror builds a mirror of n demo incidents and serves its folder
// with a plain file server on 127.0.0.1, whose address it returns.
func servedMirror(t *testing.T, n int) (*instance, string) {
	t.Helper()
	in := MustInstance(t, n)
	out := t.TempDir()
	in.MustBuild(out, false)
	fsrv := httptest.NewServer(http.FileServer(http.Dir(out)))
	t.Cleanup(fsrv.Close)
	return in, fsrv.URL
}

// needBrowser skips t in -short mode and where Chromium is not installed.
func needBrowser(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		t.Skip("chromium is not installed (/usr/bin/chromium): apt-get install chromium")
	}
}

// browser starts headless Chromium for t, with or without JavaScript, and
// gives a context that ends a minute later at most.
func browser(t *testing.T, script bool) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath("/usr/bin/chromium"),
		chromedp.NoSandbox, chromedp.Flag("disable-background-networking", true))
	if !script {
		opts = append(opts, chromedp.Flag("blink-settings", "scriptEnabled=false"))
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestBrowserNotFoundPage serves the mirror the way GitHub Pages and
// Netlify do (/x from x.html, 404.html for anything else) and opens the
// site's own address of an incident, and the address its page had in an
// older mirror: the 404 page's script sends the reader to the page, in its
// country and year's folder. Without the script, the 404 page explains.
func TestBrowserNotFoundPage(t *testing.T) {
	needBrowser(t)
	in := MustInstance(t, 3)
	out := t.TempDir()
	in.MustBuild(out, false)
	pages := http.FileServer(http.Dir(out))
	fsrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := filepath.Join(out, filepath.FromSlash(path.Clean(r.URL.Path)))
		if st, err := os.Stat(name); err == nil && !st.IsDir() || r.URL.Path == "/" {
			pages.ServeHTTP(w, r)
			return
		}
		if _, err := os.Stat(name + ".html"); err == nil {
			http.ServeFile(w, r, name+".html")
			return
		}
		body, _ := os.ReadFile(filepath.Join(out, mirror.NotFoundFile))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		w.Write(body)
	}))
	defer fsrv.Close()
	m, err := mirror.ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	var ref string
	for f := range m.Files {
		if p := incidentPageFile.FindString(f); p != "" && !strings.Contains(p, "/incidents/") {
			ref = strings.TrimSuffix(path.Base(p), ".html")
		}
	}
	ctx := browser(t, true)
	for _, addr := range []string{"/incidents/" + ref, "/ur/incidents/" + ref + ".html", "/incidents/" + ref + "/index.html"} {
		_, err := chromedp.Run(ctx, chromedp.Navigate(fsrv.URL+addr))
		if err == nil {
			_, err = chromedp.Run(ctx, chromedp.WaitVisible(chromedp.CSS(`main .ref, main h1`)))
		}
		at, err2 := chromedp.Run(ctx, chromedp.Location())
		if err != nil || err2 != nil {
			t.Fatalf("%s: %v %v", addr, err, err2)
		}
		want := strings.Replace(addr, ref, ref[:7]+"/"+ref, 1)
		want = strings.TrimSuffix(strings.TrimSuffix(want, "/index.html"), ".html") + ".html"
		if at != fsrv.URL+want {
			t.Errorf("%s led to %s, want %s", addr, at, want)
		}
	}
	ctx = browser(t, false)
	if _, err := chromedp.Run(ctx, chromedp.Navigate(fsrv.URL+"/incidents/"+ref)); err != nil {
		t.Fatal(err)
	}
	h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main h1`)))
	if err != nil || h1 != "Not in this copy" {
		t.Errorf("without JavaScript, the 404 page shows %q (%v)", h1, err)
	}
}
