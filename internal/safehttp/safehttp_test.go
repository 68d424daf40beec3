package safehttp

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// canary is a listener that must never see a connection.
type canary struct {
	ln    net.Listener
	count atomic.Int64
}

func MustCanary(tb testing.TB, network, addr string) *canary {
	tb.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		tb.Skipf("cannot listen on %s: %v", addr, err)
	}
	c := &canary{ln: ln}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			c.count.Add(1)
			conn.Close()
		}
	}()
	tb.Cleanup(func() { ln.Close() })
	return c
}

func (c *canary) port() string {
	_, p, _ := net.SplitHostPort(c.ln.Addr().String())
	return p
}

// mapResolver resolves names from a table.
type mapResolver struct {
	mu    sync.Mutex
	calls map[string]int
	fn    func(host string, call int) []string
}

func (r *mapResolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	r.mu.Lock()
	if r.calls == nil {
		r.calls = map[string]int{}
	}
	r.calls[host]++
	n := r.calls[host]
	r.mu.Unlock()
	var out []net.IPAddr
	for _, s := range r.fn(host, n) {
		out = append(out, net.IPAddr{IP: net.ParseIP(s)})
	}
	if len(out) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return out, nil
}

// guardedClient returns a production-mode client whose final TCP connect is
// observed: connects to the fake public address 198.51.100.7 are not allowed
// by IsBlockedIP, so tests use 8.8.8.8 as "public" and route it to target.
func guardedClient(t *testing.T, res Resolver, target string) (*Client, *atomic.Int64) {
	t.Helper()
	c := New(Options{Resolver: res, Timeout: 5 * time.Second})
	var other atomic.Int64
	c.connect = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if strings.HasPrefix(addr, "8.8.8.8:") && target != "" {
			var d net.Dialer
			return d.DialContext(ctx, network, target)
		}
		other.Add(1)
		return nil, fmt.Errorf("test: refusing to connect to %s", addr)
	}
	return c, &other
}

