package stories

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/editorial"
	"github.com/presswatch/presswatch/internal/intake"
)

// Limits of a deposit.
const (
	MaxDepositBytes = 64 << 20
	MinCheckIn      = 24 * time.Hour
	MaxCheckIn      = 365 * 24 * time.Hour
)

// Bundle is the plaintext of a deposit: what is sealed. Its SHA-256 (of
// the JSON encoding, see Bundle.Encode) is entered in the log on the day
// of deposit.
type Bundle struct {
	Title  string `json:"title"`
	Byline string `json:"byline,omitempty"` // how readers should see the author; empty = anonymous
	Text   string `json:"text"`
	Files  []File `json:"files,omitempty"`
}

// File is one file of a deposit.
type File struct {
	Name      string `json:"name"`
	MediaType string `json:"media_type"`
	Data      []byte `json:"data"`
}

// Encode returns the bytes that are sealed and hashed.
func (b *Bundle) Encode() ([]byte, error) { return json.Marshal(b) }

// Depositor is who deposits, checks in, cancels or reads as the depositor:
// a signed-in staff member, or a source with a codename.
type Depositor struct {
	User     *domain.User
	Codename string
}

// DepositInput is a new deposit and its instructions.
type DepositInput struct {
	Bundle Bundle
	// Readers may read the deposit now (none is allowed).
	Readers []int64
	// ReleaseEditors take part in a release decision (at least two when
	// OnSilence is publish).
	ReleaseEditors []int64
	CheckInEvery   time.Duration
	Grace          time.Duration
	OnSilence      string
}

// Validate reports problems with the input as field → message.
func (in *DepositInput) Validate() error { return in.validate(len(in.Bundle.Files)) }

// validate checks the input of a deposit holding files files (the streamed
// path knows only how many files it sealed).
func (in *DepositInput) validate(files int) error {
	p := map[string]string{}
	in.Bundle.Title = strings.TrimSpace(in.Bundle.Title)
	in.Bundle.Byline = strings.TrimSpace(in.Bundle.Byline)
	if in.Bundle.Title == "" {
		p["title"] = "Give the deposit a title (it stays sealed)."
	}
	if strings.TrimSpace(in.Bundle.Text) == "" && files == 0 {
		p["text"] = "Deposit some text or files."
	}
	if in.CheckInEvery < MinCheckIn || in.CheckInEvery > MaxCheckIn {
		p["every"] = "Check in every 1 to 365 days."
	}
	if in.Grace < 0 || in.Grace > MaxCheckIn {
		p["grace"] = "The grace period is 0 to 365 days."
	}
	switch in.OnSilence {
	case domain.OnSilenceAlert:
	case domain.OnSilencePublish:
		if len(in.ReleaseEditors) < 2 {
			p["release"] = "Name at least two editors who will decide together on publication."
		}
		if in.Grace < MinCheckIn {
			p["grace"] = "Give a grace period of at least one day before a release can be decided."
		}
	default:
		p["on_silence"] = "Say what happens when check-ins stop."
	}
	if len(p) > 0 {
		return domain.InvalidFields(p)
	}
	return nil
}

// NewDeposit is what Deposit returns: the deposit and, for a source who
// came without one, their new codename (shown once, never stored).
type NewDeposit struct {
	Deposit  *domain.Deposit
	Codename string
}

// Deposit seals the bundle to a fresh per-deposit key and stores it with
// the key's envelopes: to the depositor, to each named reader, and in pairs
// to the release editors (an envelope sealed to one editor, then to
// another: opening it needs both). The content's SHA-256 enters the log.
// Files held in memory go through the same sealed stream as uploads
// (DepositSealed).
func (s *Service) Deposit(ctx context.Context, who Depositor, in DepositInput) (*NewDeposit, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	dw, err := NewDepositWriter(in.Bundle.Title, in.Bundle.Byline, in.Bundle.Text)
	if err != nil {
		return nil, err
	}
	for _, f := range in.Bundle.Files {
		if err := dw.AddFile(f.Name, f.MediaType, bytes.NewReader(f.Data)); err != nil {
			return nil, err
		}
	}
	return s.DepositSealed(ctx, who, in, dw)
}

