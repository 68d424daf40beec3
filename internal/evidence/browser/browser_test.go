package browser

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/safehttp"
)

// MustRenderer returns the system Chromium or skips the test.
func MustRenderer(tb testing.TB) *Renderer {
	tb.Helper()
	r, why := Find("")
	if r == nil {
		tb.Skip(why)
	}
	r.Timeout = 45 * time.Second
	return r
}

// canary is a TCP listener that counts connections.
type canary struct {
	ln net.Listener
	n  atomic.Int64
}

func newCanary(tb testing.TB) *canary {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	c := &canary{ln: ln}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			c.n.Add(1)
			conn.Close()
		}
	}()
	tb.Cleanup(func() { ln.Close() })
	return c
}

func (c *canary) addr() string { return c.ln.Addr().String() }

// hostilePage references the canary in every way a page can make the
// browser fetch something.
func hostilePage(canary string) []byte {
	return []byte(fmt.Sprintf(`<!DOCTYPE html><html><head><title>Hostile</title>
<link rel="stylesheet" href="http://%[1]s/style.css">
<link rel="prefetch" href="http://%[1]s/prefetch">
<script src="http://%[1]s/script.js"></script>
<script>document.documentElement.setAttribute('data-ran','yes'); fetch('http://%[1]s/fetch'); new WebSocket('ws://%[1]s/ws');</script>
<meta http-equiv="refresh" content="0; url=http://%[1]s/refresh">
</head><body><h1>Captured headline</h1>
<img src="http://%[1]s/img.png"><img src="http://localhost:%[2]s/img2.png"><img src="http://[::1]:%[2]s/img3.png">
<iframe src="http://%[1]s/frame"></iframe>
<form action="http://%[1]s/form" method="post"><input name="q" value="x"></form>
<p>Body text of the captured article.</p></body></html>`, canary, canary[strings.LastIndex(canary, ":")+1:]))
}

func TestRenderUsesOnlyCapturedBytes(t *testing.T) {
	r := MustRenderer(t)
	cases := []struct {
		name    string
		sub     *safehttp.Client
		scripts bool
	}{
		{"no sub-resources", nil, false},
		{"sub-resources through safehttp", safehttp.New(safehttp.Options{Timeout: 5 * time.Second}), false},
		// With scripts on, fetch() and WebSocket still reach nothing.
		{"scripts on", safehttp.New(safehttp.Options{Timeout: 5 * time.Second}), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newCanary(t)
			r := *r
			r.Subresources = tc.sub
			r.Scripts = tc.scripts
			out, err := r.Render(context.Background(), "http://news.example/article", hostilePage(c.addr()))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(out.PNG, []byte("\x89PNG")) {
				t.Errorf("screenshot is not a PNG (%d bytes)", len(out.PNG))
			}
			if !bytes.Contains(out.DOM, []byte("Captured headline")) {
				t.Errorf("DOM lacks the page: %.200s", out.DOM)
			}
			if ran := bytes.Contains(out.DOM, []byte(`data-ran="yes"`)); ran != tc.scripts {
				t.Errorf("page script ran = %t, want %t", ran, tc.scripts)
			}
			time.Sleep(300 * time.Millisecond)
			if n := c.n.Load(); n != 0 {
				t.Errorf("the canary saw %d connections", n)
			}
		})
	}
}

func TestFindMissing(t *testing.T) {
	r, why := Find("/nonexistent/chromium")
	if r != nil || !strings.Contains(why, "/nonexistent/chromium") {
		t.Fatalf("Find = %v, %q", r, why)
	}
	r = &Renderer{ExecPath: "/nonexistent/chromium", Timeout: 5 * time.Second}
	if _, err := r.Render(context.Background(), "http://example.org/", []byte("<p>x")); err == nil {
		t.Fatal("rendering without chromium succeeded")
	}
}
