package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/presswatch/presswatch/internal/domain"
)

var (
	_ domain.UserStore    = (*DB)(nil)
	_ domain.SessionStore = (*DB)(nil)
)

const userColumns = `id, email, name, role, password_hash, totp_secret, totp_last_step, must_change_pw,
	disabled, failed_logins, failed_since, locked_until, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (*domain.User, error) {
	u := &domain.User{}
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.TOTPSecret, &u.TOTPLastStep,
		&u.MustChangePW, &u.Disabled, &u.FailedLogins, NullTimeScanner{&u.FailedSince}, NullTimeScanner{&u.LockedUntil},
		TimeScanner{&u.CreatedAt}, TimeScanner{&u.UpdatedAt})
	return u, err
}

var errEmailTaken = domain.Errorf(domain.ECONFLICT, "A user with this e-mail address already exists.")

// CreateUser inserts u (validated; the e-mail is lower-cased) and fills ID
// and times. by may be nil when the command line creates the first admin.
func (d *DB) CreateUser(ctx context.Context, u *domain.User, by *domain.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	u.CreatedAt, u.UpdatedAt = tx.Now, tx.Now
	err = tx.QueryRow(ctx, `INSERT INTO users (email, name, role, password_hash, totp_secret, totp_last_step, must_change_pw,
		disabled, failed_logins, failed_since, locked_until, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		u.Email, u.Name, u.Role, u.PasswordHash, u.TOTPSecret, u.TOTPLastStep, u.MustChangePW, u.Disabled, u.FailedLogins,
		tx.d.NullTime(u.FailedSince), tx.d.NullTime(u.LockedUntil), tx.d.Time(u.CreatedAt), tx.d.Time(u.UpdatedAt)).Scan(&u.ID)
	if err != nil {
		if domain.IsCode(TranslateError(err), domain.ECONFLICT) {
			return errEmailTaken
		}
		return fmt.Errorf("store: create user: %w", TranslateError(err))
	}
	if err := audit(ctx, tx, by, "user.create", fmt.Sprintf("user:%d", u.ID), u.Email+" "+u.Role); err != nil {
		return err
	}
	return tx.Commit()
}

// FindUser returns the user with id, or ENOTFOUND.
func (d *DB) FindUser(ctx context.Context, id int64) (*domain.User, error) {
	u, err := scanUser(d.Reader().QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("User")
	} else if err != nil {
		return nil, fmt.Errorf("store: find user %d: %w", id, err)
	}
	return u, nil
}

// FindUserByEmail returns the user with the e-mail (case-insensitive), or
// ENOTFOUND.
func (d *DB) FindUserByEmail(ctx context.Context, email string) (*domain.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	u, err := scanUser(d.Reader().QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE email = ?", email))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("User")
	} else if err != nil {
		return nil, fmt.Errorf("store: find user by email: %w", err)
	}
	return u, nil
}

// ListUsers returns every user by e-mail.
func (d *DB) ListUsers(ctx context.Context) ([]*domain.User, error) {
	rows, err := d.Reader().Query(ctx, "SELECT "+userColumns+" FROM users ORDER BY email")
	if err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	defer rows.Close()
	var out []*domain.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	return out, nil
}

