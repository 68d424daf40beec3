package mirror_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserWithoutJavaScript opens the mirror in headless Chromium with
// JavaScript disabled, follows links from the home page to an incident and
// the search page's script-free fallback, and checks that the origin saw no
// request.
func TestBrowserWithoutJavaScript(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		t.Skip("chromium is not installed (/usr/bin/chromium): apt-get install chromium")
	}
	in := MustInstance(t, 6)
	out := t.TempDir()
	in.MustBuild(out, false)
	fsrv := httptest.NewServer(http.FileServer(http.Dir(out)))
	defer fsrv.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath("/usr/bin/chromium"),
		chromedp.NoSandbox, chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("blink-settings", "scriptEnabled=false"))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	before := in.hits.Load()
	step := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("browser: %s: %v", what, err)
		}
	}
	_, err := chromedp.Run(ctx, chromedp.Navigate(fsrv.URL+"/index.html"))
	step("home", err)
	_, err = chromedp.Run(ctx, chromedp.Click(chromedp.CSS(`.card h3 a`)))
	step("click an incident", err)
	_, err = chromedp.Run(ctx, chromedp.WaitVisible(chromedp.CSS(`main h1`)))
	step("incident page", err)
	h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main h1`)))
	step("h1", err)
	title, err := chromedp.Run(ctx, chromedp.Title())
	step("title", err)
	_, err = chromedp.Run(ctx, chromedp.Navigate(fsrv.URL+"/search/index.html?q=demo"))
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
