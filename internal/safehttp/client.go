package safehttp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/proxy"
)

// Defaults used when an Options field is zero.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultMaxBodyBytes = 32 << 20
	DefaultMaxRedirects = 10
	DefaultUserAgent    = "presswatch/0 (+https://github.com/presswatch/presswatch; evidence capture)"
	maxHeaderBytes      = 1 << 20
)

// Resolver resolves host names. *net.Resolver satisfies it; tests pass their
// own to make a name resolve to loopback.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// Options configure a Client. Zero values take the defaults above.
type Options struct {
	// AllowPrivate turns the address guard off. It exists for tests and
	// isolated networks only (--insecure-allow-private-addresses); New logs
	// a warning when it is set. Schemes are still checked.
	AllowPrivate bool
	// Proxy is an optional SOCKS5 proxy, "socks5://host:port" (Tor). Host
	// names are then resolved by the proxy; literal internal addresses and
	// internal names are refused before the proxy is asked.
	Proxy string
	// Timeout bounds a whole Do call: every connection, redirect and body.
	Timeout time.Duration
	// MaxBodyBytes bounds each body; longer bodies are cut and marked Truncated.
	MaxBodyBytes int64
	// MaxRedirects is the most redirects followed; negative follows none.
	MaxRedirects int
	UserAgent    string
	Logger       *slog.Logger
	// Resolver replaces the system resolver (tests).
	Resolver Resolver
	// RootCAs replaces the system roots (tests with httptest TLS servers).
	RootCAs *x509.CertPool
}

// Client is the only outbound HTTP client of presswatch. It is safe for
// concurrent use. Every request uses a fresh connection (no keep-alive) so
// that the raw bytes of each exchange can be recorded.
type Client struct {
	opts     Options
	log      *slog.Logger
	resolver Resolver
	dialer   *net.Dialer
	socks    proxy.ContextDialer
	proxyErr error
	// connect opens the TCP connection to an already checked ip:port. Tests
	// in this package replace it to observe dials.
	connect func(ctx context.Context, network, addr string) (net.Conn, error)
}

// New returns a Client. A bad Proxy value makes every request fail.
func New(opts Options) *Client {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.MaxRedirects == 0 {
		opts.MaxRedirects = DefaultMaxRedirects
	}
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	c := &Client{opts: opts, log: opts.Logger, resolver: opts.Resolver}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.resolver == nil {
		c.resolver = net.DefaultResolver
	}
	c.dialer = &net.Dialer{
		Timeout: opts.Timeout,
		Control: func(network, address string, _ syscallRawConn) error {
			if opts.AllowPrivate {
				return nil
			}
			return checkDialAddr(address)
		},
	}
	c.connect = c.dialer.DialContext
	if opts.Proxy != "" {
		c.socks, c.proxyErr = newSOCKS(opts.Proxy, c.dialer)
	}
	if opts.AllowPrivate {
		c.log.Warn("safehttp: INSECURE: private, loopback and metadata addresses are allowed; use only for tests and isolated networks")
	}
	return c
}

func newSOCKS(raw string, forward *net.Dialer) (proxy.ContextDialer, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "socks5" && u.Scheme != "socks5h") || u.Host == "" {
		return nil, fmt.Errorf("safehttp: proxy %q: want socks5://host:port", raw)
	}
	var auth *proxy.Auth
	if u.User != nil {
		pw, _ := u.User.Password()
		auth = &proxy.Auth{User: u.User.Username(), Password: pw}
	}
	// The proxy itself is usually on loopback (Tor): dial it without the guard.
	d, err := proxy.SOCKS5("tcp", u.Host, auth, &net.Dialer{Timeout: forward.Timeout})
	if err != nil {
		return nil, fmt.Errorf("safehttp: proxy: %w", err)
	}
	cd, ok := d.(proxy.ContextDialer)
	if !ok {
		return nil, errors.New("safehttp: proxy dialer lacks DialContext")
	}
	return cd, nil
}

// CheckURL refuses URLs safehttp will never fetch: schemes other than http
// and https, and hosts that are literal internal addresses or names. Names
// are resolved and checked again at dial time.
func (c *Client) CheckURL(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%w: %q", ErrBlockedScheme, u.Scheme)
	}
	if u.Host == "" {
		return fmt.Errorf("%w: URL without host", ErrBlockedAddress)
	}
	if u.User != nil {
		return fmt.Errorf("%w: credentials in URL", ErrBlockedAddress)
	}
	if c.opts.AllowPrivate {
		return nil
	}
	_, _, err := checkHost(u.Hostname())
	return err
}

