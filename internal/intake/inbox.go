package intake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/presswatch/presswatch/internal/domain"
)

// EnsureEditorKey gives u an intake key after a password change: it
// re-wraps the existing key from oldPW to newPW, or creates a new key pair
// when u has none (first login) or the old password does not open it (an
// admin reset the password; an admin must then re-wrap reports for u).
// Reviewers get no key. Keys unlocked by u's sessions are forgotten.
func (s *Service) EnsureEditorKey(ctx context.Context, u *domain.User, oldPW, newPW string) error {
	s.LockUser(u.ID)
	if !domain.CanReadIntake(u.Role) || u.Disabled {
		return nil
	}
	k, err := s.o.Store.EditorKey(ctx, u.ID)
	if err != nil && !domain.IsCode(err, domain.ENOTFOUND) {
		return err
	}
	if err == nil && oldPW != "" {
		wrapped, err := RewrapEditorKey(k.Wrapped, oldPW, newPW)
		if err == nil {
			k.Wrapped = wrapped
			return s.o.Store.SaveEditorKey(ctx, k)
		}
		if !errors.Is(err, ErrWrongPassword) {
			return err
		}
	}
	pub, wrapped, err := NewEditorKey(newPW)
	if err != nil {
		return err
	}
	return s.o.Store.SaveEditorKey(ctx, &domain.EditorKey{UserID: u.ID, PublicKey: pub, Wrapped: wrapped})
}

// HasKey reports whether u has an intake key.
func (s *Service) HasKey(ctx context.Context, u *domain.User) (bool, error) {
	_, err := s.o.Store.EditorKey(ctx, u.ID)
	if domain.IsCode(err, domain.ENOTFOUND) {
		return false, nil
	}
	return err == nil, err
}

// Inbox lists reports: metadata only, whether or not a key is unlocked.
func (s *Service) Inbox(ctx context.Context, u *domain.User, f domain.IntakeFilter) ([]*domain.IntakeReport, error) {
	if err := mayReadIntake(u); err != nil {
		return nil, err
	}
	return s.o.Store.ListReports(ctx, f)
}

// MessageView is a message as an editor sees it; Content is nil while the
// key is locked.
type MessageView struct {
	ID        int64
	Direction string
	AuthorID  int64
	CreatedAt time.Time
	Content   *Content
	Files     []*AttachmentView
}

// AttachmentView is an attachment's metadata; OriginalName and MediaType
// only when unlocked.
type AttachmentView struct {
	domain.IntakeAttachment
	OriginalName string
	MediaType    string
}

// ReportView is one report for an editor.
type ReportView struct {
	Report      *domain.IntakeReport
	Locked      bool // the editor's key is not unlocked in this session
	NoAccess    bool // unlocked, but the report key is not sealed to this editor
	Messages    []*MessageView
	Derivations []*domain.IntakeDerivation
}

// reportKey opens the report's envelope with the key unlocked in sessKey.
func (s *Service) reportKey(ctx context.Context, sessKey string, u *domain.User, reportID int64) (*age.X25519Identity, error) {
	ed := s.identity(sessKey, u)
	if ed == nil {
		return nil, errLocked
	}
	env, err := s.o.Store.Envelope(ctx, reportID)
	if err != nil {
		return nil, err
	}
	ids := []age.Identity{ed}
	return OpenReportKey(env, ids...)
}

var errLocked = domain.Errorf(domain.EFORBIDDEN, "Unlock your intake key first.")

