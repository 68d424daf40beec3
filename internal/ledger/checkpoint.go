package ledger

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Checkpoint is the body of a C2SP tlog-checkpoint: origin, tree size, root.
type Checkpoint struct {
	Origin     string
	Size       int64
	Hash       tlog.Hash
	Extensions []string // extension lines after the root, kept as they are
}

// Format returns the checkpoint body, each line ending in a newline.
func (c Checkpoint) Format() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Hash[:]))
	for _, e := range c.Extensions {
		b.WriteString(e)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// ParseCheckpoint parses a checkpoint body (the text of the signed note). It
// is strict: every byte must be in the canonical form that Format writes.
func ParseCheckpoint(text []byte) (Checkpoint, error) {
	if !utf8.Valid(text) || len(text) == 0 || text[len(text)-1] != '\n' {
		return Checkpoint{}, errors.New("ledger: checkpoint must be UTF-8 text ending in a newline")
	}
	lines := strings.Split(string(text[:len(text)-1]), "\n")
	if len(lines) < 3 {
		return Checkpoint{}, errors.New("ledger: checkpoint has fewer than 3 lines")
	}
	var c Checkpoint
	if !validOrigin(lines[0]) {
		return Checkpoint{}, errors.New("ledger: checkpoint origin is empty or has spaces or control characters")
	}
	c.Origin = lines[0]
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return Checkpoint{}, fmt.Errorf("ledger: checkpoint size %q is not a decimal number", lines[1])
	}
	c.Size = size
	h, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || len(h) != tlog.HashSize {
		return Checkpoint{}, errors.New("ledger: checkpoint root is not a base64 SHA-256 hash")
	}
	copy(c.Hash[:], h)
	for _, e := range lines[3:] {
		if e == "" {
			return Checkpoint{}, errors.New("ledger: checkpoint has an empty extension line")
		}
		c.Extensions = append(c.Extensions, e)
	}
	return c, nil
}

func validOrigin(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '+' {
			return false
		}
	}
	return true
}

// ErrBadSignature reports a checkpoint that the expected key did not sign.
var ErrBadSignature = errors.New("ledger: checkpoint is not signed by the log's key")

// OpenCheckpoint checks that msg is a signed note carrying a checkpoint
// signed by v, whose origin is v's name, and returns the checkpoint.
func OpenCheckpoint(msg []byte, v note.Verifier) (Checkpoint, *note.Note, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, nil, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	c, err := ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return Checkpoint{}, nil, err
	}
	if c.Origin != v.Name() {
		return Checkpoint{}, nil, fmt.Errorf("ledger: checkpoint origin %q is not the key's name %q", c.Origin, v.Name())
	}
	return c, n, nil
}
