package ledger

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
	"golang.org/x/mod/sumdb/note"
)

// Key algorithm bytes of signed-note verifier keys.
const (
	algEd25519              = 0x01
	algEd25519CosignatureV1 = 0x04
)

// cosignatureVerifier checks C2SP tlog-cosignature (cosignature/v1) Ed25519
// signatures: an 8-byte big-endian timestamp then an Ed25519 signature over
// "cosignature/v1\ntime <t>\n" followed by the checkpoint body.
type cosignatureVerifier struct {
	name string
	hash uint32
	pub  ed25519.PublicKey
}

// NewCosignatureVerifier returns a note verifier for a witness's key, given
// as a cosignature/v1 verifier key (algorithm 0x04) or a plain Ed25519 one
// (0x01, taken as cosignature/v1 like other tlog tools do).
func NewCosignatureVerifier(vkey string) (note.Verifier, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 || !validOrigin(parts[0]) || len(parts[1]) != 8 {
		return nil, errors.New("ledger: malformed witness key")
	}
	if _, err := strconv.ParseUint(parts[1], 16, 32); err != nil {
		return nil, errors.New("ledger: malformed witness key hash")
	}
	key, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(key) != 1+ed25519.PublicKeySize || (key[0] != algEd25519 && key[0] != algEd25519CosignatureV1) {
		return nil, errors.New("ledger: witness key is not an Ed25519 key")
	}
	pub := ed25519.PublicKey(key[1:])
	h := sha256.New()
	h.Write([]byte(parts[0] + "\n"))
	h.Write([]byte{algEd25519CosignatureV1})
	h.Write(pub)
	return &cosignatureVerifier{name: parts[0], hash: binary.BigEndian.Uint32(h.Sum(nil)), pub: pub}, nil
}

func (v *cosignatureVerifier) Name() string    { return v.name }
func (v *cosignatureVerifier) KeyHash() uint32 { return v.hash }
func (v *cosignatureVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig)
	m := fmt.Appendf(nil, "cosignature/v1\ntime %d\n%s", t, msg)
	return ed25519.Verify(v.pub, m, sig[8:])
}

// Cosignature is a witness's verified signature on the published checkpoint.
type Cosignature struct {
	Name string
	Time time.Time
}

// AddCosignature verifies a witness's cosigned checkpoint (a signed note
// carrying at least one signature from a configured witness) and merges its
// witness signatures into the published checkpoint. The note must be for the
// checkpoint published now; one for an older checkpoint fails with ECONFLICT.
func (l *Log) AddCosignature(ctx context.Context, cosigned []byte) error {
	if len(l.witnesses) == 0 {
		return domain.Errorf(domain.EINVALID, "ledger: no witnesses are configured")
	}
	wn, err := note.Open(cosigned, note.VerifierList(l.witnesses...))
	if err != nil {
		return domain.Errorf(domain.EINVALID, "ledger: the cosignature does not verify with any configured witness key: %v", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	cur, err := l.store.ReadCheckpoint(ctx)
	if err != nil {
		return fmt.Errorf("ledger: add cosignature: %w", err)
	}
	text, sigs, err := splitNote(cur)
	if err != nil {
		return err
	}
	if wn.Text != text {
		return domain.Errorf(domain.ECONFLICT, "ledger: the cosignature is for another checkpoint than the one published")
	}
	var kept []string
	for _, line := range sigs {
		replaced := false
		for _, s := range wn.Sigs {
			if strings.HasPrefix(line, "\u2014 "+s.Name+" ") && sigKeyHash(line) == s.Hash {
				replaced = true
			}
		}
		if !replaced {
			kept = append(kept, line)
		}
	}
	var b bytes.Buffer
	b.WriteString(text)
	b.WriteString("\n")
	for _, line := range kept {
		b.WriteString(line + "\n")
	}
	for _, s := range wn.Sigs {
		fmt.Fprintf(&b, "\u2014 %s %s\n", s.Name, s.Base64)
	}
	if err := l.store.WriteCheckpoint(ctx, b.Bytes()); err != nil {
		return fmt.Errorf("ledger: add cosignature: %w", err)
	}
	return nil
}

// Cosignatures returns the configured witnesses' verified signatures on the
// published checkpoint.
func (l *Log) Cosignatures(ctx context.Context) ([]Cosignature, error) {
	cur, err := l.Checkpoint(ctx)
	if err != nil {
		return nil, err
	}
	if len(l.witnesses) == 0 {
		return nil, nil
	}
	n, err := note.Open(cur, note.VerifierList(l.witnesses...))
	if err != nil {
		var u *note.UnverifiedNoteError
		if errors.As(err, &u) {
			return nil, nil
		}
		return nil, fmt.Errorf("ledger: cosignatures: %w", err)
	}
	out := make([]Cosignature, 0, len(n.Sigs))
	for _, s := range n.Sigs {
		raw, _ := base64.StdEncoding.DecodeString(s.Base64)
		c := Cosignature{Name: s.Name}
		if len(raw) >= 12 {
			c.Time = time.Unix(int64(binary.BigEndian.Uint64(raw[4:12])), 0).UTC()
		}
		out = append(out, c)
	}
	return out, nil
}

// splitNote splits a signed note into its text and its signature lines.
func splitNote(msg []byte) (text string, sigs []string, err error) {
	t, s, ok := bytes.Cut(msg, []byte("\n\n"))
	if !ok {
		return "", nil, errors.New("ledger: malformed signed note")
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(s), "\n"), "\n") {
		if line != "" {
			sigs = append(sigs, line)
		}
	}
	return string(t) + "\n", sigs, nil
}

func sigKeyHash(line string) uint32 {
	i := strings.LastIndexByte(line, ' ')
	raw, err := base64.StdEncoding.DecodeString(line[i+1:])
	if err != nil || len(raw) < 4 {
		return 0
	}
	return binary.BigEndian.Uint32(raw)
}
