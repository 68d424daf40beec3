package intake

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"filippo.io/age"

	"github.com/presswatch/presswatch/internal/blob"
	"github.com/presswatch/presswatch/internal/domain"
)

// Content is what a message says. A source's first message carries the
// hints, contact and consent; later messages and replies only Text. It is
// sealed as JSON; no field of it is ever stored in clear.
type Content struct {
	Text           string `json:"text"`
	What           string `json:"what,omitempty"`
	When           string `json:"when,omitempty"`
	Where          string `json:"where,omitempty"`
	Outlet         string `json:"outlet,omitempty"`
	Category       string `json:"category,omitempty"`
	Contact        string `json:"contact,omitempty"`
	MayContact     bool   `json:"may_contact,omitempty"`
	MayPublishName bool   `json:"may_publish_name,omitempty"`
}

// Validate reports problems with the content's fields (keys: text, what,
// when, where, outlet, category, contact).
func (c *Content) Validate(files int) map[string]string {
	p := map[string]string{}
	c.Text = strings.TrimSpace(c.Text)
	if c.Text == "" && files == 0 {
		p["text"] = "intake.problem.empty"
	}
	if len(c.Text) > MaxTextBytes {
		p["text"] = "intake.problem.toolong"
	}
	for k, v := range map[string]*string{"what": &c.What, "when": &c.When, "where": &c.Where, "outlet": &c.Outlet,
		"category": &c.Category, "contact": &c.Contact} {
		*v = strings.TrimSpace(*v)
		if len(*v) > MaxHintBytes {
			p[k] = "intake.problem.toolong"
		}
	}
	for k, v := range map[string]string{"text": c.Text, "contact": c.Contact} {
		if !utf8.ValidString(v) {
			p[k] = "intake.problem.encoding"
		}
	}
	return p
}

// attachmentMeta is sealed next to each attachment: the only place the
// source's file name lives.
type attachmentMeta struct {
	Name      string `json:"name"`
	MediaType string `json:"media_type"`
	Size      int64  `json:"size"`
}

func sealBytes(b []byte, recipients ...age.Recipient) ([]byte, error) {
	var buf bytes.Buffer
	w, err := Seal(&buf, recipients)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, fmt.Errorf("intake: seal: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("intake: seal: %w", err)
	}
	return buf.Bytes(), nil
}

func openBytes(b []byte, limit int64, identities ...age.Identity) ([]byte, error) {
	r, err := Open(bytes.NewReader(b), identities...)
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(r, limit))
	if err != nil {
		return nil, fmt.Errorf("intake: open: %w", err)
	}
	return out, nil
}

// Upload is a submission or message being received: files are sealed to
// the report's key and stored as they stream in; Finish writes the rows.
// Abort (or a crash, cleaned at the next start) leaves only ciphertext.
type Upload struct {
	s         *Service
	sess      *SourceSession
	report    *domain.IntakeReport // nil for a new report
	reportKey *age.X25519Identity  // only for a new report
	recipient age.Recipient
	atts      []*domain.IntakeAttachment
	used      int64
	done      bool
}

// NewReport starts a new report: by a new source (sess == nil) or by a
// logged-in one. ETOOMANY beyond the global budget, ETOOLARGE when the
// storage quota is used up, EUNAVAILABLE while no editor has a key.
func (s *Service) NewReport(ctx context.Context, sess *SourceSession) (*Upload, error) {
	now := s.o.Now()
	if sess != nil {
		if err := sess.allow(now); err != nil {
			return nil, err
		}
	}
	if !s.submits.allow(now) {
		return nil, errTooMany
	}
	if err := s.checkQuota(ctx); err != nil {
		return nil, err
	}
	rs, err := s.recipients(ctx)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, domain.Errorf(domain.EUNAVAILABLE, "The submission box is not open yet: no editor can receive reports.")
	}
	key, err := NewReportKey()
	if err != nil {
		return nil, err
	}
	return &Upload{s: s, sess: sess, reportKey: key, recipient: key.Recipient()}, nil
}

