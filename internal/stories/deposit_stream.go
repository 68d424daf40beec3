package stories

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"path"
	"strings"

	"filippo.io/age"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/intake"
)

// DepositWriter seals a deposit's bundle as it streams: the JSON encoding
// of Bundle (byte for byte what Bundle.Encode gives, so the hash a release
// recomputes is the same) is written straight into age encryption to the
// deposit's fresh key, and hashed on the way. No plaintext is kept: a file
// is read part by part from the request into the encryption; only the
// ciphertext is held (in memory, since the store keeps it in the
// database). Title, byline and text come first, then files, in order.
type DepositWriter struct {
	key                 *age.X25519Identity
	title, byline, text string

	sealed bytes.Buffer
	enc    io.WriteCloser // age writer into sealed
	sum    hash.Hash
	n      int64 // plaintext bytes so far
	files  int
	err    error // sticky
	done   bool
}

// NewDepositWriter starts a sealed bundle with its texts (title and byline
// trimmed, every text made valid UTF-8 so the encoding survives a decode).
func NewDepositWriter(title, byline, text string) (*DepositWriter, error) {
	key, err := intake.NewReportKey()
	if err != nil {
		return nil, err
	}
	dw := &DepositWriter{key: key, sum: sha256.New(),
		title: strings.TrimSpace(validUTF8(title)), byline: strings.TrimSpace(validUTF8(byline)), text: validUTF8(text)}
	if dw.enc, err = intake.Seal(&dw.sealed, []age.Recipient{key.Recipient()}); err != nil {
		return nil, fmt.Errorf("stories: deposit: %w", err)
	}
	dw.raw(`{"title":`)
	dw.str(dw.title)
	if dw.byline != "" {
		dw.raw(`,"byline":`)
		dw.str(dw.byline)
	}
	dw.raw(`,"text":`)
	dw.str(dw.text)
	return dw, dw.err
}

func validUTF8(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// Write adds plaintext to the sealed stream (the JSON being built).
func (dw *DepositWriter) Write(p []byte) (int, error) {
	if dw.err != nil {
		return 0, dw.err
	}
	if dw.n+int64(len(p)) > MaxDepositBytes {
		dw.err = domain.Errorf(domain.ETOOLARGE, "A deposit is at most %d MB.", MaxDepositBytes>>20)
		return 0, dw.err
	}
	dw.sum.Write(p)
	if _, err := dw.enc.Write(p); err != nil {
		dw.err = fmt.Errorf("stories: seal deposit: %w", err)
		return 0, dw.err
	}
	dw.n += int64(len(p))
	return len(p), nil
}

func (dw *DepositWriter) raw(s string) { _, _ = dw.Write([]byte(s)) }

func (dw *DepositWriter) str(s string) {
	b, err := json.Marshal(s)
	if err != nil {
		dw.err = fmt.Errorf("stories: deposit: %w", err)
		return
	}
	_, _ = dw.Write(b)
}

// AddFile seals one file as it reads r. name is reduced to a base name of
// at most 255 bytes; mediaType is kept when short. ETOOLARGE past
// MaxDepositBytes (the deposit is then refused as a whole).
func (dw *DepositWriter) AddFile(name, mediaType string, r io.Reader) error {
	if dw.done {
		return fmt.Errorf("stories: deposit already sealed")
	}
	name = path.Base(strings.ReplaceAll(validUTF8(name), `\`, "/"))
	if name == "." || name == "/" || name == "" {
		name = "file"
	}
	if len(name) > 255 {
		name = strings.ToValidUTF8(name[:255], "")
	}
	mediaType = validUTF8(mediaType)
	if len(mediaType) > 255 {
		mediaType = "application/octet-stream"
	}
	if dw.files == 0 {
		dw.raw(`,"files":[`)
	} else {
		dw.raw(`,`)
	}
	dw.raw(`{"name":`)
	dw.str(name)
	dw.raw(`,"media_type":`)
	dw.str(mediaType)
	dw.raw(`,"data":"`)
	b64 := base64.NewEncoder(base64.StdEncoding, dw)
	if _, err := io.Copy(b64, r); err != nil {
		if dw.err == nil {
			dw.err = err
		}
		return dw.err
	}
	if err := b64.Close(); err != nil && dw.err == nil {
		dw.err = err
	}
	dw.raw(`"}`)
	dw.files++
	return dw.err
}

// Files is the number of files sealed so far.
func (dw *DepositWriter) Files() int { return dw.files }

// finish closes the JSON and the encryption; it returns the ciphertext,
// the hex SHA-256 of the plaintext and its size.
func (dw *DepositWriter) finish() ([]byte, string, int64, error) {
	if !dw.done {
		if dw.files > 0 {
			dw.raw(`]`)
		}
		dw.raw(`}`)
		if dw.err == nil {
			if err := dw.enc.Close(); err != nil {
				dw.err = fmt.Errorf("stories: seal deposit: %w", err)
			}
		}
		dw.done = true
	}
	if dw.err != nil {
		return nil, "", 0, dw.err
	}
	return dw.sealed.Bytes(), hex.EncodeToString(dw.sum.Sum(nil)), dw.n, nil
}