// DepositSealed stores a deposit whose bundle dw sealed as it streamed
// (in.Bundle's files are ignored: dw holds them, sealed). It checks in
// first, so a refused deposit stores nothing.
func (s *Service) DepositSealed(ctx context.Context, who Depositor, in DepositInput, dw *DepositWriter) (*NewDeposit, error) {
	in.Bundle.Title, in.Bundle.Byline, in.Bundle.Text = dw.title, dw.byline, dw.text
	if err := in.validate(dw.files); err != nil {
		return nil, err
	}
	in.Readers, in.ReleaseEditors = uniq(in.Readers), uniq(in.ReleaseEditors)
	sealed, sum, size, err := dw.finish()
	if err != nil {
		return nil, err
	}
	out := &NewDeposit{}
	dep := &domain.Deposit{Readers: in.Readers, ReleaseEditors: in.ReleaseEditors, CheckInEvery: in.CheckInEvery,
		Grace: in.Grace, OnSilence: in.OnSilence, Size: size}
	// The depositor's own key.
	var depositor age.Recipient
	var by *domain.User
	if who.User != nil {
		if err := editorial.Allow(who.User, domain.ActionRead); err != nil {
			return nil, err
		}
		k, err := s.staffKey(ctx, who.User.ID)
		if err != nil {
			return nil, err
		}
		if depositor, err = intake.ParseRecipient(k.PublicKey); err != nil {
			return nil, err
		}
		dep.DepositorUserID, dep.DepositorKey, by = who.User.ID, k.PublicKey, who.User
	} else {
		code := who.Codename
		if strings.TrimSpace(code) == "" {
			if code, err = intake.NewCodename(); err != nil {
				return nil, fmt.Errorf("stories: deposit: %w", err)
			}
			out.Codename = code
		}
		keys, err := intake.DeriveSourceKeys(code, s.Pepper)
		if err != nil {
			return nil, domain.Errorf(domain.EINVALID, "That is not a codename: it has 7 words.")
		}
		depositor = keys.Identity.Recipient()
		dep.DepositorLookup, dep.DepositorKey = keys.LookupKey, keys.Identity.Recipient().String()
	}
	secret := []byte(dw.key.String())
	env, err := sealBytes(secret, []age.Recipient{depositor})
	if err != nil {
		return nil, err
	}
	envs := []*domain.DepositEnvelope{{Kind: "depositor", Sealed: env}}
	for _, id := range in.Readers {
		r, err := s.staffRecipient(ctx, id)
		if err != nil {
			return nil, err
		}
		b, err := sealBytes(secret, []age.Recipient{r})
		if err != nil {
			return nil, err
		}
		envs = append(envs, &domain.DepositEnvelope{Kind: "reader", Outer: id, Sealed: b})
	}
	if in.OnSilence == domain.OnSilencePublish {
		recips := map[int64]age.Recipient{}
		for _, id := range in.ReleaseEditors {
			if recips[id], err = s.staffRecipient(ctx, id); err != nil {
				return nil, err
			}
		}
		for _, inner := range in.ReleaseEditors {
			for _, outer := range in.ReleaseEditors {
				if inner == outer {
					continue
				}
				b, err := sealBytes(secret, []age.Recipient{recips[inner]})
				if err != nil {
					return nil, err
				}
				if b, err = sealBytes(b, []age.Recipient{recips[outer]}); err != nil {
					return nil, err
				}
				envs = append(envs, &domain.DepositEnvelope{Kind: "pair", Outer: outer, Inner: inner, Sealed: b})
			}
		}
	}
	dep.SHA256 = sum
	ref := make([]byte, 8)
	if _, err := rand.Read(ref); err != nil {
		return nil, err
	}
	dep.Ref = "deposit-" + hex.EncodeToString(ref)
	if err := s.Deposits.CreateDeposit(ctx, dep, envs, sealed, by); err != nil {
		return nil, err
	}
	out.Deposit = dep
	return out, nil
}

// Editor is a staff member a depositor can name: only the display name.
type Editor struct {
	ID   int64
	Name string
}

