package monitortest

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presswatch/presswatch/internal/safehttp"
)

// Clock is a simulated clock shared by a test and its servers.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock set to t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the simulated time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Resolver resolves every name ending in ".test" to 127.0.0.1 and fails
// for the rest, like a DNS server that knows only the simulated outlets.
type Resolver struct{}

// LookupIPAddr implements safehttp.Resolver.
func (Resolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	if strings.HasSuffix(strings.TrimSuffix(host, "."), ".test") {
		return []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1)}}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// MustClient returns a safehttp client for the simulated servers: private
// addresses allowed (test-only opt-in), names resolved by Resolver.
func MustClient(tb testing.TB, timeout time.Duration) *safehttp.Client {
	tb.Helper()
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	return safehttp.New(safehttp.Options{AllowPrivate: true, Resolver: Resolver{}, Timeout: timeout})
}

// URL returns http://host:port/path for a virtual host of server addr
// ("127.0.0.1:port").
func URL(addr, host, path string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		panic(fmt.Sprintf("monitortest: bad address %q", addr))
	}
	return "http://" + host + ":" + port + path
}