// Report returns report id for u: always the metadata, the content when
// u's key is unlocked in sessKey.
func (s *Service) Report(ctx context.Context, u *domain.User, sessKey string, id int64) (*ReportView, error) {
	if err := mayReadIntake(u); err != nil {
		return nil, err
	}
	r, err := s.o.Store.FindReport(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &ReportView{Report: r}
	msgs, err := s.o.Store.Messages(ctx, id)
	if err != nil {
		return nil, err
	}
	atts, err := s.o.Store.Attachments(ctx, id)
	if err != nil {
		return nil, err
	}
	if v.Derivations, err = s.o.Store.Derivations(ctx, id); err != nil {
		return nil, err
	}
	key, err := s.reportKey(ctx, sessKey, u, id)
	switch {
	case err == nil:
	case errors.Is(err, errLocked):
		v.Locked = true
	case errors.Is(err, ErrNotRecipient):
		v.NoAccess = true
	default:
		return nil, err
	}
	byMsg := map[int64]*MessageView{}
	for _, m := range msgs {
		mv := &MessageView{ID: m.ID, Direction: m.Direction, AuthorID: m.AuthorID, CreatedAt: m.CreatedAt}
		if key != nil {
			b, err := openBytes(m.Sealed, MaxTextBytes*4, key)
			if err != nil {
				return nil, fmt.Errorf("intake: open message %d: %w", m.ID, err)
			}
			var c Content
			if err := json.Unmarshal(b, &c); err != nil {
				return nil, fmt.Errorf("intake: message %d: %w", m.ID, err)
			}
			mv.Content = &c
		}
		byMsg[m.ID] = mv
		v.Messages = append(v.Messages, mv)
	}
	for _, a := range atts {
		av, err := attachmentView(a, key)
		if err != nil {
			return nil, err
		}
		if mv := byMsg[a.MessageID]; mv != nil {
			mv.Files = append(mv.Files, av)
		}
	}
	return v, nil
}

func attachmentView(a *domain.IntakeAttachment, key *age.X25519Identity) (*AttachmentView, error) {
	av := &AttachmentView{IntakeAttachment: *a}
	av.SealedMeta = nil
	if key == nil {
		return av, nil
	}
	b, err := openBytes(a.SealedMeta, 4096, key)
	if err != nil {
		return nil, fmt.Errorf("intake: open attachment %d: %w", a.ID, err)
	}
	var meta attachmentMeta
	if err := json.Unmarshal(b, &meta); err != nil {
		return nil, fmt.Errorf("intake: attachment %d: %w", a.ID, err)
	}
	av.OriginalName, av.MediaType = meta.Name, meta.MediaType
	return av, nil
}

// SetStatus triages a report.
func (s *Service) SetStatus(ctx context.Context, u *domain.User, id int64, status string) error {
	if err := mayReadIntake(u); err != nil {
		return err
	}
	if !slices.Contains(domain.IntakeStatuses, status) || status == domain.IntakeConverted {
		return domain.InvalidFields(map[string]string{"status": "intake.problem.status"})
	}
	r, err := s.o.Store.FindReport(ctx, id)
	if err != nil {
		return err
	}
	if r.Status == domain.IntakeConverted {
		return domain.Errorf(domain.ECONFLICT, "This report was converted into an incident; its status no longer changes.")
	}
	r.Status = status
	return s.o.Store.UpdateReport(ctx, r, u, "intake.status")
}

// Assign gives a report to a staff member (0: nobody).
func (s *Service) Assign(ctx context.Context, u *domain.User, id, to int64) error {
	if err := mayReadIntake(u); err != nil {
		return err
	}
	r, err := s.o.Store.FindReport(ctx, id)
	if err != nil {
		return err
	}
	r.AssignedTo = to
	return s.o.Store.UpdateReport(ctx, r, u, "intake.assign")
}

// Reply seals text to the report's key and to the source's key, so the
// editors and the logged-in source can read it. No unlocked key is needed.
func (s *Service) Reply(ctx context.Context, u *domain.User, id int64, text string) error {
	if err := mayReadIntake(u); err != nil {
		return err
	}
	c := Content{Text: text}
	if p := c.Validate(0); len(p) > 0 {
		return domain.InvalidFields(p)
	}
	r, err := s.o.Store.FindReport(ctx, id)
	if err != nil {
		return err
	}
	srcKey, err := s.sourceKey(ctx, r)
	if err != nil {
		return err
	}
	rk, err := ParseRecipient(r.PublicKey)
	if err != nil {
		return err
	}
	body, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("intake: reply: %w", err)
	}
	sealed, err := sealBytes(body, rk, srcKey)
	if err != nil {
		return err
	}
	return s.o.Store.AddMessage(ctx, &domain.IntakeMessage{ReportID: id, Direction: domain.FromEditors, AuthorID: u.ID, Sealed: sealed}, nil)
}

func (s *Service) sourceKey(ctx context.Context, r *domain.IntakeReport) (age.Recipient, error) {
	pub, err := s.o.Store.SourcePublicKey(ctx, r.SourceID)
	if err != nil {
		return nil, err
	}
	return ParseRecipient(pub)
}

