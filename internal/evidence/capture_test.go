package evidence

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/safehttp"
)

const articleHTML = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Reporter detained in Lahore</title>
<meta name="author" content="A. Writer"></head>
<body><nav>Home | World | Sport</nav>
<article><h1>Reporter detained in Lahore</h1>
<p>Police detained a reporter on Tuesday after he published an investigation into land deals in the city.</p>
<p>His employer said he was taken from his home at night and has not been charged with any offence.</p>
<p>Press freedom groups called for his immediate release and for the authorities to explain the arrest.</p>
</article><footer>Copyright</footer></body></html>`

func MustCapturer(tb testing.TB, opts safehttp.Options) *Capturer {
	tb.Helper()
	opts.AllowPrivate = true
	return &Capturer{Client: safehttp.New(opts), Software: "presswatch/test"}
}

func MustRecords(tb testing.TB, warc []byte) []Record {
	tb.Helper()
	var recs []Record
	if err := ReadRecords(bytes.NewReader(warc), func(r Record) error {
		recs = append(recs, r)
		return nil
	}); err != nil {
		tb.Fatalf("ReadRecords: %v", err)
	}
	return recs
}

// MustVerified reads every record and checks its digests and that each
// record is exactly one gzip member.
func MustVerified(tb testing.TB, warc []byte) []Record {
	tb.Helper()
	recs := MustRecords(tb, warc)
	for i, r := range recs {
		if err := VerifyRecord(&r); err != nil {
			tb.Errorf("record %d (%s): %v", i, r.Type(), err)
		}
		if r.Header.Get("WARC-Block-Digest") == "" {
			tb.Errorf("record %d (%s) has no block digest", i, r.Type())
		}
		if t := r.Type(); (t == TypeResponse || t == TypeResource || t == TypeRevisit) && r.Header.Get("WARC-Payload-Digest") == "" {
			tb.Errorf("record %d (%s) has no payload digest", i, t)
		}
		if !bytes.HasPrefix(warc, []byte{0x1f, 0x8b}) {
			continue
		}
		member := warc[r.Offset : r.Offset+r.Length]
		zr, err := gzip.NewReader(bytes.NewReader(member))
		if err != nil {
			tb.Fatalf("record %d: member: %v", i, err)
		}
		zr.Multistream(false)
		if _, err := io.Copy(io.Discard, zr); err != nil {
			tb.Errorf("record %d: member: %v", i, err)
		}
	}
	return recs
}

func types(recs []Record) string {
	var s []string
	for _, r := range recs {
		s = append(s, r.Type())
	}
	return strings.Join(s, ",")
}

func newsServer(tb testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/article":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, articleHTML)
		case "/old-link":
			http.Redirect(w, r, "/article", http.StatusMovedPermanently)
		case "/gzip":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			io.WriteString(zw, articleHTML)
			zw.Close()
		case "/chunked":
			w.Header().Set("Content-Type", "text/html")
			for _, part := range strings.SplitAfter(articleHTML, "</p>") {
				io.WriteString(w, part)
				w.(http.Flusher).Flush()
			}
		case "/report.pdf":
			w.Header().Set("Content-Type", "application/pdf")
			io.WriteString(w, "%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")
		case "/latin1":
			w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
			io.WriteString(w, "<html><body><article><p>Caf\xe9 owner says the newspaper was seized by police at dawn on Monday morning.</p><p>\xff\xfe\x00 broken bytes \xc3\x28 here and the rest of the story continues at length.</p></article></body></html>")
		case "/hostile":
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, strings.Repeat("<div>", 20000)+"<script>alert(1)</script><p>deep</p>")
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/huge":
			w.Header().Set("Content-Type", "text/plain")
			for i := 0; i < 100; i++ {
				if _, err := w.Write(bytes.Repeat([]byte("a"), 10<<10)); err != nil {
					return
				}
			}
		case "/drip":
			w.Header().Set("Content-Type", "text/html")
			for i := 0; i < 50; i++ {
				io.WriteString(w, "<p>.")
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
		default:
			http.NotFound(w, r)
		}
	}))
	tb.Cleanup(srv.Close)
	return srv
}

func TestCaptureArticle(t *testing.T) {
	srv := newsServer(t)
	c := MustCapturer(t, safehttp.Options{})
	for _, path := range []string{"/article", "/gzip", "/chunked", "/old-link"} {
		t.Run(path, func(t *testing.T) {
			res, err := c.Capture(context.Background(), srv.URL+path, CaptureOptions{})
			if err != nil {
				t.Fatal(err)
			}
			m := res.Manifest
			if m.Error != "" || m.Status != 200 || m.FinalURL != srv.URL+"/article" && path != "/gzip" && path != "/chunked" {
				t.Fatalf("manifest: %+v", m)
			}
			if !strings.Contains(res.Text, "Police detained a reporter") || strings.Contains(res.Text, "Copyright") {
				t.Errorf("text = %q", res.Text)
			}
			if m.BodySHA256 != SHA256Hex([]byte(articleHTML)) || m.TextSHA256 != SHA256Hex([]byte(res.Text)) {
				t.Errorf("hashes: body %s text %s", m.BodySHA256, m.TextSHA256)
			}
			if m.ServerIP != "127.0.0.1" || m.Title == "" || m.ScreenshotMissing == "" {
				t.Errorf("server ip %q title %q screenshot missing %q", m.ServerIP, m.Title, m.ScreenshotMissing)
			}
			recs := MustVerified(t, res.WARC)
			want := "warcinfo,request,response,resource,metadata"
			if path == "/old-link" {
				want = "warcinfo,request,response,request,response,resource,metadata"
				if len(m.Redirects) != 2 || m.Redirects[0].Status != 301 || m.Redirects[0].Location != srv.URL+"/article" {
					t.Errorf("redirects = %+v", m.Redirects)
				}
			}
			if got := types(recs); got != want {
				t.Fatalf("records = %s, want %s", got, want)
			}
			var resp, meta Record
			for _, r := range recs {
				switch r.Type() {
				case TypeResponse:
					resp = r
				case TypeMetadata:
					meta = r
				}
			}
			if resp.Header.Get("WARC-IP-Address") != "127.0.0.1" || resp.Header.Get("WARC-Concurrent-To") == "" {
				t.Errorf("response header: %v", resp.Header)
			}
			if resp.ID() != m.ResponseRecordID || resp.Header.Get("WARC-Payload-Digest") != m.PayloadDigest {
				t.Errorf("manifest does not name the response record")
			}
			pm, err := ParseManifest(meta.Block)
			if err != nil || pm.BodySHA256 != m.BodySHA256 {
				t.Errorf("metadata manifest: %v %+v", err, pm)
			}
			if path == "/chunked" {
				if !bytes.Contains(resp.Block, []byte("Transfer-Encoding: chunked")) {
					t.Errorf("raw chunked response not kept")
				}
				if p, _ := Payload(&resp); string(p) != articleHTML {
					t.Errorf("payload not de-chunked")
				}
			}
		})
	}
}

func TestCaptureRevisit(t *testing.T) {
	srv := newsServer(t)
	c := MustCapturer(t, safehttp.Options{})
	ctx := context.Background()
	first, err := c.Capture(ctx, srv.URL+"/article", CaptureOptions{})
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Capture(ctx, srv.URL+"/article", CaptureOptions{Previous: first.Manifest})
	if err != nil {
		t.Fatal(err)
	}
	recs := MustVerified(t, second.WARC)
	if got := types(recs); got != "warcinfo,request,revisit,resource,metadata" {
		t.Fatalf("records = %s", got)
	}
	rv := recs[2]
	if rv.Header.Get("WARC-Profile") != ProfileIdenticalPayload || rv.Header.Get("WARC-Refers-To") != first.Manifest.ResponseRecordID ||
		rv.Header.Get("WARC-Payload-Digest") != first.Manifest.PayloadDigest || rv.Header.Get("WARC-Refers-To-Target-URI") != srv.URL+"/article" {
		t.Errorf("revisit header: %v", rv.Header)
	}
	if bytes.Contains(rv.Block, []byte("Police detained")) || !bytes.HasSuffix(rv.Block, []byte("\r\n\r\n")) {
		t.Errorf("revisit block should hold headers only: %q", rv.Block)
	}
	if !second.Manifest.Revisit || second.Manifest.BodySHA256 != first.Manifest.BodySHA256 {
		t.Errorf("manifest: %+v", second.Manifest)
	}
	// A third capture refers to the original response, not the revisit.
	third, _ := c.Capture(ctx, srv.URL+"/article", CaptureOptions{Previous: second.Manifest})
	if third.Manifest.OriginalRecordID != first.Manifest.ResponseRecordID {
		t.Errorf("third capture refers to %s", third.Manifest.OriginalRecordID)
	}
	// A changed page is a full response.
	changed, _ := c.Capture(ctx, srv.URL+"/gzip", CaptureOptions{Previous: first.Manifest})
	if changed.Manifest.Revisit {
		t.Error("changed payload written as revisit")
	}
}

func TestCaptureHostileInputs(t *testing.T) {
	srv := newsServer(t)
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, articleHTML) }))
	defer tlsSrv.Close()
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedAddr := closed.Addr().String()
	closed.Close()
	// No test may reach a real DNS server: every name fails to resolve.
	opts := safehttp.Options{MaxBodyBytes: 256 << 10, MaxRedirects: 5, Timeout: 2 * time.Second, Resolver: noDNS{}}
	cases := []struct {
		name    string
		url     string
		wantErr string // substring of Manifest.Error, "" for success
		check   func(t *testing.T, res *Result)
	}{
		{"endless redirects", srv.URL + "/loop", "too many redirects", func(t *testing.T, res *Result) {
			if len(res.Manifest.Redirects) != 6 {
				t.Errorf("redirects = %d", len(res.Manifest.Redirects))
			}
		}},
		{"huge body", srv.URL + "/huge", "", func(t *testing.T, res *Result) {
			if !res.Manifest.Truncated || res.Manifest.BodySize != 256<<10 {
				t.Errorf("truncated %v size %d", res.Manifest.Truncated, res.Manifest.BodySize)
			}
			for _, r := range MustRecords(t, res.WARC) {
				if r.Type() == TypeResponse && r.Header.Get("WARC-Truncated") != "length" {
					t.Error("response not marked WARC-Truncated")
				}
			}
		}},
		{"slow drip", srv.URL + "/drip", "deadline", nil},
		{"refused", "http://" + closedAddr + "/", "refused", nil},
		{"dns failure", "http://no-such-host.invalid/", "resolve", nil},
		{"untrusted tls", tlsSrv.URL + "/", "certificate", func(t *testing.T, res *Result) {
			if res.Manifest.TLS != nil || res.Manifest.Status != 0 {
				t.Errorf("failed TLS recorded as success")
			}
		}},
		{"invalid encodings", srv.URL + "/latin1", "", func(t *testing.T, res *Result) {
			if !strings.Contains(res.Text, "Café owner") {
				t.Errorf("text = %q", res.Text)
			}
		}},
		{"hostile html", srv.URL + "/hostile", "", nil},
		{"pdf stored as is", srv.URL + "/report.pdf", "", func(t *testing.T, res *Result) {
			if res.Text != "" || res.Manifest.ContentType != "application/pdf" || !bytes.HasPrefix(res.Body, []byte("%PDF")) {
				t.Errorf("pdf: text %q type %q", res.Text, res.Manifest.ContentType)
			}
		}},
		{"not found", srv.URL + "/gone", "", func(t *testing.T, res *Result) {
			if res.Manifest.Status != 404 {
				t.Errorf("status %d", res.Manifest.Status)
			}
		}},
	}
	c := MustCapturer(t, opts)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			res, err := c.Capture(context.Background(), tc.url, CaptureOptions{Screenshot: true})
			if err != nil {
				t.Fatal(err)
			}
			if time.Since(start) > 10*time.Second {
				t.Errorf("took %v", time.Since(start))
			}
			if tc.wantErr == "" && res.Manifest.Error != "" {
				t.Errorf("unexpected error %q", res.Manifest.Error)
			}
			if tc.wantErr != "" && !strings.Contains(res.Manifest.Error, tc.wantErr) {
				t.Errorf("error = %q, want %q", res.Manifest.Error, tc.wantErr)
			}
			recs := MustVerified(t, res.WARC)
			if recs[0].Type() != TypeWarcinfo || recs[len(recs)-1].Type() != TypeMetadata {
				t.Errorf("records = %s", types(recs))
			}
			if tc.check != nil {
				tc.check(t, res)
			}
		})
	}
}

func TestCaptureTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, articleHTML)
	}))
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	c := MustCapturer(t, safehttp.Options{RootCAs: pool})
	res, err := c.Capture(context.Background(), srv.URL+"/a", CaptureOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m := res.Manifest
	if m.TLS == nil || len(m.TLS.Chain) == 0 || !strings.Contains(m.TLS.Chain[0].PEM, "BEGIN CERTIFICATE") || m.TLS.Chain[0].SHA256 == "" {
		t.Fatalf("tls = %+v", m.TLS)
	}
	recs := MustVerified(t, res.WARC)
	if !bytes.HasPrefix(recs[2].Block, []byte("HTTP/1.1 200")) {
		t.Errorf("response block is not plaintext HTTP")
	}
}

func TestCaptureRefusesPrivateWithoutOptIn(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer srv.Close()
	c := &Capturer{Client: safehttp.New(safehttp.Options{})}
	res, err := c.Capture(context.Background(), srv.URL+"/", CaptureOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Manifest.Error, "blocked address") || hits != 0 {
		t.Fatalf("error %q, hits %d", res.Manifest.Error, hits)
	}
	MustVerified(t, res.WARC)
	for _, bad := range []string{"", "not a url", "/relative", "http://"} {
		if _, err := c.Capture(context.Background(), bad, CaptureOptions{}); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("Capture(%q) err = %v", bad, err)
		}
	}
}

type noDNS struct{}

func (noDNS) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

type fakeRenderer struct{ err error }

func (f fakeRenderer) Render(ctx context.Context, u string, body []byte) (Rendering, error) {
	if f.err != nil {
		return Rendering{}, f.err
	}
	return Rendering{PNG: []byte("\x89PNG\r\n\x1a\nfake"), DOM: []byte("<html>" + u + "</html>")}, nil
}

func TestCaptureRenderer(t *testing.T) {
	srv := newsServer(t)
	c := MustCapturer(t, safehttp.Options{})
	c.Renderer = fakeRenderer{}
	res, err := c.Capture(context.Background(), srv.URL+"/article", CaptureOptions{Screenshot: true})
	if err != nil {
		t.Fatal(err)
	}
	recs := MustVerified(t, res.WARC)
	if got := types(recs); got != "warcinfo,request,response,resource,resource,resource,metadata" {
		t.Fatalf("records = %s", got)
	}
	if res.Manifest.ScreenshotSHA256 == "" || res.Manifest.ScreenshotMissing != "" {
		t.Errorf("manifest: %+v", res.Manifest)
	}
	c.Renderer = fakeRenderer{err: errors.New("boom")}
	res, _ = c.Capture(context.Background(), srv.URL+"/article", CaptureOptions{Screenshot: true})
	if !strings.Contains(res.Manifest.ScreenshotMissing, "boom") {
		t.Errorf("missing = %q", res.Manifest.ScreenshotMissing)
	}
}