// NewMessage starts a message from a logged-in source on one of its
// reports; another source's report is ENOTFOUND.
func (s *Service) NewMessage(ctx context.Context, sess *SourceSession, reportID int64) (*Upload, error) {
	if sess == nil {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "Please log in with your codename.")
	}
	r, err := s.o.Store.FindReport(ctx, reportID)
	if err != nil {
		return nil, err
	}
	if r.SourceID != sess.SourceID {
		return nil, domain.Errorf(domain.ENOTFOUND, "Report not found.")
	}
	if err := sess.allow(s.o.Now()); err != nil {
		return nil, err
	}
	if err := s.checkQuota(ctx); err != nil {
		return nil, err
	}
	rcp, err := ParseRecipient(r.PublicKey)
	if err != nil {
		return nil, err
	}
	return &Upload{s: s, sess: sess, report: r, recipient: rcp}, nil
}

func (s *Service) checkQuota(ctx context.Context) error {
	used, err := s.o.Store.StoredBytes(ctx)
	if err != nil {
		return err
	}
	if used+s.o.MaxBytes > s.o.Quota {
		return domain.Errorf(domain.ETOOLARGE, "The submission box is full right now; please try again later or send a smaller file.")
	}
	return nil
}

// Remaining is how many plaintext bytes the upload may still take.
func (u *Upload) Remaining() int64 { return u.s.o.MaxBytes - u.used }

// AddFile seals r to the report's key and stores the ciphertext in the blob
// store as it streams: no plaintext reaches a disk. name and mediaType are
// sealed too. ETOOLARGE past the upload limit (the partial ciphertext is
// discarded).
func (u *Upload) AddFile(ctx context.Context, name, mediaType string, r io.Reader) error {
	if u.done {
		return fmt.Errorf("intake: upload already finished")
	}
	pr, pw := io.Pipe()
	type result struct {
		ref blob.Ref
		err error
	}
	done := make(chan result, 1)
	go func() {
		ref, err := u.s.o.Blobs.Put(ctx, pr)
		pr.CloseWithError(err)
		done <- result{ref, err}
	}()
	sw, err := NewSealedWriter(pw, u.Remaining(), u.recipient)
	if err != nil {
		pw.CloseWithError(err)
		<-done
		return err
	}
	_, err = io.Copy(sw, r)
	if err == nil {
		err = sw.Close()
	}
	if err != nil {
		pw.CloseWithError(err)
		<-done
		return err
	}
	pw.Close()
	res := <-done
	if res.err != nil {
		return fmt.Errorf("intake: store attachment: %w", res.err)
	}
	sum := sw.Summary()
	if res.ref.SHA256 != sum.CiphertextSHA256 {
		return fmt.Errorf("intake: stored blob %s differs from the sealed stream %s", res.ref.SHA256, sum.CiphertextSHA256)
	}
	if len(name) > 255 {
		name = name[:255]
	}
	if len(mediaType) > 255 {
		mediaType = ""
	}
	meta, err := json.Marshal(attachmentMeta{Name: strings.ToValidUTF8(name, "?"), MediaType: strings.ToValidUTF8(mediaType, ""), Size: sum.PlaintextSize})
	if err != nil {
		return fmt.Errorf("intake: attachment meta: %w", err)
	}
	sealedMeta, err := sealBytes(meta, u.recipient)
	if err != nil {
		return err
	}
	u.used += sum.PlaintextSize
	u.atts = append(u.atts, &domain.IntakeAttachment{BlobSHA256: sum.CiphertextSHA256, PlaintextSHA256: sum.PlaintextSHA256,
		Size: sum.PlaintextSize, CipherSize: sum.CiphertextSize, SealedMeta: sealedMeta})
	return nil
}

// Files is the number of files received so far.
func (u *Upload) Files() int { return len(u.atts) }

// Abort deletes the blobs stored so far.
func (u *Upload) Abort(ctx context.Context) {
	if u.done {
		return
	}
	u.done = true
	for _, a := range u.atts {
		if err := u.s.o.Blobs.Delete(context.WithoutCancel(ctx), a.BlobSHA256); err != nil && !domain.IsCode(err, domain.ENOTFOUND) {
			u.s.o.Logger.Warn("intake: delete aborted upload blob", "err", err)
		}
	}
}

// Result is what a finished upload gives the source.
type Result struct {
	ReportID int64
	// Codename is set only when a new source was created: show it once.
	Codename string
	// Token is a new source session for a new source.
	Token string
}

