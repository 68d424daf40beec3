package intake

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"

	"filippo.io/age"

	"github.com/presswatch/presswatch/internal/domain"
)

// NoLimit disables the size limit of a SealedWriter.
const NoLimit int64 = -1

// ErrTooLarge is matched (errors.Is) by every *TooLargeError.
var ErrTooLarge = errors.New("intake: content too large")

// TooLargeError is returned by SealedWriter.Write when the plaintext would
// pass the limit. Its code is ETOOLARGE (HTTP 413).
type TooLargeError struct {
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("intake: content larger than the limit of %d bytes", e.Limit)
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// Unwrap gives the user-facing domain error.
func (e *TooLargeError) Unwrap() error {
	return domain.Errorf(domain.ETOOLARGE, "The upload is larger than the limit of %d MB.", e.Limit/1_000_000)
}

// Seal returns a writer that encrypts everything written to it, in age's
// 64 KiB chunks, to recipients and writes the ciphertext to w as it goes:
// no plaintext reaches w or any temporary file. Close must be called to
// write the last chunk; it does not close w.
func Seal(w io.Writer, recipients []age.Recipient) (io.WriteCloser, error) {
	if len(recipients) == 0 {
		return nil, domain.Errorf(domain.EINVALID, "No key to encrypt to.")
	}
	enc, err := age.Encrypt(w, recipients...)
	if err != nil {
		return nil, fmt.Errorf("intake: seal: %w", err)
	}
	return enc, nil
}

// Open decrypts an age stream with any of identities. A stream not
// encrypted to any of them gives ErrNotRecipient (code EFORBIDDEN); a
// damaged stream gives an error from Open or, for damage after the header,
// from Read. Never trust plaintext read before the reader returned io.EOF.
func Open(r io.Reader, identities ...age.Identity) (io.Reader, error) {
	dec, err := age.Decrypt(r, identities...)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			return nil, fmt.Errorf("%w: %w", ErrNotRecipient, domain.Errorf(domain.EFORBIDDEN, "This content is not encrypted to your key."))
		}
		return nil, fmt.Errorf("intake: open: %w", err)
	}
	return dec, nil
}

// Reseal streams src, decrypted with identities, into dst encrypted to
// recipients. Useful for exports to the offline recipient; reports
// themselves are re-keyed with RewrapReportKey instead.
func Reseal(dst io.Writer, src io.Reader, identities []age.Identity, recipients []age.Recipient) error {
	r, err := Open(src, identities...)
	if err != nil {
		return err
	}
	w, err := Seal(dst, recipients)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		return fmt.Errorf("intake: reseal: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("intake: reseal: %w", err)
	}
	return nil
}

// SealSummary describes sealed content once the writer is closed.
type SealSummary struct {
	PlaintextSHA256  string // hex SHA-256 of the original content
	CiphertextSHA256 string // hex SHA-256 of the bytes written to dst
	PlaintextSize    int64
	CiphertextSize   int64
}

// SealedWriter seals a stream like Seal and also hashes and counts both the
// plaintext and the ciphertext, refusing plaintext beyond a size limit.
type SealedWriter struct {
	enc       io.WriteCloser
	plainHash hash.Hash
	cipher    *countingHashWriter
	plainSize int64
	limit     int64
	err       error
	closed    bool
	summary   SealSummary
}

// NewSealedWriter returns a SealedWriter writing ciphertext to dst. limit is
// the largest plaintext accepted in bytes (NoLimit for none): a Write that
// would pass it writes nothing and returns a *TooLargeError, and every later
// Write and Close return the same error. After an error the ciphertext
// already in dst is incomplete and the caller must discard it.
func NewSealedWriter(dst io.Writer, limit int64, recipients ...age.Recipient) (*SealedWriter, error) {
	cw := &countingHashWriter{w: dst, h: sha256.New()}
	enc, err := Seal(cw, recipients)
	if err != nil {
		return nil, err
	}
	return &SealedWriter{enc: enc, plainHash: sha256.New(), cipher: cw, limit: limit}, nil
}

func (s *SealedWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if s.closed {
		return 0, errors.New("intake: write to closed SealedWriter")
	}
	if s.limit >= 0 && s.plainSize+int64(len(p)) > s.limit {
		s.err = &TooLargeError{Limit: s.limit}
		return 0, s.err
	}
	n, err := s.enc.Write(p)
	s.plainHash.Write(p[:n])
	s.plainSize += int64(n)
	if err != nil {
		s.err = fmt.Errorf("intake: seal: %w", err)
		return n, s.err
	}
	return n, nil
}

// Close writes the final chunk and fixes the summary. It does not close dst.
func (s *SealedWriter) Close() error {
	if s.err != nil {
		return s.err
	}
	if s.closed {
		return nil
	}
	s.closed = true
	if err := s.enc.Close(); err != nil {
		s.err = fmt.Errorf("intake: seal: %w", err)
		return s.err
	}
	s.summary = SealSummary{
		PlaintextSHA256:  hex.EncodeToString(s.plainHash.Sum(nil)),
		CiphertextSHA256: hex.EncodeToString(s.cipher.h.Sum(nil)),
		PlaintextSize:    s.plainSize,
		CiphertextSize:   s.cipher.n,
	}
	return nil
}

// Summary returns the hashes and sizes. It is valid only after Close
// returned nil.
func (s *SealedWriter) Summary() SealSummary { return s.summary }

type countingHashWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (c *countingHashWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	return n, err
}
