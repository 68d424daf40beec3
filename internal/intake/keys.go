package intake

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"filippo.io/age"

	"github.com/presswatch/presswatch/internal/domain"
)

// EditorKeyWorkFactor is the scrypt work factor (log2 N, r = 8) protecting an
// editor's wrapped key: 2^16 × 1 KiB = 64 MiB of memory per unlock. age's
// own default (18) needs 256 MiB, too much for a small server that unlocks
// keys at login.
const EditorKeyWorkFactor = 16

// maxEnvelope bounds the size of a wrapped key or report-key envelope we
// are willing to read.
const maxEnvelope = 64 << 10

var (
	// ErrWrongPassword means a wrapped editor key did not open with the
	// password given. It comes with code EUNAUTHORIZED.
	ErrWrongPassword = errors.New("intake: wrong password for editor key")
	// ErrNotRecipient means the content is not encrypted to any of the
	// identities given. It comes with code EFORBIDDEN.
	ErrNotRecipient = errors.New("intake: not encrypted to this key")
)

// NewEditorKey generates an editor's age X25519 identity and returns its
// public key ("age1…", to be stored and used as a recipient) and the private
// identity wrapped under password: an age file encrypted to an age scrypt
// recipient (work factor EditorKeyWorkFactor). The wrapped form is a standard
// age file, so an editor can also open it with `age -d` and the password.
func NewEditorKey(password string) (public string, wrapped []byte, err error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return "", nil, fmt.Errorf("intake: new editor key: %w", err)
	}
	wrapped, err = wrapIdentity(id, password)
	if err != nil {
		return "", nil, err
	}
	return id.Recipient().String(), wrapped, nil
}

func wrapIdentity(id *age.X25519Identity, password string) ([]byte, error) {
	if password == "" {
		return nil, domain.Errorf(domain.EINVALID, "A password is required to protect the key.")
	}
	r, err := age.NewScryptRecipient(password)
	if err != nil {
		return nil, fmt.Errorf("intake: wrap key: %w", err)
	}
	r.SetWorkFactor(EditorKeyWorkFactor)
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		return nil, fmt.Errorf("intake: wrap key: %w", err)
	}
	if _, err := io.WriteString(w, id.String()+"\n"); err != nil {
		return nil, fmt.Errorf("intake: wrap key: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("intake: wrap key: %w", err)
	}
	return buf.Bytes(), nil
}

// UnlockEditorKey opens a key made by NewEditorKey. A wrong password gives
// an error wrapping ErrWrongPassword with code EUNAUTHORIZED; a damaged
// wrapped key gives EINTERNAL.
func UnlockEditorKey(wrapped []byte, password string) (*age.X25519Identity, error) {
	sid, err := age.NewScryptIdentity(password)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrWrongPassword, domain.Errorf(domain.EUNAUTHORIZED, "Wrong password for your key."))
	}
	sid.SetMaxWorkFactor(22)
	r, err := age.Decrypt(bytes.NewReader(wrapped), sid)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			return nil, fmt.Errorf("%w: %w", ErrWrongPassword, domain.Errorf(domain.EUNAUTHORIZED, "Wrong password for your key."))
		}
		return nil, fmt.Errorf("intake: unlock editor key: %w", err)
	}
	return readIdentity(r)
}

func readIdentity(r io.Reader) (*age.X25519Identity, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxEnvelope))
	if err != nil {
		return nil, fmt.Errorf("intake: read key: %w", err)
	}
	id, err := age.ParseX25519Identity(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("intake: read key: %w", err)
	}
	return id, nil
}

// RewrapEditorKey re-encrypts a wrapped editor key under a new password
// (password change). The identity, and so the public key, stays the same.
func RewrapEditorKey(wrapped []byte, oldPassword, newPassword string) ([]byte, error) {
	id, err := UnlockEditorKey(wrapped, oldPassword)
	if err != nil {
		return nil, err
	}
	return wrapIdentity(id, newPassword)
}

// ParseRecipient parses an age X25519 public key ("age1…") such as an
// editor's stored key or the offline recipient configured by the admin.
// Errors have code EINVALID. Post-quantum hybrid keys ("age1pq1…") are
// refused: age cannot mix them with X25519 recipients in one file.
func ParseRecipient(s string) (*age.X25519Recipient, error) {
	r, err := age.ParseX25519Recipient(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("intake: parse recipient: %w: %w", err,
			domain.Errorf(domain.EINVALID, "Not an age public key (age1…)."))
	}
	return r, nil
}

// ParseRecipients parses several public keys (see ParseRecipient).
func ParseRecipients(keys ...string) ([]age.Recipient, error) {
	out := make([]age.Recipient, 0, len(keys))
	for _, k := range keys {
		r, err := ParseRecipient(k)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// NewReportKey generates the key pair of one report. Everything of the
// report (message, hints, contact, attachments, replies) is sealed to its
// public key; the private key exists at rest only inside the envelope made
// by SealReportKey. Destroying the envelope rows crypto-shreds the report.
func NewReportKey() (*age.X25519Identity, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, fmt.Errorf("intake: new report key: %w", err)
	}
	return id, nil
}

// SealReportKey encrypts a report's private key to recipients (every
// editor's key, plus the offline recipient when configured). The result is
// a small age file, the report's key envelope.
func SealReportKey(report *age.X25519Identity, recipients []age.Recipient) ([]byte, error) {
	if len(recipients) == 0 {
		return nil, domain.Errorf(domain.EINVALID, "No editor key is configured to receive reports.")
	}
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, recipients...)
	if err != nil {
		return nil, fmt.Errorf("intake: seal report key: %w", err)
	}
	if _, err := io.WriteString(w, report.String()+"\n"); err != nil {
		return nil, fmt.Errorf("intake: seal report key: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("intake: seal report key: %w", err)
	}
	return buf.Bytes(), nil
}

// OpenReportKey opens a report-key envelope with any of identities (an
// unlocked editor key, or the offline identity). If none matches, the error
// wraps ErrNotRecipient with code EFORBIDDEN.
func OpenReportKey(envelope []byte, identities ...age.Identity) (*age.X25519Identity, error) {
	r, err := Open(bytes.NewReader(envelope), identities...)
	if err != nil {
		return nil, err
	}
	return readIdentity(r)
}

// RewrapReportKey opens an envelope with identities and seals the same
// report key to a new set of recipients: used when an editor joins (add
// their key) or leaves (drop it). Content sealed to the report key is not
// touched, so the cost does not depend on the size of the attachments.
func RewrapReportKey(envelope []byte, identities []age.Identity, recipients []age.Recipient) ([]byte, error) {
	id, err := OpenReportKey(envelope, identities...)
	if err != nil {
		return nil, err
	}
	return SealReportKey(id, recipients)
}
