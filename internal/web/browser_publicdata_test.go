package web_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

const chromiumPath = "/usr/bin/chromium"

// MustBrowser starts headless Chromium (no sandbox, no background
// networking), or skips the test when it is not installed.
func MustBrowser(t *testing.T, scripts bool) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("chromium is not installed at %s; skipping the browser test", chromiumPath)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(1024, 900))
	ctx, cancel := chromedp.NewContext(alloc)
	ctx, cancelTime := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTime(); cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if !scripts {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatalf("disable scripts: %v", err)
		}
	}
	return ctx
}

// TestBrowserPublicData walks the public data pages with JavaScript
// disabled: filter by a facet, page through, switch to Urdu (right to
// left), open statistics and the map.
func TestBrowserPublicData(t *testing.T) {
	site := MustPublicSite(t, 300) // the first country has over 50: more than its newest page
	ctx := MustBrowser(t, false)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(chromedp.Do(ctx, chromedp.Navigate(site.ts.URL+"/incidents")))
	// Filter by the first country facet.
	must(chromedp.Do(ctx, chromedp.Click(`section.facet:first-of-type li:first-child a`, chromedp.NodeVisible),
		chromedp.WaitVisible(`a.chip`)))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	must(err)
	if !strings.Contains(loc, "country=") {
		t.Fatalf("facet link went to %s", loc)
	}
	// Page through: from the newest page to the newest block.
	must(chromedp.Do(ctx, chromedp.Click(`a[rel=next]`, chromedp.NodeVisible), chromedp.WaitVisible(`a[rel=prev]`)))
	loc, err = chromedp.Run(ctx, chromedp.Location())
	must(err)
	if !strings.Contains(loc, "page=") || !strings.Contains(loc, "country=") {
		t.Fatalf("next page went to %s", loc)
	}
	// Switch to Urdu: the filter stays, the layout is right to left.
	must(chromedp.Do(ctx, chromedp.Click(`nav.langs a[hreflang=ur]`, chromedp.NodeVisible), chromedp.WaitVisible(`html[dir=rtl]`)))
	loc, err = chromedp.Run(ctx, chromedp.Location())
	must(err)
	if !strings.Contains(loc, "/ur/incidents") || !strings.Contains(loc, "country=") {
		t.Fatalf("language switch went to %s", loc)
	}
	box, err := chromedp.Run(ctx, chromedp.Dimensions(`a.brand`))
	must(err)
	if len(box.Content) == 0 || box.Content[0] < 1024/2 {
		t.Errorf("Urdu layout is not mirrored: brand at x=%v", box.Content)
	}
	// Statistics and map, in Urdu.
	must(chromedp.Do(ctx, chromedp.Navigate(site.ts.URL+"/ur/stats"), chromedp.WaitVisible(`figure.chart svg`)))
	charts, err := chromedp.Run(ctx, chromedp.Nodes(`figure.chart svg`, chromedp.AtLeast(0)))
	must(err)
	if len(charts) < 5 {
		t.Errorf("%d charts on /ur/stats", len(charts))
	}
	must(chromedp.Do(ctx, chromedp.Navigate(site.ts.URL+"/map"), chromedp.WaitVisible(`figure.map svg`)))
	maps, err := chromedp.Run(ctx, chromedp.Nodes(`figure.map svg`, chromedp.AtLeast(0)))
	must(err)
	if len(maps) != 3 {
		t.Errorf("%d maps on /map", len(maps))
	}
}

// axeViolation is what the check keeps of an axe-core result.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Nodes  []string `json:"nodes"`
}

// TestAxePublicPages runs axe-core (internal/testtools, npm) on the public
// pages in English and Urdu: no serious or critical violation. axe needs
// JavaScript, so scripts are on for this check only; the page's CSP is
// bypassed for the injected script.
func TestAxePublicPages(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	axePath := filepath.Join(filepath.Dir(file), "..", "testtools", "node_modules", "axe-core", "axe.min.js")
	axeJS, err := os.ReadFile(axePath)
	if err != nil {
		t.Skipf("axe-core is not installed (%v); run npm ci in internal/testtools", err)
	}
	site := MustPublicSite(t, 80)
	ctx := MustBrowser(t, true)
	if _, err := chromedp.Call(ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	var ref string
	{
		var p struct {
			Items []struct{ Ref string } `json:"items"`
		}
		if err := json.Unmarshal(site.mustGet(t, "/incidents.json?per_page=1"), &p); err != nil || len(p.Items) == 0 {
			t.Fatal("no incident")
		}
		ref = p.Items[0].Ref
	}
	for _, lang := range []string{"", "/ur"} {
		for _, path := range []string{"/", "/incidents", "/incidents/" + ref, "/stats", "/map", "/data"} {
			u := site.ts.URL + lang + path
			if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](string(axeJS))); err != nil {
				t.Fatalf("inject axe: %v", err)
			}
			res, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact || "", nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))))`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("axe on %s: %v", u, err)
			}
			var vs []axeViolation
			if err := json.Unmarshal([]byte(res), &vs); err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				if v.Impact == "serious" || v.Impact == "critical" {
					t.Errorf("%s%s: %s (%s) at %v", lang, path, v.ID, v.Impact, v.Nodes)
				} else {
					t.Logf("%s%s: %s (%s)", lang, path, v.ID, v.Impact)
				}
			}
		}
	}
}