func TestSSRFMatrix(t *testing.T) {
	can := MustCanary(t, "tcp4", "127.0.0.1:0")
	p := can.port()
	can6 := MustCanary(t, "tcp6", "[::1]:"+p)
	res := &mapResolver{fn: func(host string, _ int) []string {
		switch host {
		case "loopback.test":
			return []string{"127.0.0.1"}
		case "loopback6.test":
			return []string{"::1"}
		case "mapped.test":
			return []string{"::ffff:127.0.0.1"}
		case "metadata.test":
			return []string{"169.254.169.254"}
		case "private.test":
			return []string{"10.1.2.3", "192.168.0.1"}
		}
		return nil
	}}
	cases := []struct {
		name string
		url  string
		want error
	}{
		{"ipv4 loopback", "http://127.0.0.1:" + p + "/", ErrBlockedAddress},
		{"ipv4 loopback other", "http://127.9.9.9:" + p + "/", ErrBlockedAddress},
		{"localhost", "http://localhost:" + p + "/", ErrBlockedAddress},
		{"localhost dot", "http://localhost.:" + p + "/", ErrBlockedAddress},
		{"sub.localhost", "http://a.localhost:" + p + "/", ErrBlockedAddress},
		{"ipv6 loopback", "http://[::1]:" + p + "/", ErrBlockedAddress},
		{"unspecified v4", "http://0.0.0.0:" + p + "/", ErrBlockedAddress},
		{"unspecified v6", "http://[::]:" + p + "/", ErrBlockedAddress},
		{"10/8", "http://10.0.0.1/", ErrBlockedAddress},
		{"172.16/12 low", "http://172.16.0.1/", ErrBlockedAddress},
		{"172.16/12 high", "http://172.31.255.254/", ErrBlockedAddress},
		{"192.168/16", "http://192.168.1.1/", ErrBlockedAddress},
		{"metadata", "http://169.254.169.254/latest/meta-data/", ErrBlockedAddress},
		{"cgnat", "http://100.64.0.1/", ErrBlockedAddress},
		{"cgnat high", "http://100.127.255.254/", ErrBlockedAddress},
		{"multicast v4", "http://224.0.0.1/", ErrBlockedAddress},
		{"broadcast", "http://255.255.255.255/", ErrBlockedAddress},
		{"ula fc00", "http://[fc00::1]/", ErrBlockedAddress},
		{"ula fd00", "http://[fd12:3456::1]/", ErrBlockedAddress},
		{"link-local v6", "http://[fe80::1]/", ErrBlockedAddress},
		{"multicast v6", "http://[ff02::1]/", ErrBlockedAddress},
		{"ipv4-mapped loopback", "http://[::ffff:127.0.0.1]:" + p + "/", ErrBlockedAddress},
		{"ipv4-mapped public", "http://[::ffff:8.8.8.8]/", ErrBlockedAddress},
		{"nat64 loopback", "http://[64:ff9b::7f00:1]/", ErrBlockedAddress},
		{"decimal ipv4", "http://2130706433:" + p + "/", ErrBlockedAddress},
		{"octal ipv4", "http://0177.0.0.1:" + p + "/", ErrBlockedAddress},
		{"hex ipv4", "http://0x7f.0.0.1:" + p + "/", ErrBlockedAddress},
		{"short ipv4", "http://127.1:" + p + "/", ErrBlockedAddress},
		{"name to loopback", "http://loopback.test:" + p + "/", ErrBlockedAddress},
		{"name to ::1", "http://loopback6.test:" + p + "/", ErrBlockedAddress},
		{"name to mapped", "http://mapped.test:" + p + "/", ErrBlockedAddress},
		{"name to metadata", "http://metadata.test/", ErrBlockedAddress},
		{"name to private", "http://private.test/", ErrBlockedAddress},
		{"file", "file:///etc/passwd", ErrBlockedScheme},
		{"gopher", "gopher://127.0.0.1:" + p + "/_GET", ErrBlockedScheme},
		{"ftp", "ftp://127.0.0.1:" + p + "/", ErrBlockedScheme},
		{"data", "data:text/html,hi", ErrBlockedScheme},
		{"credentials", "http://user:pw@8.8.8.8/", ErrBlockedAddress},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, other := guardedClient(t, res, "")
			resp, err := c.Get(context.Background(), tc.url)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Get(%s) err = %v, want %v", tc.url, err, tc.want)
			}
			if resp == nil || resp.Final() == nil || resp.Final().Err == nil {
				t.Errorf("response does not record the failure: %+v", resp)
			}
			if n := other.Load(); n != 0 {
				t.Errorf("%d connects attempted", n)
			}
		})
	}
	if n := can.count.Load() + can6.count.Load(); n != 0 {
		t.Fatalf("canary listeners saw %d connections", n)
	}
}

// TestDialControl checks the last guard on its own: the net.Dialer used for
// every connection refuses a blocked ip:port even when called directly.
func TestDialControl(t *testing.T) {
	can := MustCanary(t, "tcp4", "127.0.0.1:0")
	c := New(Options{})
	_, err := c.dialer.DialContext(context.Background(), "tcp", can.ln.Addr().String())
	if !errors.Is(err, ErrBlockedAddress) {
		t.Fatalf("dial err = %v, want ErrBlockedAddress", err)
	}
	time.Sleep(20 * time.Millisecond)
	if n := can.count.Load(); n != 0 {
		t.Fatalf("canary saw %d connections", n)
	}
}