// OpenAttachment decrypts an attachment for download. The caller must
// serve it as an attachment (octet-stream, nosniff, sandbox) and read to
// io.EOF before trusting it.
func (s *Service) OpenAttachment(ctx context.Context, u *domain.User, sessKey string, reportID, attID int64) (io.ReadCloser, *AttachmentView, error) {
	if err := mayReadIntake(u); err != nil {
		return nil, nil, err
	}
	a, err := s.o.Store.FindAttachment(ctx, reportID, attID)
	if err != nil {
		return nil, nil, err
	}
	key, err := s.reportKey(ctx, sessKey, u, reportID)
	if err != nil {
		return nil, nil, err
	}
	av, err := attachmentView(a, key)
	if err != nil {
		return nil, nil, err
	}
	f, err := s.o.Blobs.Open(ctx, a.BlobSHA256)
	if err != nil {
		return nil, nil, err
	}
	r, err := Open(f, key)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return readCloser{r, f}, av, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// PublishCopy makes a metadata-stripped copy of an attachment for
// publication, stores it as a plain blob and records both hashes. Types
// that cannot be stripped need confirm (the editor checked the file).
func (s *Service) PublishCopy(ctx context.Context, u *domain.User, sessKey string, reportID, attID int64, confirm bool) (*domain.IntakeDerivation, error) {
	rc, av, err := s.OpenAttachment(ctx, u, sessKey, reportID, attID)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, MaxStripInput+1))
	if err != nil {
		return nil, fmt.Errorf("intake: read attachment: %w", err)
	}
	// A source's browser or tool may send no type or a generic one; the
	// content then decides among the types that can be stripped (the
	// stripper decodes the file anyway, so a lie only leads to a refusal).
	mediaType := av.MediaType
	if mt, _, _ := strings.Cut(mediaType, ";"); mt == "" || mt == "application/octet-stream" {
		if sniffed := http.DetectContentType(data); strippable[sniffed] {
			mediaType = sniffed
		}
	}
	out, outType, err := StripMetadata(bytes.NewReader(data), mediaType)
	dv := &domain.IntakeDerivation{ReportID: reportID, AttachmentID: attID, OriginalSHA256: av.PlaintextSHA256}
	switch {
	case err == nil:
	case errors.Is(err, ErrNeedsConfirmation) && confirm:
		out, outType, dv.Confirmed = data, av.MediaType, true
		if outType == "" {
			outType = "application/octet-stream"
		}
	default:
		return nil, err
	}
	ref, err := s.o.Blobs.Put(ctx, bytes.NewReader(out))
	if err != nil {
		return nil, fmt.Errorf("intake: store published copy: %w", err)
	}
	dv.PublishedSHA256, dv.MediaType, dv.Size = ref.SHA256, outType, ref.Size
	if err := s.o.Store.RecordDerivation(ctx, dv, u); err != nil {
		return nil, err
	}
	return dv, nil
}

// OpenPublished returns a published (stripped) copy recorded for report.
func (s *Service) OpenPublished(ctx context.Context, u *domain.User, reportID, derivationID int64) (io.ReadCloser, *domain.IntakeDerivation, error) {
	if err := mayReadIntake(u); err != nil {
		return nil, nil, err
	}
	ds, err := s.o.Store.Derivations(ctx, reportID)
	if err != nil {
		return nil, nil, err
	}
	for _, d := range ds {
		if d.ID == derivationID {
			f, err := s.o.Blobs.Open(ctx, d.PublishedSHA256)
			return f, d, err
		}
	}
	return nil, nil, domain.Errorf(domain.ENOTFOUND, "Not found.")
}

// Facts returns the source's first message (hints included) for
// conversion into an incident; it needs the unlocked key.
func (s *Service) Facts(ctx context.Context, u *domain.User, sessKey string, id int64) (*Content, error) {
	v, err := s.Report(ctx, u, sessKey, id)
	if err != nil {
		return nil, err
	}
	if v.Locked {
		return nil, errLocked
	}
	if v.NoAccess {
		return nil, domain.Errorf(domain.EFORBIDDEN, "This report is not sealed to your key; ask an admin to re-wrap reports.")
	}
	for _, m := range v.Messages {
		if m.Direction == domain.FromSource && m.Content != nil {
			return m.Content, nil
		}
	}
	return &Content{}, nil
}

// MarkConverted records the incident a report became.
func (s *Service) MarkConverted(ctx context.Context, u *domain.User, id, incidentID int64) error {
	if err := mayReadIntake(u); err != nil {
		return err
	}
	r, err := s.o.Store.FindReport(ctx, id)
	if err != nil {
		return err
	}
	r.Status, r.IncidentID = domain.IntakeConverted, incidentID
	return s.o.Store.UpdateReport(ctx, r, u, "intake.convert")
}

// Rewrap re-seals every report key that admin's unlocked key opens to the
// current editors' keys (and the offline key): new editors gain access,
// disabled ones lose it. Reports not sealed to admin are left as they are
// and counted in skipped.
func (s *Service) Rewrap(ctx context.Context, admin *domain.User, sessKey string) (done, skipped int, err error) {
	if admin == nil || admin.Role != domain.RoleAdmin {
		return 0, 0, domain.Errorf(domain.EFORBIDDEN, "Only admins can re-wrap reports.")
	}
	ed := s.identity(sessKey, admin)
	if ed == nil {
		return 0, 0, errLocked
	}
	rs, err := s.recipients(ctx)
	if err != nil {
		return 0, 0, err
	}
	envs, err := s.o.Store.Envelopes(ctx)
	if err != nil {
		return 0, 0, err
	}
	out := map[int64][]byte{}
	for id, env := range envs {
		b, err := RewrapReportKey(env, []age.Identity{ed}, rs)
		if errors.Is(err, ErrNotRecipient) {
			skipped++
			continue
		} else if err != nil {
			return 0, 0, err
		}
		out[id] = b
	}
	if err := s.o.Store.ReplaceEnvelopes(ctx, out, admin); err != nil {
		return 0, 0, err
	}
	return len(out), skipped, nil
}

// strippable are the sniffed types StripMetadata handles.
var strippable = map[string]bool{"image/jpeg": true, "image/png": true, "image/webp": true, "application/pdf": true}
