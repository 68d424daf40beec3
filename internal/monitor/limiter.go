package monitor

import (
	"context"
	"sync"
	"time"
)

// HostLimiter spaces requests to each host: at most one per interval (or
// per the host's robots.txt Crawl-delay when longer). It is safe for
// concurrent use; Wait honours ctx.
type HostLimiter struct {
	interval time.Duration
	mu       sync.Mutex
	next     map[string]time.Time
	delay    map[string]time.Duration
}

// NewHostLimiter returns a limiter allowing one request per interval per
// host; a zero or negative interval disables spacing (tests).
func NewHostLimiter(interval time.Duration) *HostLimiter {
	return &HostLimiter{interval: interval, next: map[string]time.Time{}, delay: map[string]time.Duration{}}
}

// SetDelay sets a longer interval for one host (robots.txt Crawl-delay).
func (l *HostLimiter) SetDelay(host string, d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if d <= 0 {
		delete(l.delay, host)
		return
	}
	l.delay[host] = d
}

// Wait blocks until a request to host may be made, and reserves it.
func (l *HostLimiter) Wait(ctx context.Context, host string) error {
	l.mu.Lock()
	gap := max(l.interval, l.delay[host])
	if gap <= 0 {
		l.mu.Unlock()
		return ctx.Err()
	}
	now := time.Now()
	at := l.next[host]
	if at.Before(now) {
		at = now
	}
	l.next[host] = at.Add(gap)
	l.mu.Unlock()
	wait := at.Sub(now)
	if wait <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