func TestRedirectToPrivateAndRebinding(t *testing.T) {
	can := MustCanary(t, "tcp4", "127.0.0.1:0")
	p := can.port()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-private":
			http.Redirect(w, r, "http://127.0.0.1:"+p+"/", http.StatusFound)
		case "/to-metadata":
			http.Redirect(w, r, "http://169.254.169.254/", http.StatusFound)
		case "/to-file":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		case "/to-decimal":
			http.Redirect(w, r, "http://2130706433:"+p+"/", http.StatusMovedPermanently)
		case "/rebind":
			http.Redirect(w, r, "http://rebind.test:"+p+"/", http.StatusFound)
		default:
			fmt.Fprint(w, "public page")
		}
	}))
	defer srv.Close()
	target := srv.Listener.Addr().String()
	res := &mapResolver{fn: func(host string, call int) []string {
		switch host {
		case "public.test":
			return []string{"8.8.8.8"}
		case "rebind.test":
			// First answer public, then loopback: a rebinding attack.
			if call == 1 {
				return []string{"8.8.8.8"}
			}
			return []string{"127.0.0.1"}
		}
		return nil
	}}
	cases := []struct {
		path string
		want error
	}{
		{"/to-private", ErrBlockedAddress},
		{"/to-metadata", ErrBlockedAddress},
		{"/to-file", ErrBlockedScheme},
		{"/to-decimal", ErrBlockedAddress},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			c, other := guardedClient(t, res, target)
			resp, err := c.Get(context.Background(), "http://public.test"+tc.path)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if len(resp.Exchanges) != 2 || resp.Exchanges[0].StatusCode/100 != 3 {
				t.Errorf("exchanges = %d, first status %d", len(resp.Exchanges), resp.Exchanges[0].StatusCode)
			}
			if other.Load() != 0 {
				t.Errorf("unexpected connects: %d", other.Load())
			}
		})
	}
	t.Run("rebinding", func(t *testing.T) {
		c, other := guardedClient(t, res, target)
		// First lookup of rebind.test says 8.8.8.8; the page redirects to
		// itself by name, and the second lookup (at dial time) says 127.0.0.1.
		resp, err := c.Get(context.Background(), "http://rebind.test/rebind")
		if !errors.Is(err, ErrBlockedAddress) {
			t.Fatalf("err = %v, want ErrBlockedAddress", err)
		}
		if got := resp.Exchanges[0].RemoteAddr; got != "8.8.8.8:80" {
			t.Errorf("first hop remote = %q", got)
		}
		if other.Load() != 0 {
			t.Errorf("unexpected connects: %d", other.Load())
		}
	})
	if n := can.count.Load(); n != 0 {
		t.Fatalf("canary saw %d connections", n)
	}
}

func TestProxyRefusesInternalHostsFirst(t *testing.T) {
	proxyCanary := MustCanary(t, "tcp4", "127.0.0.1:0")
	c := New(Options{Proxy: "socks5://" + proxyCanary.ln.Addr().String(), Timeout: 3 * time.Second})
	for _, u := range []string{
		"http://127.0.0.1/", "http://localhost/", "http://[::1]/", "http://10.0.0.1/",
		"http://169.254.169.254/", "http://2130706433/", "http://[::ffff:127.0.0.1]/", "http://[fd00::1]/",
	} {
		if _, err := c.Get(context.Background(), u); !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("Get(%s) through proxy: err = %v, want ErrBlockedAddress", u, err)
		}
	}
	time.Sleep(20 * time.Millisecond)
	if n := proxyCanary.count.Load(); n != 0 {
		t.Fatalf("proxy saw %d connections for internal hosts", n)
	}
	// A public name is handed to the proxy (which here hangs up).
	if _, err := c.Get(context.Background(), "http://example.org/"); err == nil {
		t.Fatal("want an error from the hung-up proxy")
	}
	time.Sleep(20 * time.Millisecond)
	if n := proxyCanary.count.Load(); n != 1 {
		t.Fatalf("proxy saw %d connections for a public name, want 1", n)
	}
	if _, err := New(Options{Proxy: "http://x"}).Get(context.Background(), "http://example.org/"); err == nil {
		t.Fatal("bad proxy URL accepted")
	}
}

func TestIsBlockedIP(t *testing.T) {
	for _, tc := range []struct {
		ip      string
		blocked bool
	}{
		{"8.8.8.8", false}, {"1.1.1.1", false}, {"2606:4700:4700::1111", false}, {"93.184.216.34", false},
		{"127.0.0.1", true}, {"10.255.255.255", true}, {"172.15.0.1", false}, {"172.32.0.1", false},
		{"100.63.255.255", false}, {"100.64.0.0", true}, {"169.254.169.254", true}, {"::ffff:1.2.3.4", true},
		{"fe80::1%eth0", true}, {"2002:7f00:1::", true}, {"2001:0:4136:e378::1", true}, {"0.1.2.3", true},
	} {
		if got := IsBlockedIP(netip.MustParseAddr(tc.ip)); got != tc.blocked {
			t.Errorf("IsBlockedIP(%s) = %v, want %v", tc.ip, got, tc.blocked)
		}
	}
}

