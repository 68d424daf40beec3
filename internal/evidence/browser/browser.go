// Package browser renders captured pages in headless Chromium (chromedp) for
// screenshots and rendered DOMs. It renders the bytes already captured, never
// the live site: every request the browser makes is intercepted (CDP Fetch
// domain); the page itself is answered from the captured body, and
// sub-resources are refused, or fetched through safehttp (the same SSRF
// guard as the capture) when a client is configured. Anything that would
// escape interception goes to a dead proxy.
package browser

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/presswatch/presswatch/internal/evidence"
	"github.com/presswatch/presswatch/internal/safehttp"
)

// DefaultPath is where Debian installs Chromium.
const DefaultPath = "/usr/bin/chromium"

// Renderer renders pages in a fresh headless Chromium per call.
type Renderer struct {
	// ExecPath is the Chromium binary.
	ExecPath string
	// Width is the viewport width in CSS pixels (1280 when zero); the
	// screenshot covers the full page height, at most MaxHeight (16384).
	Width     int
	MaxHeight int
	// Timeout bounds one rendering (60 s when zero).
	Timeout time.Duration
	// Scripts lets the page's own scripts run. Off by default: a hostile
	// page then cannot try anything in the browser at all.
	Scripts bool
	// Subresources, when set, fetches images and style sheets through
	// safehttp; when nil they are refused and the page renders from its
	// HTML alone.
	Subresources *safehttp.Client
	// MaxSubresourceBytes bounds one sub-resource (4 MiB when zero).
	MaxSubresourceBytes int64
}

var _ evidence.Renderer = (*Renderer)(nil)

// Find returns a Renderer for the Chromium at path (DefaultPath when
// empty), or nil and a sentence saying why there is none — the sentence
// goes into capture manifests.
func Find(path string) (*Renderer, string) {
	if path == "" {
		path = DefaultPath
	}
	if _, err := os.Stat(path); err != nil {
		if p, lerr := exec.LookPath("chromium"); lerr == nil && path == DefaultPath {
			return &Renderer{ExecPath: p}, ""
		}
		return nil, fmt.Sprintf("chromium not found at %s: install the Debian package chromium for screenshots", path)
	}
	return &Renderer{ExecPath: path}, ""
}

// Flags are the Chromium switches every rendering uses: headless, no
// sandbox (containers), no GPU, no background networking, and a proxy on a
// port where nothing listens, for loopback too, so that a request escaping
// interception fails.
func (r *Renderer) Flags() []chromedp.ExecAllocatorOption {
	opts := append([]chromedp.ExecAllocatorOption{}, chromedp.DefaultExecAllocatorOptions[:]...)
	return append(opts,
		chromedp.ExecPath(r.ExecPath),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("proxy-server", "http://127.0.0.1:9"),
		chromedp.Flag("proxy-bypass-list", "<-loopback>"),
		chromedp.Flag("webrtc-ip-handling-policy", "disable_non_proxied_udp"),
		chromedp.Flag("force-webrtc-ip-handling-policy", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints,DialMediaRouteProvider"),
		chromedp.Flag("mute-audio", true),
	)
}

// Render answers pageURL with body inside the browser and returns a
// full-page PNG screenshot and the serialised DOM.
func (r *Renderer) Render(ctx context.Context, pageURL string, body []byte) (evidence.Rendering, error) {
	var out evidence.Rendering
	target, err := url.Parse(pageURL)
	if err != nil || (target.Scheme != "http" && target.Scheme != "https") {
		return out, fmt.Errorf("browser: cannot render %q", pageURL)
	}
	target.Fragment = ""
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	dir, err := os.MkdirTemp("", "presswatch-chromium-")
	if err != nil {
		return out, fmt.Errorf("browser: profile folder: %w", err)
	}
	defer os.RemoveAll(dir)
	flags := append(r.Flags(), chromedp.UserDataDir(dir))
	if !r.Scripts {
		flags = append(flags, chromedp.Flag("blink-settings", "scriptEnabled=false"))
	}
	actx, acancel := chromedp.NewExecAllocator(ctx, flags...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()

	ct := contentType(body)
	// Subscribe before the first navigation: every request pauses until
	// answered.
	paused := chromedp.Events(bctx, fetch.RequestPaused)
	go func() {
		served := false
		for e, err := range paused {
			if err != nil {
				return
			}
			first := !served && sameDocument(e.Request.URL, target)
			if first {
				served = true
			}
			go r.answer(bctx, e, first, ct, body)
		}
	}()
	width := int64(r.Width)
	if width <= 0 {
		width = 1280
	}
	maxH := int64(r.MaxHeight)
	if maxH <= 0 {
		maxH = 16384
	}
	err = chromedp.Do(bctx,
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			if _, err := cdp.Call(ctx, t, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*"}}}); err != nil {
				return err
			}
			if _, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !r.Scripts}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, t, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: width, Height: 900, DeviceScaleFactor: 1})
			return err
		}),
		chromedp.Navigate(target.String()),
	)
	if err == nil {
		// Grow the viewport to the page's height (capped) for a full-page
		// screenshot.
		h, herr := chromedp.Run(bctx, chromedp.Evaluate[float64](`Math.max(document.documentElement ? document.documentElement.scrollHeight : 0, document.body ? document.body.scrollHeight : 0)`))
		if herr != nil || h < 1 {
			h = 900
		}
		if int64(h) > maxH {
			h = float64(maxH)
		}
		err = chromedp.Do(bctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: width, Height: int64(h), DeviceScaleFactor: 1})
			return err
		}))
	}
	if err == nil {
		out.PNG, err = chromedp.Run(bctx, chromedp.CaptureScreenshot())
	}
	if err == nil {
		var dom string
		dom, err = chromedp.Run(bctx, chromedp.OuterHTML(chromedp.CSS("html")))
		out.DOM = []byte("<!DOCTYPE html>\n" + dom)
	}
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return evidence.Rendering{}, fmt.Errorf("browser: chromium not found at %s", r.ExecPath)
		}
		return evidence.Rendering{}, fmt.Errorf("browser: render: %w", err)
	}
	return out, nil
}