// Finish seals c and writes the report (or message) rows. c must have been
// validated.
func (u *Upload) Finish(ctx context.Context, c Content) (*Result, error) {
	if u.done {
		return nil, fmt.Errorf("intake: upload already finished")
	}
	if p := c.Validate(len(u.atts)); len(p) > 0 {
		u.Abort(ctx)
		return nil, domain.InvalidFields(p)
	}
	body, err := json.Marshal(c)
	if err != nil {
		u.Abort(ctx)
		return nil, fmt.Errorf("intake: message: %w", err)
	}
	sealed, err := sealBytes(body, u.recipient)
	if err != nil {
		u.Abort(ctx)
		return nil, err
	}
	m := &domain.IntakeMessage{Direction: domain.FromSource, Sealed: sealed}
	res := &Result{}
	if u.report != nil {
		m.ReportID = u.report.ID
		if err := u.s.o.Store.AddMessage(ctx, m, u.atts); err != nil {
			u.Abort(ctx)
			return nil, err
		}
		u.done = true
		res.ReportID = u.report.ID
		return res, nil
	}
	rs, err := u.s.recipients(ctx)
	if err != nil {
		u.Abort(ctx)
		return nil, err
	}
	envelope, err := SealReportKey(u.reportKey, rs)
	if err != nil {
		u.Abort(ctx)
		return nil, err
	}
	src := &domain.IntakeSource{}
	var srcID *age.X25519Identity
	if u.sess != nil {
		src.ID = u.sess.SourceID
	} else {
		codename, err := NewCodename()
		if err != nil {
			u.Abort(ctx)
			return nil, err
		}
		keys, normErr, err := u.s.derive(ctx, codename)
		if err == nil {
			err = normErr
		}
		if err != nil {
			u.Abort(ctx)
			return nil, err
		}
		src.LookupKey, src.PublicKey = keys.LookupKey, keys.Identity.Recipient().String()
		res.Codename, srcID = codename, keys.Identity
	}
	now := u.s.o.Now()
	r := &domain.IntakeReport{Status: domain.IntakeNew, PublicKey: u.recipient.(*age.X25519Recipient).String(),
		ExpiresAt: now.Add(u.s.o.Retention)}
	if err := u.s.o.Store.CreateReport(ctx, src, r, envelope, m, u.atts); err != nil {
		u.Abort(ctx)
		return nil, err
	}
	u.done = true
	u.reportKey = nil
	res.ReportID = r.ID
	if srcID != nil {
		res.Token = u.s.startSource(src, srcID)
		if ss := u.s.SourceSession(res.Token); ss != nil {
			ss.mu.Lock()
			ss.codename = res.Codename
			ss.mu.Unlock()
		}
	}
	return res, nil
}

// SourceReport is what a logged-in source sees of one report.
type SourceReport struct {
	ID        int64
	Status    string
	CreatedAt time.Time
	Messages  []SourceMessage
}

// SourceMessage is one message as its source sees it: its own messages
// only as a date (they are sealed to the editors), replies in full.
type SourceMessage struct {
	FromSource bool
	CreatedAt  time.Time
	Files      int
	Text       string // replies only
}

// SourceReports returns the session's reports with the editors' replies
// opened with the source's own key.
func (s *Service) SourceReports(ctx context.Context, sess *SourceSession) ([]*SourceReport, error) {
	if sess == nil {
		return nil, domain.Errorf(domain.EUNAUTHORIZED, "Please log in with your codename.")
	}
	reports, err := s.o.Store.SourceReports(ctx, sess.SourceID)
	if err != nil {
		return nil, err
	}
	var out []*SourceReport
	for _, r := range reports {
		sr := &SourceReport{ID: r.ID, Status: r.Status, CreatedAt: r.CreatedAt}
		msgs, err := s.o.Store.Messages(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		atts, err := s.o.Store.Attachments(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		files := map[int64]int{}
		for _, a := range atts {
			files[a.MessageID]++
		}
		for _, m := range msgs {
			sm := SourceMessage{FromSource: m.Direction == domain.FromSource, CreatedAt: m.CreatedAt, Files: files[m.ID]}
			if !sm.FromSource {
				b, err := openBytes(m.Sealed, MaxTextBytes*2, sess.identity)
				if err != nil {
					return nil, fmt.Errorf("intake: open reply %d: %w", m.ID, err)
				}
				var c Content
				if err := json.Unmarshal(b, &c); err != nil {
					return nil, fmt.Errorf("intake: reply %d: %w", m.ID, err)
				}
				sm.Text = c.Text
			}
			sr.Messages = append(sr.Messages, sm)
		}
		out = append(out, sr)
	}
	return out, nil
}
