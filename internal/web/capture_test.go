package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/presswatch/presswatch/internal/blob"
	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/evidence"
	"github.com/presswatch/presswatch/internal/evidence/archive"
	"github.com/presswatch/presswatch/internal/safehttp"
)

// captureEnv is a server with the evidence pages, a published incident
// whose public source was captured from a hostile page on 127.0.0.1, and a
// canary listener that the hostile page points at.
type captureEnv struct {
	*env
	ts      *httptest.Server
	capture *domain.Capture
	hidden  *domain.Capture
	canary  *atomic.Int64
}

func mustCaptureEnv(t *testing.T) *captureEnv {
	t.Helper()
	e := MustEnv(t)
	ctx := context.Background()
	var hits atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			hits.Add(1)
			c.Close()
		}
	}()
	canary := ln.Addr().String()
	hostile := fmt.Sprintf(`<!DOCTYPE html><html><head><title>Hostile page</title>
<link rel="stylesheet" href="http://%[1]s/s.css"><script src="http://%[1]s/x.js"></script>
<script>document.documentElement.setAttribute('data-ran','yes'); fetch('http://%[1]s/f');</script>
<style>body{background:url(http://%[1]s/bg.png)}</style></head>
<body><h1>Hostile page</h1><p>The censored article text is kept here for the record, paragraph one.</p>
<img src="http://%[1]s/i.png"><iframe src="http://%[1]s/frame"></iframe>
<form action="http://%[1]s/post" method="post"><input name="q"><button>go</button></form></body></html>`, canary)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, hostile)
	}))
	t.Cleanup(site.Close)
	blobs, err := blob.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	arc := &archive.Service{Store: e.db, Blobs: blobs, Capturer: &evidence.Capturer{
		Client: safehttp.New(safehttp.Options{AllowPrivate: true, Timeout: 5 * time.Second}), Software: "presswatch/test"}}
	inc := sampleIncident("Paper's article removed")
	inc.Sources[0].URL = site.URL + "/article"
	ref := e.mustPublished(inc)
	c, err := arc.CaptureNow(ctx, &domain.Capture{URL: site.URL + "/article", IncidentID: inc.ID, IncidentRef: ref})
	if err != nil || c.State != domain.CaptureDone {
		t.Fatalf("capture: %+v %v", c, err)
	}
	hidden, err := arc.CaptureNow(ctx, &domain.Capture{URL: site.URL + "/internal"})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Service: e.svc, Public: e.db, Sessions: e.db, Now: e.clock.Now, Captures: arc, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	hits.Store(0) // the capture itself did not touch the canary either; count from here
	return &captureEnv{env: e, ts: ts, capture: c, hidden: hidden, canary: &hits}
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestCapturePagesAccess(t *testing.T) {
	ce := mustCaptureEnv(t)
	id := ce.capture.ID
	cases := []struct {
		name, path string
		status     int
		want       string
	}{
		{"public capture page", fmt.Sprintf("/captures/%d", id), 200, ce.capture.WARCSHA256},
		{"replay", fmt.Sprintf("/captures/%d/replay", id), 200, "censored article text"},
		{"warc", fmt.Sprintf("/captures/%d/warc", id), 200, ""},
		{"uncited capture", fmt.Sprintf("/captures/%d", ce.hidden.ID), 404, ""},
		{"uncited replay", fmt.Sprintf("/captures/%d/replay", ce.hidden.ID), 404, ""},
		{"missing capture", "/captures/999999", 404, ""},
		{"bad id", "/captures/x", 404, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, ce.ts.URL+tc.path)
			if resp.StatusCode != tc.status || !strings.Contains(body, tc.want) {
				t.Fatalf("GET %s = %d, want %d with %q: %s", tc.path, resp.StatusCode, tc.status, tc.want, excerpt(body))
			}
		})
	}
	resp, _ := get(t, fmt.Sprintf("%s/captures/%d/replay", ce.ts.URL, id))
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.HasPrefix(csp, "sandbox;") || strings.Contains(csp, "allow-") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("replay CSP = %q", csp)
	}
	resp, _ = get(t, fmt.Sprintf("%s/captures/%d/warc", ce.ts.URL, id))
	if resp.Header.Get("Content-Type") != "application/octet-stream" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("WARC download headers: %v", resp.Header)
	}
	// Two captures of different URLs cannot be compared; the same URL can.
	resp, _ = get(t, fmt.Sprintf("%s/captures/%d/diff/%d", ce.ts.URL, id, id))
	if resp.StatusCode != 200 {
		t.Errorf("diff of a capture with itself: %d", resp.StatusCode)
	}
	if n := ce.canary.Load(); n != 0 {
		t.Errorf("the canary saw %d connections", n)
	}
}

// TestReplayInChromium opens the replay of a hostile page in headless
// Chromium: no script runs and nothing reaches the canary.
func TestReplayInChromium(t *testing.T) {
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		t.Skip("chromium is not installed at /usr/bin/chromium; skipping the browser test")
	}
	ce := mustCaptureEnv(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath("/usr/bin/chromium"), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.Flag("disable-background-networking", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 45*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/captures/%d/replay", ce.ts.URL, ce.capture.ID))); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html, "censored article text") {
		t.Fatalf("the replay does not show the page: %s", excerpt(html))
	}
	if strings.Contains(html, `data-ran="yes"`) {
		t.Error("a script of the captured page ran")
	}
	if n := ce.canary.Load(); n != 0 {
		t.Errorf("the canary saw %d connections", n)
	}
}