func MustAllowedClient(tb testing.TB, opts Options) *Client {
	tb.Helper()
	opts.AllowPrivate = true
	return New(opts)
}

func TestAllowPrivateWarns(t *testing.T) {
	var buf bytes.Buffer
	New(Options{AllowPrivate: true, Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	if !strings.Contains(buf.String(), "level=WARN") || !strings.Contains(buf.String(), "INSECURE") {
		t.Fatalf("no loud warning: %q", buf.String())
	}
}

func TestFetchRecordsWire(t *testing.T) {
	big := strings.Repeat("presswatch ", 2000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/gzip":
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			io.WriteString(zw, big)
			zw.Close()
		case "/chunked":
			w.Header().Set("Content-Type", "text/plain")
			for i := 0; i < 3; i++ {
				io.WriteString(w, "part ")
				w.(http.Flusher).Flush()
			}
		case "/cookie":
			http.SetCookie(w, &http.Cookie{Name: "consent", Value: "yes", Path: "/"})
			http.Redirect(w, r, "/needs-cookie", http.StatusFound)
		case "/needs-cookie":
			if c, err := r.Cookie("consent"); err != nil || c.Value != "yes" {
				http.Error(w, "no cookie", 403)
				return
			}
			io.WriteString(w, "welcome")
		default:
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<p>hello</p>")
		}
	}))
	defer srv.Close()
	c := MustAllowedClient(t, Options{UserAgent: "pw-test/1"})

	t.Run("plain", func(t *testing.T) {
		resp, err := c.Get(context.Background(), srv.URL+"/")
		if err != nil {
			t.Fatal(err)
		}
		ex := resp.Final()
		if !bytes.HasPrefix(ex.RawRequest, []byte("GET / HTTP/1.1\r\n")) || !bytes.Contains(ex.RawRequest, []byte("User-Agent: pw-test/1")) {
			t.Errorf("raw request = %q resp=%q", ex.RawRequest, ex.RawResponse)
		}
		if !bytes.HasPrefix(ex.RawResponse, []byte("HTTP/1.1 200 OK\r\n")) || !bytes.HasSuffix(ex.RawResponse, []byte("<p>hello</p>")) {
			t.Errorf("raw response = %q", ex.RawResponse)
		}
		if string(ex.Body) != "<p>hello</p>" || ex.RemoteAddr != srv.Listener.Addr().String() || ex.StatusCode != 200 {
			t.Errorf("body %q remote %q status %d", ex.Body, ex.RemoteAddr, ex.StatusCode)
		}
	})
	t.Run("gzip", func(t *testing.T) {
		resp, err := c.Get(context.Background(), srv.URL+"/gzip")
		if err != nil {
			t.Fatal(err)
		}
		ex := resp.Final()
		if string(ex.Body) != big || bytes.Equal(ex.Payload, ex.Body) || !bytes.HasSuffix(ex.RawResponse, ex.Payload) {
			t.Errorf("body %d bytes, payload %d bytes", len(ex.Body), len(ex.Payload))
		}
	})
	t.Run("chunked", func(t *testing.T) {
		resp, err := c.Get(context.Background(), srv.URL+"/chunked")
		if err != nil {
			t.Fatal(err)
		}
		ex := resp.Final()
		if string(ex.Payload) != "part part part " || !bytes.Contains(ex.RawResponse, []byte("Transfer-Encoding: chunked")) {
			t.Errorf("payload %q raw %q", ex.Payload, ex.RawResponse)
		}
	})
	t.Run("cookie across redirect", func(t *testing.T) {
		resp, err := c.Get(context.Background(), srv.URL+"/cookie")
		if err != nil {
			t.Fatal(err)
		}
		if string(resp.Final().Body) != "welcome" || len(resp.Exchanges) != 2 || resp.Exchanges[0].Location != srv.URL+"/needs-cookie" {
			t.Errorf("final body %q, %d exchanges", resp.Final().Body, len(resp.Exchanges))
		}
	})
}

