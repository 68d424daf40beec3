package editorial

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"golang.org/x/crypto/argon2"

	"github.com/presswatch/presswatch/internal/domain"
)

// Login throttle (SECURITY.md): more than MaxFailures failures within
// FailureWindow lock the account for LockDuration, during which even the
// right password is refused.
const (
	MaxFailures   = 5
	FailureWindow = 60 * time.Second
	LockDuration  = 15 * time.Minute
	MinPassword   = 12
)

// PasswordParams are the Argon2id costs.
type PasswordParams struct {
	Time    uint32
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultPasswordParams follow RFC 9106's second recommended option, scaled
// to a small server.
var DefaultPasswordParams = PasswordParams{Time: 3, Memory: 64 * 1024, Threads: 2}

// HashPassword returns an Argon2id hash in the PHC string format.
func HashPassword(pw string, p PasswordParams) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, 32)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", p.Memory, p.Time, p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches a hash made by HashPassword.
func CheckPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var p PasswordParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// NewPassword returns a random one-time password of 20 characters.
func NewPassword() string {
	b := make([]byte, 15)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func checkPasswordRules(pw string) error {
	if len([]rune(pw)) < MinPassword {
		return domain.InvalidFields(map[string]string{"password": fmt.Sprintf("Use at least %d characters.", MinPassword)})
	}
	if len(pw) > 1024 {
		return domain.InvalidFields(map[string]string{"password": "Use at most 1,024 characters."})
	}
	return nil
}

// CreateUser adds a staff account. by is nil when the command line creates
// the first admin. The password must then be changed at first login.
func (s *Service) CreateUser(ctx context.Context, by *domain.User, email, name, role, password string) (*domain.User, error) {
	if by != nil {
		if err := Allow(by, domain.ActionManageUsers); err != nil {
			return nil, err
		}
	}
	u := &domain.User{Email: email, Name: strings.TrimSpace(name), Role: role, MustChangePW: true}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	if err := checkPasswordRules(password); err != nil {
		return nil, err
	}
	h, err := HashPassword(password, s.pwParams)
	if err != nil {
		return nil, err
	}
	u.PasswordHash = h
	if err := s.Users.CreateUser(ctx, u, by); err != nil {
		return nil, err
	}
	return u, nil
}

// UpdateUser changes a user's role or disables the account (admins only).
// Disabling ends the user's sessions.
func (s *Service) UpdateUser(ctx context.Context, by *domain.User, id int64, role string, disabled bool) error {
	if err := Allow(by, domain.ActionManageUsers); err != nil {
		return err
	}
	u, err := s.Users.FindUser(ctx, id)
	if err != nil {
		return err
	}
	if u.ID == by.ID && (disabled || role != domain.RoleAdmin) {
		return domain.Errorf(domain.ECONFLICT, "You cannot remove your own admin role or disable yourself.")
	}
	u.Role, u.Disabled = role, disabled
	if err := u.Validate(); err != nil {
		return err
	}
	if err := s.Users.UpdateUser(ctx, u, by, "user.update"); err != nil {
		return err
	}
	if disabled {
		return s.Sessions.DeleteUserSessions(ctx, u.ID)
	}
	return nil
}

// ListUsers lists staff accounts (admins only).
func (s *Service) ListUsers(ctx context.Context, by *domain.User) ([]*domain.User, error) {
	if err := Allow(by, domain.ActionManageUsers); err != nil {
		return nil, err
	}
	return s.Users.ListUsers(ctx)
}

// FindUser returns a user by id (for the session layer).
func (s *Service) FindUser(ctx context.Context, id int64) (*domain.User, error) {
	return s.Users.FindUser(ctx, id)
}

// ChangePassword sets a new password. Users change their own by giving the
// old one; admins reset others' (by == nil is the command line). Every
// session of the user ends.
func (s *Service) ChangePassword(ctx context.Context, by *domain.User, id int64, oldPW, newPW string) error {
	u, err := s.Users.FindUser(ctx, id)
	if err != nil {
		return err
	}
	self := by != nil && by.ID == id
	if by != nil && !self {
		if err := Allow(by, domain.ActionManageUsers); err != nil {
			return err
		}
	}
	if self && !CheckPassword(u.PasswordHash, oldPW) {
		return domain.InvalidFields(map[string]string{"old_password": "This is not your current password."})
	}
	if err := checkPasswordRules(newPW); err != nil {
		return err
	}
	if self && oldPW == newPW {
		return domain.InvalidFields(map[string]string{"password": "Choose a password different from the current one."})
	}
	h, err := HashPassword(newPW, s.pwParams)
	if err != nil {
		return err
	}
	u.PasswordHash = h
	u.MustChangePW = !self
	u.FailedLogins, u.FailedSince, u.LockedUntil = 0, nil, nil
	if err := s.Users.UpdateUser(ctx, u, by, "user.password"); err != nil {
		return err
	}
	return s.Sessions.DeleteUserSessions(ctx, u.ID)
}

// dummyHash keeps the time of a login for an unknown e-mail equal to that of
// a wrong password. It is made at the first login, not at start-up.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("presswatch-dummy-password", DefaultPasswordParams)
	return h
})

