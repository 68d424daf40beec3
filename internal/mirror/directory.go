package mirror

import (
	"context"
	"sync"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
)

// Directory is the instance's list of mirrors with a small cache in front:
// every public page shows the mirrors in its footer, so the list is read
// once per TTL (default 30 s) instead of once per page. Writes through the
// Directory drop the cache at once; writes by another process (the watch
// command) show after at most TTL.
type Directory struct {
	domain.MirrorStore
	TTL time.Duration
	Now func() time.Time

	mu      sync.Mutex
	at      time.Time
	mirrors []*domain.Mirror
	onion   string
}

// NewDirectory wraps st.
func NewDirectory(st domain.MirrorStore) *Directory {
	return &Directory{MirrorStore: st, TTL: 30 * time.Second, Now: time.Now}
}

// Cached returns every mirror (public or not) and the onion address, at
// most TTL old. Callers must not modify the mirrors.
func (d *Directory) Cached(ctx context.Context) ([]*domain.Mirror, string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.Now()
	if !d.at.IsZero() && now.Sub(d.at) < d.TTL && now.After(d.at.Add(-time.Second)) {
		return d.mirrors, d.onion, nil
	}
	list, err := d.MirrorStore.ListMirrors(ctx)
	if err != nil {
		return nil, "", err
	}
	onion, err := d.MirrorStore.OnionAddress(ctx)
	if err != nil {
		return nil, "", err
	}
	d.mirrors, d.onion, d.at = list, onion, now
	return list, onion, nil
}

// Invalidate drops the cache.
func (d *Directory) Invalidate() {
	d.mu.Lock()
	d.at = time.Time{}
	d.mu.Unlock()
}

// CreateMirror implements domain.MirrorStore and drops the cache.
func (d *Directory) CreateMirror(ctx context.Context, by *domain.User, m *domain.Mirror) error {
	defer d.Invalidate()
	return d.MirrorStore.CreateMirror(ctx, by, m)
}

// UpdateMirror implements domain.MirrorStore and drops the cache.
func (d *Directory) UpdateMirror(ctx context.Context, by *domain.User, m *domain.Mirror) error {
	defer d.Invalidate()
	return d.MirrorStore.UpdateMirror(ctx, by, m)
}

// DeleteMirror implements domain.MirrorStore and drops the cache.
func (d *Directory) DeleteMirror(ctx context.Context, by *domain.User, id int64) error {
	defer d.Invalidate()
	return d.MirrorStore.DeleteMirror(ctx, by, id)
}

// RecordMirrorCheck implements domain.MirrorStore and drops the cache.
func (d *Directory) RecordMirrorCheck(ctx context.Context, id int64, c domain.MirrorCheck) error {
	defer d.Invalidate()
	return d.MirrorStore.RecordMirrorCheck(ctx, id, c)
}

// SetOnionAddress implements domain.MirrorStore and drops the cache.
func (d *Directory) SetOnionAddress(ctx context.Context, by *domain.User, addr string) error {
	defer d.Invalidate()
	return d.MirrorStore.SetOnionAddress(ctx, by, addr)
}