// UpdateUser saves the mutable fields of u (failure window and lock included) and writes an audit row named
// action (e.g. "user.role", "user.password", "user.login_failed"). Login
// bookkeeping can pass an empty action to skip the audit row.
func (d *DB) UpdateUser(ctx context.Context, u *domain.User, by *domain.User, action string) error {
	if err := u.Validate(); err != nil {
		return err
	}
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	u.UpdatedAt = tx.Now
	res, err := tx.Exec(ctx, `UPDATE users SET email = ?, name = ?, role = ?, password_hash = ?, totp_secret = ?, totp_last_step = ?,
		must_change_pw = ?, disabled = ?, failed_logins = ?, failed_since = ?, locked_until = ?, updated_at = ? WHERE id = ?`,
		u.Email, u.Name, u.Role, u.PasswordHash, u.TOTPSecret, u.TOTPLastStep, u.MustChangePW, u.Disabled,
		u.FailedLogins, tx.d.NullTime(u.FailedSince), tx.d.NullTime(u.LockedUntil), tx.d.Time(u.UpdatedAt), u.ID)
	if err != nil {
		if domain.IsCode(err, domain.ECONFLICT) {
			return errEmailTaken
		}
		return fmt.Errorf("store: update user %d: %w", u.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("User")
	}
	if action != "" {
		if err := audit(ctx, tx, by, action, fmt.Sprintf("user:%d", u.ID), u.Email); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// CountUsers returns the number of users (0 means first start).
func (d *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := d.Reader().QueryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count users: %w", err)
	}
	return n, nil
}

// CreateSession stores a session keyed by the hash of its token.
func (d *DB) CreateSession(ctx context.Context, s *domain.Session) error {
	tx, err := d.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if s.CreatedAt.IsZero() {
		s.CreatedAt = tx.Now
	}
	if s.LastSeenAt.IsZero() {
		s.LastSeenAt = s.CreatedAt
	}
	if _, err := tx.Exec(ctx, `INSERT INTO sessions (id_hash, user_id, csrf_token, totp_passed, created_at, last_seen_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, s.IDHash, s.UserID, s.CSRFToken, s.TOTPPassed,
		tx.d.Time(s.CreatedAt), tx.d.Time(s.LastSeenAt), tx.d.Time(s.ExpiresAt)); err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return tx.Commit()
}

// FindSession returns the session with the token hash, or ENOTFOUND. It does
// not check expiry; the caller compares ExpiresAt with its clock.
func (d *DB) FindSession(ctx context.Context, idHash string) (*domain.Session, error) {
	s := &domain.Session{}
	err := d.Reader().QueryRow(ctx, `SELECT id_hash, user_id, csrf_token, totp_passed, created_at, last_seen_at, expires_at
		FROM sessions WHERE id_hash = ?`, idHash).Scan(&s.IDHash, &s.UserID, &s.CSRFToken, &s.TOTPPassed,
		TimeScanner{&s.CreatedAt}, TimeScanner{&s.LastSeenAt}, TimeScanner{&s.ExpiresAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Session")
	} else if err != nil {
		return nil, fmt.Errorf("store: find session: %w", err)
	}
	return s, nil
}

// UpdateSession saves the CSRF token, TOTP state, last-seen and expiry.
func (d *DB) UpdateSession(ctx context.Context, s *domain.Session) error {
	return d.execOne(ctx, "update session", notFound("Session"), `UPDATE sessions SET csrf_token = ?, totp_passed = ?,
		last_seen_at = ?, expires_at = ? WHERE id_hash = ?`, s.CSRFToken, s.TOTPPassed,
		d.dialect.Time(s.LastSeenAt), d.dialect.Time(s.ExpiresAt), s.IDHash)
}

// DeleteSession removes a session (logout). A missing session is not an error.
func (d *DB) DeleteSession(ctx context.Context, idHash string) error {
	_, err := d.execN(ctx, "delete session", "DELETE FROM sessions WHERE id_hash = ?", idHash)
	return err
}

// DeleteUserSessions ends every session of a user (password change, disable).
func (d *DB) DeleteUserSessions(ctx context.Context, userID int64) error {
	_, err := d.execN(ctx, "delete user sessions", "DELETE FROM sessions WHERE user_id = ?", userID)
	return err
}

// DeleteExpiredSessions removes sessions that expired before now.
func (d *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	n, err := d.execN(ctx, "delete expired sessions", "DELETE FROM sessions WHERE expires_at < ?", d.dialect.Time(now))
	return int(n), err
}

// execN runs one statement in its own write transaction and returns the
// number of rows it touched.
func (d *DB) execN(ctx context.Context, what, q string, args ...any) (int64, error) {
	tx, err := d.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	res, err := tx.Exec(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("store: %s: %w", what, err)
	}
	n, _ := res.RowsAffected()
	return n, tx.Commit()
}

// execOne is execN that returns missing when no row was touched.
func (d *DB) execOne(ctx context.Context, what string, missing error, q string, args ...any) error {
	n, err := d.execN(ctx, what, q, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return missing
	}
	return nil
}