// Login checks an e-mail and password under the throttle. Every failure is
// the same EUNAUTHORIZED message; a locked account is ETOOMANY.
func (s *Service) Login(ctx context.Context, email, password string) (*domain.User, error) {
	bad := domain.Errorf(domain.EUNAUTHORIZED, "Wrong e-mail or password.")
	u, err := s.Users.FindUserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
	if domain.IsCode(err, domain.ENOTFOUND) {
		CheckPassword(dummyHash(), password)
		return nil, bad
	} else if err != nil {
		return nil, err
	}
	now := s.now()
	if u.LockedUntil != nil && now.Before(*u.LockedUntil) {
		CheckPassword(dummyHash(), password)
		return nil, domain.Errorf(domain.ETOOMANY, "Too many failed sign-ins: this account is locked until %s UTC.", u.LockedUntil.Format("15:04"))
	}
	if u.Disabled || !CheckPassword(u.PasswordHash, password) {
		if u.FailedSince == nil || now.Sub(*u.FailedSince) > FailureWindow {
			u.FailedSince, u.FailedLogins = &now, 0
		}
		u.FailedLogins++
		action := "login.failed"
		if u.FailedLogins > MaxFailures {
			until := now.Add(LockDuration)
			u.LockedUntil, u.FailedLogins, u.FailedSince = &until, 0, nil
			action = "login.locked"
		}
		if err := s.Users.UpdateUser(ctx, u, nil, action); err != nil {
			return nil, err
		}
		return nil, bad
	}
	if u.FailedLogins != 0 || u.LockedUntil != nil {
		u.FailedLogins, u.FailedSince, u.LockedUntil = 0, nil, nil
		if err := s.Users.UpdateUser(ctx, u, u, "login"); err != nil {
			return nil, err
		}
	} else if err := s.Audits.RecordAudit(ctx, &domain.AuditEntry{UserID: u.ID, UserEmail: u.Email,
		Action: "login", Object: fmt.Sprintf("user:%d", u.ID), CreatedAt: now}); err != nil {
		return nil, err
	}
	return u, nil
}

var totpOpts = totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// NewTOTPSecret makes a secret for enrolment and its otpauth:// URL.
func (s *Service) NewTOTPSecret(u *domain.User) (secret, url string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.Issuer, AccountName: u.Email})
	if err != nil {
		return "", "", err
	}
	return key.Secret(), key.URL(), nil
}

// EnrolTOTP stores secret as u's second factor once code proves the app has it.
func (s *Service) EnrolTOTP(ctx context.Context, u *domain.User, secret, code string) error {
	step, ok := s.validTOTP(secret, code)
	if !ok {
		return domain.InvalidFields(map[string]string{"code": "This code does not match; check the clock of your device and try the next one."})
	}
	u.TOTPSecret, u.TOTPLastStep = secret, step
	return s.Users.UpdateUser(ctx, u, u, "totp.enrol")
}

// CheckTOTP accepts a code once: a code of a time step already used is
// refused, so a seen code cannot be replayed.
func (s *Service) CheckTOTP(ctx context.Context, u *domain.User, code string) error {
	bad := domain.Errorf(domain.EUNAUTHORIZED, "Wrong or already used code.")
	if u.TOTPSecret == "" {
		return bad
	}
	step, ok := s.validTOTP(u.TOTPSecret, code)
	if !ok || step <= u.TOTPLastStep {
		return bad
	}
	u.TOTPLastStep = step
	return s.Users.UpdateUser(ctx, u, u, "totp.ok")
}

// validTOTP returns the time step the code belongs to, within one step of now.
func (s *Service) validTOTP(secret, code string) (int64, bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	now := s.now()
	for _, d := range []int64{0, -1, 1} {
		t := now.Add(time.Duration(d) * 30 * time.Second)
		want, err := totp.GenerateCodeCustom(secret, t, totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return t.Unix() / 30, true
		}
	}
	return 0, false
}
