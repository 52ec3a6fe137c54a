package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Roles: an accountant may change everything, a viewer only looks.
const (
	RoleAccountant = "accountant"
	RoleViewer     = "viewer"
)

// User is a person who signs in to the web UI.
type User struct {
	ID       int64
	TenantID int64
	Email    string
	Name     string
	Role     string
}

// SessionTTL is how long a sign-in lasts.
const SessionTTL = 12 * time.Hour

// CreateUser adds a user with a bcrypt-hashed password.
func (s *DB) CreateUser(ctx context.Context, tenantID int64, email, name, password, role string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if !strings.Contains(email, "@") {
		return &InvalidError{fmt.Errorf("e-mail %q is not an address", email)}
	}
	if role != RoleAccountant && role != RoleViewer {
		return &InvalidError{fmt.Errorf("role %q: accountant or viewer", role)}
	}
	if len(password) < 10 {
		return &InvalidError{errors.New("the password must be at least 10 characters")}
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	if name == "" {
		name = email
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO users (tenant_id, email, name, password_hash, role, created_ms) VALUES (?, ?, ?, ?, ?, ?)`,
		tenantID, email, name, string(hash), role, s.nowMS())
	if isDuplicate(err) {
		return &InvalidError{fmt.Errorf("a user %s exists already", email)}
	}
	return err
}

var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("not a password"), bcrypt.DefaultCost)
	return h
})

// ErrBadLogin is a wrong e-mail or password (which of the two is not said).
var ErrBadLogin = errors.New("wrong e-mail or password")

// Login checks a password and opens a session; it returns the session token and its CSRF token.
func (s *DB) Login(ctx context.Context, email, password string) (token, csrf string, err error) {
	var id int64
	var hash string
	err = s.db.QueryRowContext(ctx, `SELECT id, password_hash FROM users WHERE email = ?`, strings.ToLower(strings.TrimSpace(email))).Scan(&id, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(password)) // as slow as a real check: no e-mail probing by timing
		return "", "", ErrBadLogin
	}
	if err != nil {
		return "", "", err
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return "", "", ErrBadLogin
	}
	token, csrf = newToken("ses_"), newToken("")
	_, err = s.db.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf, expires_ms) VALUES (?, ?, ?, ?)`, hashToken(token), id, csrf, s.now().Add(SessionTTL).UnixMilli())
	return token, csrf, err
}

// Session resolves a session token to its user and CSRF token.
func (s *DB) Session(ctx context.Context, token string) (User, string, error) {
	var u User
	var csrf string
	err := s.db.QueryRowContext(ctx, `SELECT u.id, u.tenant_id, u.email, u.name, u.role, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND s.expires_ms > ?`, hashToken(token), s.nowMS()).Scan(&u.ID, &u.TenantID, &u.Email, &u.Name, &u.Role, &csrf)
	if errors.Is(err, sql.ErrNoRows) {
		return u, "", ErrNotFound
	}
	return u, csrf, err
}

// Logout ends a session on the server.
func (s *DB) Logout(ctx context.Context, token string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ? OR expires_ms < ?`, hashToken(token), s.nowMS())
	return err
}

// ChangePassword sets a user's new password after checking the current one, and ends the
// user's other sessions (keep is the session that asked, which stays signed in).
func (s *DB) ChangePassword(ctx context.Context, userID int64, current, next, keep string) error {
	var hash string
	if err := s.db.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = ?`, userID).Scan(&hash); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("user %d: %w", userID, ErrNotFound)
		}
		return err
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(current)) != nil {
		return &InvalidError{errors.New("the current password is wrong")}
	}
	if len(next) < 10 {
		return &InvalidError{errors.New("the new password must be at least 10 characters")}
	}
	if next == current {
		return &InvalidError{errors.New("the new password is the same as the current one")}
	}
	h, err := bcrypt.GenerateFromPassword([]byte(next), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, string(h), userID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, userID, hashToken(keep))
		return err
	})
}

// LoginFailure is a run of failed sign-ins for one key (an e-mail, or an address).
type LoginFailure struct {
	N    int
	Last time.Time
}

// LoginFailures reads the runs of failed sign-ins of keys that ended less than window ago.
func (s *DB) LoginFailures(ctx context.Context, keys []string, window time.Duration) (map[string]LoginFailure, error) {
	out := map[string]LoginFailure{}
	if len(keys) == 0 {
		return out, nil
	}
	args := []any{s.now().Add(-window).UnixMilli()}
	for _, k := range keys {
		args = append(args, k)
	}
	err := queryEach(ctx, s.db, func(sc scanner) error {
		var k string
		var f LoginFailure
		var last int64
		if err := sc.Scan(&k, &f.N, &last); err != nil {
			return err
		}
		f.Last = time.UnixMilli(last)
		out[k] = f
		return nil
	}, `SELECT login_key, n, last_ms FROM login_failures WHERE last_ms > ? AND login_key IN (?`+strings.Repeat(",?", len(keys)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("read failed sign-ins: %w", err)
	}
	return out, nil
}

// RecordLoginFailure counts a failed sign-in against each key; a run older than window starts
// again at one. Runs long over are deleted on the way.
func (s *DB) RecordLoginFailure(ctx context.Context, keys []string, window time.Duration) error {
	now := s.now()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE last_ms < ?`, now.Add(-2*window).UnixMilli()); err != nil {
			return err
		}
		for _, k := range keys {
			q := `SELECT n, last_ms FROM login_failures WHERE login_key = ?`
			if s.dialect == MySQL {
				q += ` FOR UPDATE`
			}
			var n int
			var last int64
			err := tx.QueryRowContext(ctx, q, k).Scan(&n, &last)
			switch {
			case errors.Is(err, sql.ErrNoRows) || err == nil && now.Sub(time.UnixMilli(last)) >= window:
				n = 0
			case err != nil:
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (login_key, n, last_ms) VALUES (?, ?, ?)`+s.upsert("login_key", "n", "last_ms"), k, n+1, now.UnixMilli()); err != nil {
				return err
			}
		}
		return nil
	})
}

// ClearLoginFailures forgets a key's run (after a good sign-in).
func (s *DB) ClearLoginFailures(ctx context.Context, key string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM login_failures WHERE login_key = ?`, key)
	return err
}

// Users lists a tenant's users.
func (s *DB) Users(ctx context.Context, tenantID int64) ([]User, error) {
	out, err := queryAll(ctx, s.db, func(sc scanner) (User, error) {
		var u User
		err := sc.Scan(&u.ID, &u.TenantID, &u.Email, &u.Name, &u.Role)
		return u, err
	}, `SELECT id, tenant_id, email, name, role FROM users WHERE tenant_id = ? ORDER BY email`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// RemoveUser deletes one of a tenant's users and ends their sessions. Documents they
// cancelled keep their e-mail.
func (s *DB) RemoveUser(ctx context.Context, tenantID, userID int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM users WHERE tenant_id = ? AND id = ?`, tenantID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("user %d: %w", userID, ErrNotFound)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
		return err
	})
}
