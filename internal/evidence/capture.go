package evidence

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/evidence/extract"
	"github.com/presswatch/presswatch/internal/safehttp"
)

// Renderer renders a captured page in a browser. Implementations must not
// let the browser reach the network except through safehttp.
type Renderer interface {
	Render(ctx context.Context, pageURL string, body []byte) (Rendering, error)
}

// Rendering is what a Renderer produces.
type Rendering struct {
	PNG []byte // full-page screenshot
	DOM []byte // serialised DOM after rendering
}

// Capturer captures URLs as evidence. The zero value is not usable: Client
// is required.
type Capturer struct {
	Client *safehttp.Client
	// Software names the tool in warcinfo and the manifest, e.g.
	// "presswatch/1.2.0".
	Software string
	// Renderer, when set, makes screenshots and rendered DOMs.
	Renderer Renderer
	// RendererMissing says why Renderer is nil (e.g. "chromium not found at
	// /usr/bin/chromium"); it goes into the manifest.
	RendererMissing string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Extract replaces extract.ExtractReader (benchmarks, tests).
	Extract func(r io.Reader, pageURL *url.URL, contentType string) (extract.Article, error)
}

// CaptureOptions tune one capture.
type CaptureOptions struct {
	// Previous is the manifest of the last capture of the same URL: when
	// the payload is unchanged the response is written as a revisit record.
	Previous *Manifest
	// Screenshot asks the Renderer for a screenshot and rendered DOM.
	Screenshot bool
	// Header adds request headers, e.g. If-None-Match and If-Modified-Since
	// for the monitor's conditional re-checks (a 304 answer is recorded as
	// it came).
	Header http.Header
}

// Result is one capture.
type Result struct {
	WARC     []byte // gzipped WARC 1.1, one member per record
	Manifest *Manifest
	Text     string
	Article  extract.Article
	// Body is the decoded final body (not stored separately: it is in WARC).
	Body []byte
	// FetchErr is the fetch failure recorded in Manifest.Error, for callers
	// that decide whether to try again (errors.Is with safehttp's errors).
	FetchErr error
}