func TestHostileServers(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/huge":
			chunk := bytes.Repeat([]byte("x"), 64<<10)
			for i := 0; i < 64; i++ {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		case "/drip":
			w.Header().Set("Content-Type", "text/plain")
			for i := 0; i < 100; i++ {
				if _, err := io.WriteString(w, "."); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(200 * time.Millisecond):
				}
			}
		case "/badgzip":
			w.Header().Set("Content-Encoding", "gzip")
			io.WriteString(w, "this is not gzip")
		}
	}))
	defer srv.Close()

	t.Run("endless redirects", func(t *testing.T) {
		c := MustAllowedClient(t, Options{MaxRedirects: 5})
		resp, err := c.Get(context.Background(), srv.URL+"/loop")
		if !errors.Is(err, ErrTooManyRedirects) {
			t.Fatalf("err = %v", err)
		}
		if len(resp.Exchanges) != 6 {
			t.Errorf("exchanges = %d, want 6", len(resp.Exchanges))
		}
	})
	t.Run("huge body", func(t *testing.T) {
		c := MustAllowedClient(t, Options{MaxBodyBytes: 100 << 10})
		resp, err := c.Get(context.Background(), srv.URL+"/huge")
		if err != nil {
			t.Fatal(err)
		}
		ex := resp.Final()
		if !ex.Truncated || len(ex.Body) != 100<<10 {
			t.Errorf("truncated %v, %d bytes", ex.Truncated, len(ex.Body))
		}
	})
	t.Run("slow drip", func(t *testing.T) {
		c := MustAllowedClient(t, Options{Timeout: 700 * time.Millisecond})
		start := time.Now()
		resp, err := c.Get(context.Background(), srv.URL+"/drip")
		if err == nil || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want deadline", err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("took %v", d)
		}
		if resp.Final() == nil || len(resp.Final().Payload) == 0 {
			t.Errorf("partial body not kept")
		}
	})
	t.Run("bad gzip", func(t *testing.T) {
		c := MustAllowedClient(t, Options{})
		resp, err := c.Get(context.Background(), srv.URL+"/badgzip")
		if err != nil {
			t.Fatal(err)
		}
		if resp.Final().DecodeError == "" || string(resp.Final().Body) != "this is not gzip" {
			t.Errorf("decode error %q body %q", resp.Final().DecodeError, resp.Final().Body)
		}
	})
	t.Run("refused", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := ln.Addr().String()
		ln.Close()
		c := MustAllowedClient(t, Options{})
		if _, err := c.Get(context.Background(), "http://"+addr+"/"); err == nil {
			t.Fatal("want connection refused")
		}
	})
}

func TestTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "secret page")
	}))
	defer srv.Close()
	t.Run("trusted", func(t *testing.T) {
		pool := x509.NewCertPool()
		pool.AddCert(srv.Certificate())
		c := MustAllowedClient(t, Options{RootCAs: pool})
		resp, err := c.Get(context.Background(), srv.URL+"/")
		if err != nil {
			t.Fatal(err)
		}
		ex := resp.Final()
		if ex.TLS == nil || len(ex.TLS.PeerCertificates) == 0 || ex.RemoteAddr == "" {
			t.Fatalf("tls info missing: %+v", ex.TLS)
		}
		if !bytes.HasPrefix(ex.RawRequest, []byte("GET / HTTP/1.1")) || !bytes.HasSuffix(ex.RawResponse, []byte("secret page")) {
			t.Errorf("raw bytes not plaintext: %q / %q", ex.RawRequest, ex.RawResponse)
		}
	})
	t.Run("untrusted", func(t *testing.T) {
		c := MustAllowedClient(t, Options{})
		resp, err := c.Get(context.Background(), srv.URL+"/")
		if err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Fatalf("err = %v, want certificate error", err)
		}
		if resp.Final() == nil || resp.Final().Err == nil {
			t.Error("failure not recorded")
		}
	})
}