// answer fulfils the page request from the captured body, and every other
// request through safehttp or not at all.
func (r *Renderer) answer(ctx context.Context, e fetch.EventRequestPaused, page bool, ct string, body []byte) {
	if page {
		_, _ = chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: e.RequestID, ResponseCode: http.StatusOK,
			ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: ct}}, Body: body})
		return
	}
	if e.ResourceType == network.ResourceTypeDocument {
		// Another navigation (meta refresh, frame, form): 204 No Content
		// keeps the browser on the captured page instead of an error page.
		_, _ = chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: e.RequestID, ResponseCode: http.StatusNoContent})
		return
	}
	if r.Subresources != nil && e.Request.Method == http.MethodGet && e.ResourceType != network.ResourceTypeDocument &&
		e.ResourceType != network.ResourceTypeWebSocket {
		if status, hdr, b, ok := r.fetchSub(ctx, e.Request.URL); ok {
			_, _ = chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: e.RequestID, ResponseCode: int64(status),
				ResponseHeaders: hdr, Body: b})
			return
		}
	}
	_, _ = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: e.RequestID, ErrorReason: network.ErrorReasonBlockedByClient})
}

func (r *Renderer) fetchSub(ctx context.Context, raw string) (int, []*fetch.HeaderEntry, []byte, bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return 0, nil, nil, false
	}
	resp, err := r.Subresources.Get(ctx, raw)
	if err != nil {
		return 0, nil, nil, false
	}
	f := resp.Final()
	if f == nil || f.StatusCode == 0 {
		return 0, nil, nil, false
	}
	max := r.MaxSubresourceBytes
	if max <= 0 {
		max = 4 << 20
	}
	if int64(len(f.Body)) > max {
		return 0, nil, nil, false
	}
	var hdr []*fetch.HeaderEntry
	if v := f.Header.Get("Content-Type"); v != "" {
		hdr = append(hdr, &fetch.HeaderEntry{Name: "Content-Type", Value: v})
	}
	hdr = append(hdr, &fetch.HeaderEntry{Name: "Content-Length", Value: strconv.Itoa(len(f.Body))})
	return f.StatusCode, hdr, f.Body, true
}

// sameDocument reports whether raw is target without its fragment.
func sameDocument(raw string, target *url.URL) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	u.Fragment = ""
	return u.String() == target.String()
}

// contentType is the type the page is served with in the browser: HTML
// (with a sniffed charset) unless the bytes are plainly something else.
func contentType(body []byte) string {
	sniffed := http.DetectContentType(body)
	mt, _, _ := mime.ParseMediaType(sniffed)
	if mt == "text/html" || mt == "text/plain" || mt == "text/xml" {
		return "text/html" // no charset: Chromium reads the page's own
	}
	return sniffed
}