// Capture fetches rawURL through the safehttp client and writes the WARC.
// Network failures (DNS, refused, TLS, redirects, time-outs, blocked
// addresses) are not errors: the Result records them in Manifest.Error and
// the WARC holds whatever was exchanged. Capture returns an error only for
// an invalid URL (EINVALID) or a failure to build the WARC.
func (c *Capturer) Capture(ctx context.Context, rawURL string, opts CaptureOptions) (*Result, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || !u.IsAbs() || u.Host == "" {
		return nil, domain.Errorf(domain.EINVALID, "Invalid URL %q.", rawURL)
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	software := c.Software
	if software == "" {
		software = "presswatch"
	}
	m := &Manifest{Version: ManifestVersion, Tool: software, URL: u.String(), FetchedAt: now().UTC().Truncate(time.Second)}
	res := &Result{Manifest: m}

	var buf bytes.Buffer
	w := NewWARCWriter(&buf)
	info := &Record{Header: Header{
		{"WARC-Type", TypeWarcinfo},
		{"WARC-Date", FormatDate(m.FetchedAt)},
		{"WARC-Filename", "capture.warc.gz"},
		{"Content-Type", "application/warc-fields"},
	}}
	info.Block = []byte(fmt.Sprintf("software: %s\r\nformat: WARC File Format 1.1\r\nconformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\nrobots: ignore\r\ndigest-convention: %s\r\n", software, DigestConvention))
	if err := w.Write(info); err != nil {
		return nil, err
	}
	infoID := info.ID()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "Invalid URL %q.", rawURL)
	}
	for k, v := range opts.Header {
		req.Header[k] = append([]string(nil), v...)
	}
	resp, ferr := c.Client.Do(req)
	if ferr != nil {
		m.Error = ferr.Error()
		res.FetchErr = ferr
	}
	var finalResp *Record
	final := resp.Final()
	for i, ex := range resp.Exchanges {
		hop := Hop{URL: ex.URL, Status: ex.StatusCode, Location: ex.Location, ServerIP: hostOf(ex.RemoteAddr)}
		if ex.Err != nil {
			hop.Error = ex.Err.Error()
		}
		date := FormatDate(ex.StartedAt)
		var reqRec *Record
		if len(ex.RawRequest) > 0 {
			reqRec = &Record{Header: Header{
				{"WARC-Type", TypeRequest},
				{"WARC-Target-URI", ex.URL},
				{"WARC-Date", date},
				{"WARC-Warcinfo-ID", infoID},
				{"Content-Type", "application/http;msgtype=request"},
			}, Block: ex.RawRequest}
			if hop.ServerIP != "" {
				reqRec.Header.Set("WARC-IP-Address", hop.ServerIP)
			}
			if err := w.Write(reqRec); err != nil {
				return nil, err
			}
			hop.RequestID = reqRec.ID()
		}
		if ex.StatusCode != 0 && len(ex.RawResponse) > 0 {
			rec := &Record{Header: Header{
				{"WARC-Type", TypeResponse},
				{"WARC-Target-URI", ex.URL},
				{"WARC-Date", date},
				{"WARC-Warcinfo-ID", infoID},
				{"Content-Type", "application/http;msgtype=response"},
			}, Block: ex.RawResponse}
			if hop.ServerIP != "" {
				rec.Header.Set("WARC-IP-Address", hop.ServerIP)
			}
			if reqRec != nil {
				rec.Header.Set("WARC-Concurrent-To", reqRec.ID())
			}
			if ex.Truncated || ex.RawTruncated {
				rec.Header.Set("WARC-Truncated", "length")
			}
			if ex == final && i == len(resp.Exchanges)-1 {
				c.maybeRevisit(rec, opts.Previous, m)
			}
			if err := w.Write(rec); err != nil {
				return nil, err
			}
			hop.ResponseID = rec.ID()
			if ex == final {
				finalResp = rec
			}
		}
		m.Redirects = append(m.Redirects, hop)
	}
	if len(m.Redirects) == 1 {
		m.Redirects = nil // only the final exchange: no redirect chain
	}

	if final != nil && final.StatusCode != 0 {
		m.FinalURL = final.URL
		m.Status = final.StatusCode
		m.Headers = Headers(final.Header)
		m.ContentType = final.Header.Get("Content-Type")
		m.ServerIP = hostOf(final.RemoteAddr)
		m.TLS = tlsManifest(final.TLS)
		m.BodySHA256 = SHA256Hex(final.Body)
		m.BodySize = int64(len(final.Body))
		m.Truncated = final.Truncated || final.RawTruncated
		res.Body = final.Body
		if final.DecodeError != "" {
			m.Errors = append(m.Errors, final.DecodeError)
		}
		if finalResp != nil {
			m.ResponseRecordID = finalResp.ID()
			m.PayloadDigest = finalResp.Header.Get("WARC-Payload-Digest")
		}
		res.Article, res.Text = c.extractText(final, m)
	}
	if res.Text != "" {
		text := []byte(res.Text)
		m.TextSHA256 = SHA256Hex(text)
		m.TextLength = utf8.RuneCount(text)
		rec := &Record{Header: Header{
			{"WARC-Type", TypeResource},
			{"WARC-Target-URI", "urn:text:" + m.FinalURL},
			{"WARC-Date", FormatDate(m.FetchedAt)},
			{"WARC-Warcinfo-ID", infoID},
			{"Content-Type", "text/plain; charset=utf-8"},
		}, Block: text}
		if finalResp != nil {
			rec.Header.Set("WARC-Refers-To", finalResp.ID())
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	if err := c.render(ctx, w, infoID, final, opts, m); err != nil {
		return nil, err
	}

	js, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("evidence: manifest: %w", err)
	}
	meta := &Record{Header: Header{
		{"WARC-Type", TypeMetadata},
		{"WARC-Target-URI", m.URL},
		{"WARC-Date", FormatDate(m.FetchedAt)},
		{"WARC-Warcinfo-ID", infoID},
		{"Content-Type", "application/vnd.presswatch.manifest+json"},
	}, Block: js}
	if finalResp != nil {
		meta.Header.Set("WARC-Refers-To", finalResp.ID())
	}
	if err := w.Write(meta); err != nil {
		return nil, err
	}
	res.WARC = buf.Bytes()
	return res, nil
}

// maybeRevisit turns rec into a revisit record when its payload equals the
// previous capture's.
func (c *Capturer) maybeRevisit(rec *Record, prev *Manifest, m *Manifest) {
	if prev == nil || prev.PayloadDigest == "" || prev.Truncated || rec.Header.Get("WARC-Truncated") != "" {
		return
	}
	p, ok := Payload(rec)
	if !ok {
		return
	}
	digest := DigestSHA256(p)
	if digest != prev.PayloadDigest {
		return
	}
	origID, origURL, origDate := prev.ResponseRecordID, prev.FinalURL, prev.FetchedAt
	if prev.Revisit {
		origID, origURL, origDate = prev.OriginalRecordID, prev.OriginalURL, prev.OriginalDate
	}
	if origID == "" {
		return
	}
	head := rec.Block
	if i := bytes.Index(head, []byte("\r\n\r\n")); i >= 0 {
		head = head[:i+4]
	}
	rec.Block = head
	rec.Header.Set("WARC-Type", TypeRevisit)
	rec.Header.Set("WARC-Profile", ProfileIdenticalPayload)
	rec.Header.Set("WARC-Refers-To", origID)
	rec.Header.Set("WARC-Refers-To-Target-URI", origURL)
	rec.Header.Set("WARC-Refers-To-Date", FormatDate(origDate))
	rec.Header.Set("WARC-Payload-Digest", digest)
	m.Revisit = true
	m.OriginalRecordID, m.OriginalURL, m.OriginalDate = origID, origURL, origDate
}

