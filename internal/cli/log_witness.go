package cli

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/presswatch/presswatch/internal/config"
	"github.com/presswatch/presswatch/internal/ledger"
	"github.com/presswatch/presswatch/internal/safehttp"
	"golang.org/x/net/proxy"
)

// witnessList is the repeatable --log-witness KEY=URL flag.
type witnessList []ledger.WitnessEndpoint

func (l *witnessList) String() string {
	var s []string
	for _, w := range *l {
		s = append(s, w.Key+"="+w.URL)
	}
	return strings.Join(s, " ")
}

func (l *witnessList) Set(v string) error {
	w, err := ledger.ParseWitnessEndpoint(v)
	if err != nil {
		return err
	}
	*l = append(*l, w)
	return nil
}

// parseWitnessEnv reads PRESSWATCH_LOG_WITNESS: KEY=URL items separated by
// spaces or newlines.
func parseWitnessEnv(v string) (witnessList, error) {
	var l witnessList
	for _, f := range strings.Fields(v) {
		if err := l.Set(f); err != nil {
			return nil, fmt.Errorf("PRESSWATCH_LOG_WITNESS: %w", err)
		}
	}
	return l, nil
}

// witnessHTTPClient sends add-checkpoint requests. safehttp.Client records
// GET exchanges and takes no request body, so this client keeps safehttp's
// guard another way: every URL passes safehttp's CheckURL (scheme, literal
// internal addresses and names) and every dialled address its IsBlockedIP,
// unless --insecure-allow-private-addresses; the --proxy (Tor) is used when
// set; no redirects are followed.
func witnessHTTPClient(cfg *config.Config) *http.Client {
	guard := safehttp.New(safehttp.Options{AllowPrivate: cfg.AllowPrivate})
	dialer := &net.Dialer{Timeout: 15 * time.Second, Control: func(network, address string, _ syscall.RawConn) error {
		if cfg.AllowPrivate {
			return nil
		}
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return fmt.Errorf("%w: %q", safehttp.ErrBlockedAddress, address)
		}
		ip, err := netip.ParseAddr(host)
		if err != nil || safehttp.IsBlockedIP(ip.Unmap()) {
			return fmt.Errorf("%w: %s", safehttp.ErrBlockedAddress, address)
		}
		return nil
	}}
	dial := dialer.DialContext
	if cfg.Proxy != "" {
		dial = socksDial(cfg.Proxy)
	}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           dial,
		ForceAttemptHTTP2:     true,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
	}
	return &http.Client{
		Transport: roundTripFunc(func(req *http.Request) (*http.Response, error) {
			if err := guard.CheckURL(req.URL); err != nil {
				return nil, err
			}
			return tr.RoundTrip(req)
		}),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       60 * time.Second,
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// socksDial dials through a SOCKS5 proxy; the proxy resolves names.
func socksDial(raw string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	u, err := url.Parse(raw)
	var d proxy.Dialer
	if err == nil {
		var auth *proxy.Auth
		if u.User != nil {
			pw, _ := u.User.Password()
			auth = &proxy.Auth{User: u.User.Username(), Password: pw}
		}
		d, err = proxy.SOCKS5("tcp", u.Host, auth, &net.Dialer{Timeout: 15 * time.Second})
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if err != nil {
			return nil, fmt.Errorf("proxy %s: %w", config.Mask(raw), err)
		}
		if cd, ok := d.(proxy.ContextDialer); ok {
			return cd.DialContext(ctx, network, addr)
		}
		return d.Dial(network, addr)
	}
}

// safeSource reads a log's public files over HTTP through safehttp.
type safeSource struct {
	base *url.URL
	c    *safehttp.Client
}

func (s safeSource) ReadFile(ctx context.Context, name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, fmt.Errorf("invalid file name %q", name)
	}
	u := s.base.JoinPath(name).String()
	res, err := s.c.Get(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	ex := res.Final()
	switch {
	case ex == nil:
		return nil, fmt.Errorf("fetch %s: no response", u)
	case ex.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("fetch %s: %w", u, fs.ErrNotExist)
	case ex.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("fetch %s: HTTP status %d", u, ex.StatusCode)
	case ex.Truncated:
		return nil, fmt.Errorf("fetch %s: larger than any log file may be", u)
	}
	return ex.Body, nil
}

// openRestoreSource opens --from: an http(s) URL of a log (…/log) read
// through safehttp, or a folder holding the log's files (a mirror's root
// or its log/ folder).
func openRestoreSource(cfg *config.Config, from string) (ledger.Source, error) {
	if strings.HasPrefix(from, "http://") || strings.HasPrefix(from, "https://") {
		u, err := url.Parse(strings.TrimSuffix(from, "/") + "/")
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("--from %q is not a URL", from)
		}
		c := safehttp.New(safehttp.Options{AllowPrivate: cfg.AllowPrivate, Proxy: cfg.Proxy, Timeout: 60 * time.Second,
			MaxBodyBytes: 256 * (2 + ledger.MaxEntrySize), MaxRedirects: 3})
		return safeSource{base: u, c: c}, nil
	}
	if _, err := os.Stat(filepath.Join(from, "log", "checkpoint")); err == nil {
		from = filepath.Join(from, "log")
	}
	if _, err := os.Stat(filepath.Join(from, "checkpoint")); err != nil {
		return nil, fmt.Errorf("--from %s: no checkpoint there (give the log folder of a mirror, or the mirror's root)", from)
	}
	return ledger.DirSource(from), nil
}

// endpoints returns the witnesses to push to: --log-witness flags, then
// PRESSWATCH_LOG_WITNESS.
func (o *logOptions) endpoints() (witnessList, error) {
	env, err := parseWitnessEnv(o.pushToEnv)
	if err != nil {
		return nil, err
	}
	return append(append(witnessList(nil), o.pushTo...), env...), nil
}

// startWitnessPusher starts sending each signed checkpoint to the
// --log-witness witnesses; nil when there are none. It stops with the
// server, before the database closes.
func startWitnessPusher(ctx context.Context, cfg *config.Config, opt logOptions, lg *ledger.Log, s *Server) (*ledger.WitnessPusher, error) {
	eps, err := opt.endpoints()
	if err != nil || len(eps) == 0 {
		return nil, err
	}
	p, err := lg.NewWitnessPusher(eps, ledger.PushOptions{Client: witnessHTTPClient(cfg), Logger: s.Logger, Interval: opt.pushPeriod})
	if err != nil {
		return nil, fmt.Errorf("public log witnesses: %w", err)
	}
	pctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); p.Run(pctx) }()
	s.stops = append(s.stops, func() { cancel(); <-done })
	for _, w := range eps {
		s.Logger.Info("public log: sending checkpoints to witness", "url", w.URL)
	}
	return p, nil
}

// readAllLimited reads at most limit bytes, failing beyond.
func readAllLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("the input is larger than %d bytes: not a cosigned checkpoint", limit)
	}
	return b, nil
}

func readFileLimited(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := readAllLimited(f, limit)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return b, nil
}