// Editors lists the editors who have a key, for the deposit form.
func (s *Service) Editors(ctx context.Context) ([]Editor, error) {
	if s.Keys == nil {
		return nil, nil
	}
	keys, err := s.Keys.StaffKeys(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Editor, 0, len(keys))
	for _, k := range keys {
		name := k.Name
		if name == "" {
			name = fmt.Sprintf("Editor %d", k.UserID)
		}
		out = append(out, Editor{ID: k.UserID, Name: name})
	}
	slices.SortFunc(out, func(a, b Editor) int { return int(a.ID - b.ID) })
	return out, nil
}

func uniq(list []int64) []int64 {
	var out []int64
	for _, x := range list {
		if x > 0 && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func (s *Service) staffKey(ctx context.Context, userID int64) (*Key, error) {
	if s.Keys == nil {
		return nil, domain.Errorf(domain.EINVALID, "Staff keys are not set up on this instance.")
	}
	k, err := s.Keys.StaffKey(ctx, userID)
	if domain.IsCode(err, domain.ENOTFOUND) {
		return nil, domain.Errorf(domain.EINVALID, "Staff member %d has no key yet: they must sign in once to create it.", userID)
	}
	return k, err
}

func (s *Service) staffRecipient(ctx context.Context, userID int64) (age.Recipient, error) {
	k, err := s.staffKey(ctx, userID)
	if err != nil {
		return nil, err
	}
	return intake.ParseRecipient(k.PublicKey)
}

// mine returns the deposits of who. A codename always costs one derivation
// (invalid or unknown codenames find nothing, the same way).
func (s *Service) mine(ctx context.Context, who Depositor) ([]*domain.Deposit, age.Identity, error) {
	if who.User != nil {
		if err := editorial.Allow(who.User, domain.ActionRead); err != nil {
			return nil, nil, err
		}
		list, err := s.Deposits.DepositsByUser(ctx, who.User.ID)
		return list, nil, err
	}
	keys, err := intake.DeriveSourceKeys(who.Codename, s.Pepper)
	if err != nil || keys.LookupKey == nil {
		return nil, nil, nil
	}
	list, err := s.Deposits.DepositsByLookup(ctx, keys.LookupKey)
	return list, keys.Identity, err
}

// CheckIn checks in every deposit of who; it returns how many. Zero for an
// unknown codename (the page says the same either way).
func (s *Service) CheckIn(ctx context.Context, who Depositor) ([]*domain.Deposit, error) {
	list, _, err := s.mine(ctx, who)
	if err != nil {
		return nil, err
	}
	var out []*domain.Deposit
	for _, d := range list {
		if d.State == domain.DepositReleased {
			continue
		}
		nd, err := s.Deposits.CheckIn(ctx, d.ID, who.User)
		if err != nil {
			return nil, err
		}
		out = append(out, nd)
	}
	return out, nil
}

// MyDeposits lists who's deposits (rows only).
func (s *Service) MyDeposits(ctx context.Context, who Depositor) ([]*domain.Deposit, error) {
	list, _, err := s.mine(ctx, who)
	return list, err
}

// Cancel destroys a deposit of who: its key envelopes, content, alerts and
// row (crypto-shredding). Another's deposit is ENOTFOUND.
func (s *Service) Cancel(ctx context.Context, who Depositor, id int64) error {
	list, _, err := s.mine(ctx, who)
	if err != nil {
		return err
	}
	for _, d := range list {
		if d.ID == id {
			if d.State == domain.DepositReleased {
				return domain.Errorf(domain.ECONFLICT, "This deposit was already released as a story.")
			}
			if err := s.Deposits.CancelDeposit(ctx, id, who.User); err != nil {
				return err
			}
			s.compact(ctx)
			return nil
		}
	}
	return domain.Errorf(domain.ENOTFOUND, "Deposit not found.")
}

// compacter is implemented by stores that can drop freed pages from their
// files (SQLite: truncate the write-ahead log, where the deleted envelopes
// and content would otherwise linger until the next checkpoint).
type compacter interface {
	Compact(ctx context.Context) error
}

func (s *Service) compact(ctx context.Context) {
	if c, ok := s.Deposits.(compacter); ok {
		if err := c.Compact(ctx); err != nil {
			s.Logger.Warn("stories: compact after cancel", "err", err)
		}
	}
}

// ReadAsDepositor opens a deposit of who (a source with their codename, or
// a staff member with their password).
func (s *Service) ReadAsDepositor(ctx context.Context, who Depositor, id int64, password string) (*Bundle, error) {
	list, ident, err := s.mine(ctx, who)
	if err != nil {
		return nil, err
	}
	var dep *domain.Deposit
	for _, d := range list {
		if d.ID == id {
			dep = d
		}
	}
	if dep == nil {
		return nil, domain.Errorf(domain.ENOTFOUND, "Deposit not found.")
	}
	if who.User != nil {
		if ident, err = s.unlock(ctx, who.User, password); err != nil {
			return nil, err
		}
	}
	return s.open(ctx, dep.ID, func(e *domain.DepositEnvelope) bool { return e.Kind == "depositor" }, ident)
}

// Read opens a deposit for an editor the depositor named as a reader (or,
// once released, a release editor). Anyone else gets ENOTFOUND, exactly as
// for a deposit that does not exist; the envelopes make that true even for
// someone with the database.
func (s *Service) Read(ctx context.Context, by *domain.User, id int64, password string) (*Bundle, error) {
	if err := editorial.Allow(by, domain.ActionRead); err != nil {
		return nil, err
	}
	dep, err := s.Deposits.FindDeposit(ctx, id)
	if err != nil {
		return nil, err
	}
	can := slices.Contains(dep.Readers, by.ID) || (dep.State == domain.DepositReleased && slices.Contains(dep.ReleaseEditors, by.ID))
	if !can {
		return nil, domain.Errorf(domain.ENOTFOUND, "Deposit not found.")
	}
	ident, err := s.unlock(ctx, by, password)
	if err != nil {
		return nil, err
	}
	return s.open(ctx, id, func(e *domain.DepositEnvelope) bool { return e.Kind == "reader" && e.Outer == by.ID }, ident)
}

func (s *Service) unlock(ctx context.Context, u *domain.User, password string) (age.Identity, error) {
	k, err := s.staffKey(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	return intake.UnlockEditorKey(k.Wrapped, password)
}

// open finds an envelope match opens with ident, and decrypts the content.
func (s *Service) open(ctx context.Context, id int64, match func(*domain.DepositEnvelope) bool, ident age.Identity) (*Bundle, error) {
	envs, err := s.Deposits.DepositEnvelopes(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, e := range envs {
		if !match(e) {
			continue
		}
		key, err := openKey(e.Sealed, ident)
		if err != nil {
			continue
		}
		return s.decrypt(ctx, id, key)
	}
	return nil, domain.Errorf(domain.EFORBIDDEN, "Your key does not open this deposit.")
}

func openKey(sealed []byte, ident age.Identity) (*age.X25519Identity, error) {
	b, err := openBytes(sealed, ident)
	if err != nil {
		return nil, err
	}
	return age.ParseX25519Identity(strings.TrimSpace(string(b)))
}

func (s *Service) decrypt(ctx context.Context, id int64, key age.Identity) (*Bundle, error) {
	sealed, err := s.Deposits.DepositContent(ctx, id)
	if err != nil {
		return nil, err
	}
	plain, err := openBytes(sealed, key)
	if err != nil {
		return nil, fmt.Errorf("stories: open deposit %d: %w", id, err)
	}
	b := &Bundle{}
	if err := json.Unmarshal(plain, b); err != nil {
		return nil, fmt.Errorf("stories: decode deposit %d: %w", id, err)
	}
	return b, nil
}

// DepositStatus is what every editor may see of a deposit: that it exists
// and its check-in state — never its content or title.
type DepositStatus struct {
	Deposit     *domain.Deposit
	DueAt       time.Time
	Overdue     bool
	CanRead     bool
	CanVote     bool
	Voted       []int64 // release editors who voted
	ReleaseFrom time.Time
}

// ListDepositStatus lists every deposit's status for the back office.
func (s *Service) ListDepositStatus(ctx context.Context, by *domain.User) ([]*DepositStatus, error) {
	if err := editorial.Allow(by, domain.ActionRead); err != nil {
		return nil, err
	}
	list, err := s.Deposits.ListDeposits(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*DepositStatus, 0, len(list))
	for _, d := range list {
		st, err := s.status(ctx, by, d)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// DepositStatusOf returns one deposit's status.
func (s *Service) DepositStatusOf(ctx context.Context, by *domain.User, id int64) (*DepositStatus, error) {
	if err := editorial.Allow(by, domain.ActionRead); err != nil {
		return nil, err
	}
	d, err := s.Deposits.FindDeposit(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.status(ctx, by, d)
}

func (s *Service) status(ctx context.Context, by *domain.User, d *domain.Deposit) (*DepositStatus, error) {
	st := &DepositStatus{Deposit: d, DueAt: d.DueAt(), Overdue: s.now().After(d.DueAt()) && d.State != domain.DepositReleased,
		ReleaseFrom: d.ReleasableAt()}
	st.CanRead = slices.Contains(d.Readers, by.ID) || (d.State == domain.DepositReleased && slices.Contains(d.ReleaseEditors, by.ID))
	if d.State == domain.DepositReleasable {
		envs, err := s.Deposits.DepositEnvelopes(ctx, d.ID)
		if err != nil {
			return nil, err
		}
		for _, e := range envs {
			if e.Kind == "half" && !slices.Contains(st.Voted, e.Outer) {
				st.Voted = append(st.Voted, e.Outer)
			}
		}
		st.CanVote = slices.Contains(d.ReleaseEditors, by.ID) && !slices.Contains(st.Voted, by.ID) && domain.Can(by.Role, domain.ActionPublish)
	}
	return st, nil
}

// Alerts lists the open alerts about silent deposits.
func (s *Service) Alerts(ctx context.Context, by *domain.User) ([]*domain.DepositAlert, error) {
	if err := editorial.Allow(by, domain.ActionRead); err != nil {
		return nil, err
	}
	return s.Deposits.Alerts(ctx, true)
}

// Sweep looks at every deposit once: a missed check-in makes it overdue
// and alerts the editors; past the grace period, a deposit whose
// instructions say publish becomes releasable — which only lets two release
// editors decide; the timer itself never publishes. It returns the number
// of deposits whose state changed.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	list, err := s.Deposits.ListDeposits(ctx)
	if err != nil {
		return 0, err
	}
	now := s.now()
	n := 0
	for _, d := range list {
		var state string
		var alert *domain.DepositAlert
		switch {
		case d.State == domain.DepositReleased || d.State == domain.DepositReleasable:
			continue
		case d.OnSilence == domain.OnSilencePublish && now.After(d.ReleasableAt()):
			state = domain.DepositReleasable
			alert = &domain.DepositAlert{Kind: "releasable", Message: fmt.Sprintf(
				"Deposit %s: no check-in since %s and the grace period is over. Its depositor asked for publication: two of the named editors may now decide to release it.",
				d.Ref, d.LastCheckIn.Format("2006-01-02"))}
		case d.State == domain.DepositActive && now.After(d.DueAt()):
			state = domain.DepositOverdue
			alert = &domain.DepositAlert{Kind: "overdue", Message: fmt.Sprintf(
				"Deposit %s: the check-in due %s was missed. Try to reach its depositor.", d.Ref, d.DueAt().Format("2006-01-02 15:04 MST"))}
		default:
			continue
		}
		if err := s.Deposits.MarkDeposit(ctx, d.ID, state, alert); err != nil {
			if domain.IsCode(err, domain.ENOTFOUND) {
				continue // cancelled or released meanwhile
			}
			return n, err
		}
		s.Logger.Info("stories: deposit state", "deposit", d.ID, "state", state)
		n++
	}
	return n, nil
}

// Run sweeps every interval until ctx ends (the loop serve starts).
func (s *Service) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.Logger.Error("stories: sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Release is one release editor's vote, with their password to unlock
// their key. The first vote opens the outer layer of the pairs sealed to
// the voter (what remains is still sealed to the other editor of each
// pair); the second vote, by another release editor, opens the inner layer
// of a half-opened pair: only then does the deposit key exist in memory.
// The deposit then becomes a story published under the two-person rule
// (approved by the first voter, published by the second) whose log entry
// names the deposit's entry and hash. It returns the public story after
// the second vote, nil after the first.
func (s *Service) Release(ctx context.Context, by *domain.User, id int64, password string) (*domain.PublicStory, error) {
	if err := editorial.Allow(by, domain.ActionPublish); err != nil {
		return nil, err
	}
	dep, err := s.Deposits.FindDeposit(ctx, id)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(dep.ReleaseEditors, by.ID) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "The depositor did not name you among the editors who decide on release.")
	}
	if dep.State != domain.DepositReleasable {
		return nil, domain.Errorf(domain.ECONFLICT, "This deposit cannot be released: its check-ins and instructions do not allow it now.")
	}
	ident, err := s.unlock(ctx, by, password)
	if err != nil {
		return nil, err
	}
	envs, err := s.Deposits.DepositEnvelopes(ctx, id)
	if err != nil {
		return nil, err
	}
	// A half opened by another editor and sealed to me: the second vote.
	for _, e := range envs {
		if e.Kind != "half" || e.Inner != by.ID || e.Outer == by.ID {
			continue
		}
		key, err := openKey(e.Sealed, ident)
		if err != nil {
			continue
		}
		return s.release(ctx, dep, key, e.Outer, by)
	}
	// The first vote: peel my layer off every pair sealed to me.
	var halves []*domain.DepositEnvelope
	for _, e := range envs {
		if e.Kind != "pair" || e.Outer != by.ID {
			continue
		}
		inner, err := openBytes(e.Sealed, ident)
		if err != nil {
			return nil, domain.Errorf(domain.EFORBIDDEN, "Your key does not open this deposit's release envelopes.")
		}
		halves = append(halves, &domain.DepositEnvelope{Kind: "half", Outer: by.ID, Inner: e.Inner, Sealed: inner})
	}
	if len(halves) == 0 {
		return nil, domain.Errorf(domain.EFORBIDDEN, "Your key does not open this deposit's release envelopes.")
	}
	return nil, s.Deposits.VoteRelease(ctx, id, by, halves)
}

func (s *Service) release(ctx context.Context, dep *domain.Deposit, key *age.X25519Identity, firstID int64, by *domain.User) (*domain.PublicStory, error) {
	b, err := s.decrypt(ctx, dep.ID, key)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(mustEncode(b))
	if hex.EncodeToString(sum[:]) != dep.SHA256 {
		return nil, fmt.Errorf("stories: deposit %d does not match its logged hash", dep.ID)
	}
	st := &domain.Story{Kind: domain.StoryCensored, Title: b.Title, Body: b.Text, Language: "en", DepositID: dep.ID,
		AuthorDisplay: domain.AuthorAnonymous}
	if b.Byline != "" {
		st.AuthorDisplay, st.AuthorName = domain.AuthorNamed, b.Byline
	}
	if strings.TrimSpace(st.Body) == "" {
		st.Body = "(This deposit holds files only; the editors publish them after review.)"
	}
	st.Normalize()
	if err := st.Validate(); err != nil {
		return nil, err
	}
	if err := s.Stories.CreateStory(ctx, st, by, "released from the safe box "+dep.Ref); err != nil {
		return nil, err
	}
	// From now on the release editors read it like named readers.
	secret := []byte(key.String())
	var readers []*domain.DepositEnvelope
	for _, id := range dep.ReleaseEditors {
		r, err := s.staffRecipient(ctx, id)
		if err != nil {
			return nil, err
		}
		env, err := sealBytes(secret, []age.Recipient{r})
		if err != nil {
			return nil, err
		}
		readers = append(readers, &domain.DepositEnvelope{Kind: "reader", Outer: id, Sealed: env})
	}
	if err := s.Deposits.Released(ctx, dep.ID, st.ID, readers, by); err != nil {
		return nil, err
	}
	if _, err := s.Stories.TransitionStory(ctx, st.ID, st.Version, domain.ActionSubmit, by, "release decision"); err != nil {
		return nil, err
	}
	first := &domain.User{ID: firstID}
	if err := s.Stories.ApproveStory(ctx, st.ID, st.Version, first, false, "release vote"); err != nil {
		return nil, err
	}
	return s.Stories.PublishStory(ctx, st.ID, st.Version, by)
}

func mustEncode(b *Bundle) []byte {
	out, _ := b.Encode()
	return out
}
