package domain

import (
	"context"
	"time"
)

// Statuses of an anonymous intake report.
const (
	IntakeNew        = "new"
	IntakeInProgress = "in_progress"
	IntakeDuplicate  = "duplicate"
	IntakeSpam       = "spam"
	IntakeConverted  = "converted"
	IntakeRejected   = "rejected"
)

// IntakeStatuses lists the report statuses in triage order.
var IntakeStatuses = []string{IntakeNew, IntakeInProgress, IntakeDuplicate, IntakeSpam, IntakeConverted, IntakeRejected}

// Directions of an intake message.
const (
	FromSource  = "source"  // source → editors (sealed to the report key)
	FromEditors = "editors" // editors → source (sealed to the report key and the source)
)

// CanReadIntake reports whether a staff role may open the intake inbox at
// all (reviewers may not).
func CanReadIntake(role string) bool { return role == RoleAdmin || role == RoleEditor }

// IntakeSource is an anonymous source. Only a derivation of the codename
// (LookupKey) and the source's public key are stored.
type IntakeSource struct {
	ID        int64
	LookupKey []byte // 32 bytes, Argon2id of the codename with the pepper
	PublicKey string // age1…
	CreatedAt time.Time
}

// IntakeReport is one report of a source. Everything it says is sealed; the
// row holds only metadata.
type IntakeReport struct {
	ID           int64
	SourceID     int64
	Status       string
	AssignedTo   int64 // 0 = nobody
	AssignedName string
	PublicKey    string // the report's own age public key
	IncidentID   int64  // the draft it became, 0 = none
	CreatedAt    time.Time
	UpdatedAt    time.Time
	ExpiresAt    time.Time
	// Counts filled by listings.
	Messages    int
	Attachments int
	Bytes       int64 // ciphertext bytes of attachments
	LastFrom    string
}

// IntakeMessage is one sealed message of a report.
type IntakeMessage struct {
	ID        int64
	ReportID  int64
	Direction string // FromSource or FromEditors
	AuthorID  int64  // staff author of a reply, 0 for the source
	Sealed    []byte // age file
	CreatedAt time.Time
}

// IntakeAttachment is a sealed file. Name is chosen by the server; the
// original file name and media type are only inside SealedMeta.
type IntakeAttachment struct {
	ID              int64
	ReportID        int64
	MessageID       int64
	Name            string // server-chosen, e.g. attachment-3
	BlobSHA256      string // of the ciphertext in the blob store
	PlaintextSHA256 string // of the original, for derivation records
	Size            int64  // plaintext bytes
	CipherSize      int64
	SealedMeta      []byte // age file: original name and media type
	Missing         bool   // flagged when the blob was found missing
	CreatedAt       time.Time
}

// IntakeDerivation records a metadata-stripped copy published from a sealed
// original: both hashes, so the published copy can be traced.
type IntakeDerivation struct {
	ID              int64
	ReportID        int64
	AttachmentID    int64
	OriginalSHA256  string // plaintext of the sealed original
	PublishedSHA256 string // the stripped copy (a plaintext blob)
	MediaType       string
	Size            int64
	Confirmed       bool // published unstripped after an editor's explicit confirmation
	CreatedBy       int64
	CreatedAt       time.Time
}

// EditorKey is a staff member's age key pair: the public key in clear, the
// private key wrapped under their password.
type EditorKey struct {
	UserID    int64
	PublicKey string
	Wrapped   []byte
	CreatedAt time.Time
	UpdatedAt time.Time
}

// IntakeFilter selects reports in the inbox.
type IntakeFilter struct {
	Status     string
	AssignedTo int64
	Limit      int
}

// IntakeStore keeps sources, reports, their key envelopes, sealed messages
// and attachments, editors' keys and derivation records. Errors: ENOTFOUND,
// ECONFLICT (lookup key taken).
type IntakeStore interface {
	// CreateReport writes a report with its envelope, first message and
	// attachments in one transaction; src.ID == 0 creates the source too.
	CreateReport(ctx context.Context, src *IntakeSource, r *IntakeReport, envelope []byte, m *IntakeMessage, atts []*IntakeAttachment) error
	// AddMessage writes a message and its attachments and touches the report.
	AddMessage(ctx context.Context, m *IntakeMessage, atts []*IntakeAttachment) error
	FindSourceByLookup(ctx context.Context, lookupKey []byte) (*IntakeSource, error)
	SourcePublicKey(ctx context.Context, sourceID int64) (string, error)
	FindReport(ctx context.Context, id int64) (*IntakeReport, error)
	ListReports(ctx context.Context, f IntakeFilter) ([]*IntakeReport, error)
	SourceReports(ctx context.Context, sourceID int64) ([]*IntakeReport, error)
	Messages(ctx context.Context, reportID int64) ([]*IntakeMessage, error)
	Attachments(ctx context.Context, reportID int64) ([]*IntakeAttachment, error)
	FindAttachment(ctx context.Context, reportID, id int64) (*IntakeAttachment, error)
	// UpdateReport saves status, assignee and incident id, with an audit row.
	UpdateReport(ctx context.Context, r *IntakeReport, by *User, action string) error

	Envelope(ctx context.Context, reportID int64) ([]byte, error)
	// Envelopes returns every report's envelope by report id.
	Envelopes(ctx context.Context) (map[int64][]byte, error)
	// ReplaceEnvelopes stores re-wrapped envelopes in one transaction.
	ReplaceEnvelopes(ctx context.Context, envs map[int64][]byte, by *User) error

	EditorKey(ctx context.Context, userID int64) (*EditorKey, error)
	// EditorKeys returns the keys of active admins and editors.
	EditorKeys(ctx context.Context) ([]*EditorKey, error)
	SaveEditorKey(ctx context.Context, k *EditorKey) error

	RecordDerivation(ctx context.Context, d *IntakeDerivation, by *User) error
	Derivations(ctx context.Context, reportID int64) ([]*IntakeDerivation, error)

	// ExpireReports deletes every report not converted whose ExpiresAt is
	// before now — envelope, messages, attachment rows — and sources left
	// without reports. It returns the blob hashes no row refers to any more.
	ExpireReports(ctx context.Context, now time.Time) (reports int, blobs []string, err error)
	// BlobRefs calls fn with every blob hash a row refers to.
	BlobRefs(ctx context.Context, fn func(sha string) error) error
	// FlagMissingBlob marks attachments whose blob is missing.
	FlagMissingBlob(ctx context.Context, sha string) error
	// StoredBytes is the ciphertext size of all attachments (for the quota).
	StoredBytes(ctx context.Context) (int64, error)
	// Compact rewrites freed database pages (secure_delete already zeroes
	// them) and truncates the write-ahead log, so deleted keys leave no copy.
	Compact(ctx context.Context) error
}
