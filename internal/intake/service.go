package intake

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"filippo.io/age"

	"github.com/presswatch/presswatch/internal/blob"
	"github.com/presswatch/presswatch/internal/domain"
)

// Defaults of the intake service.
const (
	DefaultMaxBytes   int64 = 100_000_000    // per submission or message, all files together
	DefaultQuota      int64 = 20_000_000_000 // all sealed attachments together
	DefaultRetention        = 90 * 24 * time.Hour
	DefaultSourceIdle       = 15 * time.Minute
	DefaultEditorIdle       = 30 * time.Minute
	DefaultEditorMax        = 12 * time.Hour
	// MaxTextBytes bounds a message; MaxHintBytes each structured hint.
	MaxTextBytes = 100_000
	MaxHintBytes = 1_000
)

// Limits are the throttles of the submission path. Over Tor every client is
// 127.0.0.1, so they are global and per source session, never per address.
type Limits struct {
	// New reports and source logins across all visitors, per minute
	// (each bucket also allows a burst of that size).
	GlobalSubmitsPerMinute float64
	GlobalLoginsPerMinute  float64
	// Messages and uploads per logged-in source, per minute.
	SessionActionsPerMinute float64
	// Concurrent Argon2id derivations (64 MiB each).
	Derivations int
}

// DefaultLimits suit a small newsroom.
var DefaultLimits = Limits{GlobalSubmitsPerMinute: 30, GlobalLoginsPerMinute: 60, SessionActionsPerMinute: 10, Derivations: 2}

// Options configure a Service. Store, Blobs and Pepper are required.
type Options struct {
	Store  domain.IntakeStore
	Blobs  *blob.Store
	Pepper []byte
	// OfflineRecipient is an optional age1… key whose private half never
	// touches the server; every report key is also sealed to it.
	OfflineRecipient string
	MaxBytes         int64
	Quota            int64
	Retention        time.Duration
	Limits           Limits
	SourceIdle       time.Duration
	EditorIdle       time.Duration
	EditorMax        time.Duration
	Now              domain.Clock
	Logger           *slog.Logger
}

// Service is anonymous intake as use cases: the source side (submit, log
// in with a codename, read replies) and the editors' side (unlock, read,
// triage, reply, publish copies, re-wrap, export), plus retention.
type Service struct {
	o       Options
	offline age.Recipient
	sem     chan struct{}
	editors *keyring
	sources *sourceSessions
	submits *bucket
	logins  *bucket
}

// NewService checks o and returns a Service.
func NewService(o Options) (*Service, error) {
	if o.Store == nil || o.Blobs == nil || len(o.Pepper) < 16 {
		return nil, errors.New("intake: Store, Blobs and a pepper of at least 16 bytes are required")
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.Quota <= 0 {
		o.Quota = DefaultQuota
	}
	if o.Retention <= 0 {
		o.Retention = DefaultRetention
	}
	if o.Limits == (Limits{}) {
		o.Limits = DefaultLimits
	}
	if o.Limits.Derivations <= 0 {
		o.Limits.Derivations = 2
	}
	if o.SourceIdle <= 0 {
		o.SourceIdle = DefaultSourceIdle
	}
	if o.EditorIdle <= 0 {
		o.EditorIdle = DefaultEditorIdle
	}
	if o.EditorMax <= 0 {
		o.EditorMax = DefaultEditorMax
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{o: o, sem: make(chan struct{}, o.Limits.Derivations),
		editors: &keyring{m: map[string]*unlocked{}},
		sources: &sourceSessions{m: map[string]*SourceSession{}},
		submits: newBucket(o.Limits.GlobalSubmitsPerMinute),
		logins:  newBucket(o.Limits.GlobalLoginsPerMinute),
	}
	if o.OfflineRecipient != "" {
		r, err := ParseRecipient(o.OfflineRecipient)
		if err != nil {
			return nil, fmt.Errorf("intake: offline recipient: %w", err)
		}
		s.offline = r
	}
	return s, nil
}

// MaxBytes is the configured upload limit per submission.
func (s *Service) MaxBytes() int64 { return s.o.MaxBytes }

// LoadPepper reads the instance's pepper from path, creating it (32 random
// bytes, mode 0600) on first start. The pepper never enters the database.
func LoadPepper(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		if len(b) < 32 {
			return nil, fmt.Errorf("intake: pepper %s is too short (%d bytes)", path, len(b))
		}
		return b, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("intake: read pepper: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("intake: pepper folder: %w", err)
	}
	b = make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("intake: pepper: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("intake: create pepper: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return nil, fmt.Errorf("intake: write pepper: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("intake: write pepper: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("intake: write pepper: %w", err)
	}
	return b, nil
}

// derive runs one Argon2id derivation under the concurrency bound.
func (s *Service) derive(ctx context.Context, codename string) (SourceKeys, error, error) {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return SourceKeys{}, nil, ctx.Err()
	}
	defer func() { <-s.sem }()
	keys, normErr := DeriveSourceKeys(codename, s.o.Pepper)
	return keys, normErr, nil
}

// recipients returns the keys every report key is sealed to: the active
// editors' and admins' keys and the offline key.
func (s *Service) recipients(ctx context.Context) ([]age.Recipient, error) {
	keys, err := s.o.Store.EditorKeys(ctx)
	if err != nil {
		return nil, err
	}
	var out []age.Recipient
	for _, k := range keys {
		r, err := ParseRecipient(k.PublicKey)
		if err != nil {
			return nil, fmt.Errorf("intake: key of user %d: %w", k.UserID, err)
		}
		out = append(out, r)
	}
	if s.offline != nil {
		out = append(out, s.offline)
	}
	return out, nil
}

// randomToken returns 32 random bytes, base64url-encoded.
func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("intake: crypto/rand failed: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// bucket is a token bucket: rate tokens per minute, burst of the same size.
type bucket struct {
	mu     sync.Mutex
	rate   float64
	tokens float64
	last   time.Time
}

func newBucket(perMinute float64) *bucket {
	return &bucket{rate: perMinute, tokens: perMinute}
}

func (b *bucket) allow(now time.Time) bool {
	if b.rate <= 0 {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.last.IsZero() {
		b.tokens += now.Sub(b.last).Minutes() * b.rate
		if b.tokens > b.rate {
			b.tokens = b.rate
		}
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

var errTooMany = domain.Errorf(domain.ETOOMANY, "Too many submissions right now; please wait a few minutes and try again.")