// dial opens a checked TCP connection to addr (host:port) and records it.
func (c *Client) dial(ctx context.Context, network, addr string, rec *recorder) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("safehttp: dial %q: %w", addr, err)
	}
	lit, isLit, herr := checkHost(host)
	if herr != nil && !c.opts.AllowPrivate {
		return nil, herr
	}
	if c.proxyErr != nil {
		return nil, c.proxyErr
	}
	if c.socks != nil {
		conn, err := c.socks.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("safehttp: proxy dial %s: %w", addr, err)
		}
		return rec.wrap(conn, ""), nil
	}
	var ips []netip.Addr
	if isLit {
		ips = []netip.Addr{lit}
	} else {
		addrs, err := c.resolver.LookupIPAddr(ctx, host)
		if err != nil {
			return nil, fmt.Errorf("safehttp: resolve %s: %w", host, err)
		}
		for _, a := range addrs {
			// net.IP holds IPv4 in 16 bytes: unmap, then check the IPv4.
			if ip, ok := netip.AddrFromSlice(a.IP); ok {
				ips = append(ips, ip.Unmap())
			}
		}
		if len(ips) == 0 {
			return nil, fmt.Errorf("safehttp: resolve %s: no addresses", host)
		}
	}
	var firstErr error
	for _, ip := range ips {
		if !c.opts.AllowPrivate && IsBlockedIP(ip) {
			if firstErr == nil {
				firstErr = fmt.Errorf("%w: %s resolves to %s", ErrBlockedAddress, host, ip)
			}
			continue
		}
		target := net.JoinHostPort(ip.String(), port)
		conn, err := c.connect(ctx, network, target)
		if err != nil {
			if firstErr == nil || errors.Is(firstErr, ErrBlockedAddress) && !errors.Is(err, ErrBlockedAddress) {
				firstErr = fmt.Errorf("safehttp: connect %s: %w", target, err)
			}
			continue
		}
		return rec.wrap(conn, target), nil
	}
	return nil, firstErr
}

func (c *Client) dialTLS(ctx context.Context, network, addr string, rec *recorder) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("safehttp: dial %q: %w", addr, err)
	}
	raw, err := c.dial(ctx, network, addr, nil)
	if err != nil {
		return nil, err
	}
	if rc, ok := raw.(*plainConn); ok {
		rec.setRemote(rc.remote)
		raw = rc.Conn
	}
	tc := tls.Client(raw, &tls.Config{
		ServerName: host,
		RootCAs:    c.opts.RootCAs,
		MinVersion: tls.VersionTLS12,
		NextProtos: []string{"http/1.1"},
	})
	if err := tc.HandshakeContext(ctx); err != nil {
		raw.Close()
		return nil, fmt.Errorf("safehttp: tls handshake with %s: %w", host, err)
	}
	st := tc.ConnectionState()
	rec.setTLS(&st)
	return rec.wrap(tc, rec.remoteAddr()), nil
}

// Get fetches rawURL with GET.
func (c *Client) Get(ctx context.Context, rawURL string) (*Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return &Response{}, fmt.Errorf("safehttp: %w", err)
	}
	return c.Do(req)
}