// extractText returns the article of an HTML page or the text of a plain
// text body; other types (PDF, images) have no text.
func (c *Capturer) extractText(ex *safehttp.Exchange, m *Manifest) (art extract.Article, text string) {
	ct := ex.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	if mt == "" {
		mt, _, _ = mime.ParseMediaType(http.DetectContentType(ex.Body))
	}
	switch mt {
	case "text/html", "application/xhtml+xml":
	case "text/plain":
		return art, strings.ToValidUTF8(string(ex.Body), "\uFFFD")
	default:
		m.Errors = append(m.Errors, fmt.Sprintf("no text extracted from %s", mt))
		return art, ""
	}
	pageURL, _ := url.Parse(ex.URL)
	defer func() {
		if r := recover(); r != nil {
			m.Errors = append(m.Errors, fmt.Sprintf("extract: panic: %v", r))
			art, text = extract.Article{}, ""
		}
	}()
	fn := c.Extract
	if fn == nil {
		fn = extract.ExtractReader
	}
	art, err := fn(bytes.NewReader(ex.Body), pageURL, ct)
	if err != nil {
		m.Errors = append(m.Errors, err.Error())
	}
	m.Title = art.Title
	m.Language = art.Language
	return art, art.Text
}

func (c *Capturer) render(ctx context.Context, w *WARCWriter, infoID string, final *safehttp.Exchange, opts CaptureOptions, m *Manifest) error {
	switch {
	case !opts.Screenshot:
		m.ScreenshotMissing, m.DOMMissing = "not requested", "not requested"
		return nil
	case c.Renderer == nil:
		why := c.RendererMissing
		if why == "" {
			why = "no browser configured"
		}
		m.ScreenshotMissing, m.DOMMissing = why, why
		return nil
	case final == nil || final.StatusCode == 0:
		m.ScreenshotMissing, m.DOMMissing = "no response to render", "no response to render"
		return nil
	case !isHTML(final):
		m.ScreenshotMissing, m.DOMMissing = "not an HTML page", "not an HTML page"
		return nil
	}
	r, err := c.Renderer.Render(ctx, final.URL, final.Body)
	if err != nil {
		why := "render failed: " + err.Error()
		m.ScreenshotMissing, m.DOMMissing = why, why
		return nil
	}
	for _, item := range []struct {
		data    []byte
		urn, ct string
		missing *string
	}{
		{r.PNG, "urn:screenshot:", "image/png", &m.ScreenshotMissing},
		{r.DOM, "urn:dom:", "text/html; charset=utf-8", &m.DOMMissing},
	} {
		if len(item.data) == 0 {
			*item.missing = "renderer returned nothing"
			continue
		}
		rec := &Record{Header: Header{
			{"WARC-Type", TypeResource},
			{"WARC-Target-URI", item.urn + final.URL},
			{"WARC-Date", FormatDate(m.FetchedAt)},
			{"WARC-Warcinfo-ID", infoID},
			{"Content-Type", item.ct},
		}, Block: item.data}
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	if len(r.PNG) > 0 {
		m.ScreenshotSHA256 = SHA256Hex(r.PNG)
	}
	return nil
}

func hostOf(addr string) string {
	if addr == "" {
		return ""
	}
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return h
}

// ParseManifest decodes a manifest from a metadata record block.
func ParseManifest(b []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("evidence: parse manifest: %w", err)
	}
	if m.Version != ManifestVersion {
		return nil, errors.New("evidence: parse manifest: unknown manifest_version")
	}
	return &m, nil
}

// CheckURL returns an EINVALID error with a sentence for a URL that cannot
// be captured: not absolute, not http or https, or too long. Addresses are
// checked later, by safehttp, after DNS resolution.
func CheckURL(raw string) error {
	raw = strings.TrimSpace(raw)
	if len(raw) > 4096 {
		return domain.Errorf(domain.EINVALID, "The URL is too long (more than 4096 characters).")
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return domain.Errorf(domain.EINVALID, "%q is not a web address: give a full URL such as https://example.org/article.", raw)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return domain.Errorf(domain.EINVALID, "Only http and https addresses can be captured, not %s:.", u.Scheme)
	}
	return nil
}

// isHTML reports whether an exchange's body is an HTML page (by its
// Content-Type, or sniffed when it has none).
func isHTML(ex *safehttp.Exchange) bool {
	mt, _, _ := mime.ParseMediaType(ex.Header.Get("Content-Type"))
	if mt == "" {
		mt, _, _ = mime.ParseMediaType(http.DetectContentType(ex.Body))
	}
	return mt == "text/html" || mt == "application/xhtml+xml"
}