// Do sends req (which must have no body) and follows redirects, checking
// every hop. It always returns a non-nil *Response holding the exchanges
// made so far, so that a failure can be recorded; err says why it stopped.
// Bodies longer than MaxBodyBytes are cut and marked Truncated, not errors.
func (c *Client) Do(req *http.Request) (*Response, error) {
	res := &Response{}
	if req.Body != nil && req.Body != http.NoBody {
		return res, errors.New("safehttp: requests with a body are not supported")
	}
	ctx, cancel := context.WithTimeout(req.Context(), c.opts.Timeout)
	defer cancel()
	jar, _ := cookiejar.New(nil)
	method := req.Method
	u := req.URL
	for hop := 0; ; hop++ {
		if err := c.CheckURL(u); err != nil {
			res.Exchanges = append(res.Exchanges, &Exchange{URL: u.String(), Method: method, StartedAt: time.Now().UTC(), Err: err})
			return res, err
		}
		hreq, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
		if err != nil {
			return res, fmt.Errorf("safehttp: %w", err)
		}
		for k, v := range req.Header {
			hreq.Header[k] = append([]string(nil), v...)
		}
		if hreq.Header.Get("User-Agent") == "" {
			hreq.Header.Set("User-Agent", c.opts.UserAgent)
		}
		if hreq.Header.Get("Accept-Encoding") == "" {
			hreq.Header.Set("Accept-Encoding", "gzip, deflate")
		}
		if hreq.Header.Get("Accept") == "" {
			hreq.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
		}
		for _, ck := range jar.Cookies(u) {
			hreq.AddCookie(ck)
		}
		ex := c.roundTrip(hreq)
		res.Exchanges = append(res.Exchanges, ex)
		if ex.Err != nil {
			return res, ex.Err
		}
		if rc := ex.cookies; len(rc) > 0 {
			jar.SetCookies(u, rc)
		}
		loc := ex.Header.Get("Location")
		switch ex.StatusCode {
		case 301, 302, 303, 307, 308:
		default:
			return res, nil
		}
		if loc == "" {
			return res, nil
		}
		next, err := u.Parse(loc)
		if err != nil {
			err = fmt.Errorf("safehttp: bad redirect location %q: %w", loc, err)
			return res, err
		}
		if c.opts.MaxRedirects < 0 {
			return res, nil
		}
		if hop+1 > c.opts.MaxRedirects {
			return res, fmt.Errorf("%w: more than %d", ErrTooManyRedirects, c.opts.MaxRedirects)
		}
		ex.Location = next.String()
		if ex.StatusCode != 307 && ex.StatusCode != 308 && method != http.MethodHead {
			method = http.MethodGet
		}
		u = next
	}
}

// roundTrip makes one exchange on a fresh, recorded connection.
func (c *Client) roundTrip(req *http.Request) *Exchange {
	ex := &Exchange{URL: req.URL.String(), Method: req.Method, StartedAt: time.Now().UTC()}
	rec := &recorder{limit: c.opts.MaxBodyBytes + maxHeaderBytes}
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            func(ctx context.Context, n, a string) (net.Conn, error) { return c.dial(ctx, n, a, rec) },
		DialTLSContext:         func(ctx context.Context, n, a string) (net.Conn, error) { return c.dialTLS(ctx, n, a, rec) },
		DisableKeepAlives:      true,
		DisableCompression:     true,
		MaxResponseHeaderBytes: maxHeaderBytes,
		ResponseHeaderTimeout:  c.opts.Timeout,
	}
	defer tr.CloseIdleConnections()
	resp, err := tr.RoundTrip(req)
	defer c.finish(ex, rec)
	if err != nil {
		ex.Err = c.wrapErr(req.Context(), err)
		return ex
	}
	ex.StatusCode = resp.StatusCode
	ex.Proto = resp.Proto
	ex.Header = resp.Header
	ex.cookies = resp.Cookies()
	payload, truncated, rerr := readLimited(resp.Body, c.opts.MaxBodyBytes)
	resp.Body.Close()
	ex.Payload = payload
	ex.Truncated = truncated
	if rerr != nil {
		ex.Err = c.wrapErr(req.Context(), fmt.Errorf("read body: %w", rerr))
	}
	body, dtrunc, derr := decodeBody(payload, resp.Header.Get("Content-Encoding"), c.opts.MaxBodyBytes)
	ex.Body = body
	if dtrunc {
		ex.Truncated = true
	}
	if derr != nil {
		ex.DecodeError = derr.Error()
	}
	return ex
}

func (c *Client) finish(ex *Exchange, rec *recorder) {
	ex.RawRequest, ex.RawResponse, ex.RawTruncated = rec.bytes()
	ex.RemoteAddr = rec.remoteAddr()
	if st := rec.tlsState(); st != nil {
		ex.TLS = &TLSInfo{
			Version:          tls.VersionName(st.Version),
			CipherSuite:      tls.CipherSuiteName(st.CipherSuite),
			ServerName:       st.ServerName,
			PeerCertificates: st.PeerCertificates,
		}
	}
}

func (c *Client) wrapErr(ctx context.Context, err error) error {
	if ctx.Err() != nil && !errors.Is(err, ErrBlockedAddress) {
		return fmt.Errorf("safehttp: %w (deadline %s): %w", err, c.opts.Timeout, ctx.Err())
	}
	if strings.HasPrefix(err.Error(), "safehttp:") {
		return err
	}
	return fmt.Errorf("safehttp: %w", err)
}

func readLimited(r io.Reader, max int64) ([]byte, bool, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if int64(len(b)) > max {
		return b[:max], true, nil
	}
	return b, false, err
}
