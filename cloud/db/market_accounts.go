package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// MarketAccount is one marketplace seller account of a tenant.
type MarketAccount struct {
	ID        int64           `json:"id"`
	TenantID  int64           `json:"-"`
	Kind      string          `json:"kind"` // a marketplace cloud/market knows: amazon, allegro
	Name      string          `json:"name"`
	Config    json.RawMessage `json:"-"` // endpoints and credentials: never shown
	ConfigErr error           `json:"-"` // why Config could not be read (the wrong secrets key)
	Cursor    string          `json:"cursor"`
	EveryS    int             `json:"pull_every_seconds"`
	LastPull  *time.Time      `json:"last_pull"`
	NextPull  *time.Time      `json:"next_pull"`
	Failures  int             `json:"failures"`
	LastError string          `json:"last_error"`
	Paused    bool            `json:"paused"` // by a person: not pulled until resumed
}

// CreateMarketAccount adds an account; config holds its endpoints and credentials. The kind
// and the config are cloud/market's to check (market.AddAccount), not the store's.
func (s *DB) CreateMarketAccount(ctx context.Context, tenantID int64, kind, name string, config json.RawMessage, every time.Duration) (int64, error) {
	if name = strings.TrimSpace(name); name == "" || len(name) > 100 {
		return 0, &InvalidError{errors.New("an account needs a name (up to 100 characters), e.g. Amazon EU")}
	}
	if every < time.Minute {
		every = 15 * time.Minute
	}
	stored, err := s.sealConfig(tenantID, config)
	if err != nil {
		return 0, err
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO market_accounts (tenant_id, kind, name, config, every_s, last_error, created_ms) VALUES (?, ?, ?, ?, ?, '', ?)`,
		tenantID, kind, name, stored, int(every.Seconds()), s.nowMS())
	if err != nil {
		if isDuplicate(err) {
			return 0, &InvalidError{fmt.Errorf("an account named %q exists already", name)}
		}
		return 0, err
	}
	return res.LastInsertId()
}

// scanAccount reads an account row. A config that cannot be opened leaves Config empty and
// ConfigErr set, so one account with a bad key never hides the others.
func (s *DB) scanAccount(sc scanner) (MarketAccount, error) {
	var a MarketAccount
	var cfg string
	var last, next int64
	var paused int
	if err := sc.Scan(&a.ID, &a.TenantID, &a.Kind, &a.Name, &cfg, &a.Cursor, &a.EveryS, &last, &next, &a.Failures, &a.LastError, &paused); err != nil {
		return a, err
	}
	a.LastPull, a.NextPull, a.Paused = msTime(last), msTime(next), paused != 0
	a.Config, a.ConfigErr = s.openConfig(a.TenantID, a.Name, cfg)
	return a, nil
}

const accountCols = "id, tenant_id, kind, name, config, `cursor`, every_s, last_pull_ms, next_pull_ms, failures, last_error, paused"

// MarketAccount reads one of a tenant's accounts.
func (s *DB) MarketAccount(ctx context.Context, tenantID, id int64) (MarketAccount, error) {
	a, err := s.scanAccount(s.db.QueryRowContext(ctx, `SELECT `+s.quoteCursor(accountCols)+` FROM market_accounts WHERE tenant_id = ? AND id = ?`, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("marketplace account %d: %w", id, ErrNotFound)
	}
	return a, err
}

// UpdateMarketAccount renames an account, replaces its config (sealed like a new one's) and
// sets how often it is pulled (every 0 keeps it). Its failures are forgotten and it is pulled
// again within seconds, so new credentials show at once.
func (s *DB) UpdateMarketAccount(ctx context.Context, tenantID, id int64, name string, config json.RawMessage, every time.Duration) error {
	if name = strings.TrimSpace(name); name == "" || len(name) > 100 {
		return &InvalidError{errors.New("an account needs a name (up to 100 characters), e.g. Amazon EU")}
	}
	if every != 0 && every < time.Minute {
		return &InvalidError{fmt.Errorf("pull every %s: at least a minute", every)}
	}
	stored, err := s.sealConfig(tenantID, config)
	if err != nil {
		return err
	}
	q, args := `UPDATE market_accounts SET name = ?, config = ?, failures = 0, last_error = '', next_pull_ms = 0`, []any{name, stored}
	if every != 0 {
		q, args = q+`, every_s = ?`, append(args, int(every.Seconds()))
	}
	res, err := s.db.ExecContext(ctx, q+` WHERE tenant_id = ? AND id = ?`, append(args, tenantID, id)...)
	if err != nil {
		if isDuplicate(err) {
			return &InvalidError{fmt.Errorf("an account named %q exists already", name)}
		}
		return fmt.Errorf("update marketplace account %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("marketplace account %d: %w", id, ErrNotFound)
	}
	return nil
}

// ErrPaused refuses a fetch of a paused account.
var ErrPaused = errors.New("the account is paused: resume it first")

// PauseMarketAccount stops (true) or resumes (false) an account's pulls. Its orders stay as
// they are; a resumed account is pulled within seconds and carries on from its cursor.
func (s *DB) PauseMarketAccount(ctx context.Context, tenantID, id int64, paused bool) error {
	res, err := s.db.ExecContext(ctx, `UPDATE market_accounts SET paused = ?, next_pull_ms = 0 WHERE tenant_id = ? AND id = ?`, boolInt(paused), tenantID, id)
	if err != nil {
		return fmt.Errorf("pause marketplace account %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("marketplace account %d: %w", id, ErrNotFound)
	}
	return nil
}

// MarketAccounts lists a tenant's accounts (tenantID 0: every tenant's, for the scheduler).
func (s *DB) MarketAccounts(ctx context.Context, tenantID int64) ([]MarketAccount, error) {
	q, args := `SELECT `+s.quoteCursor(accountCols)+` FROM market_accounts`, []any{}
	if tenantID != 0 {
		q, args = q+` WHERE tenant_id = ?`, append(args, tenantID)
	}
	return queryAll(ctx, s.db, s.scanAccount, q+` ORDER BY id`, args...)
}

// quoteCursor quotes the column named cursor, a reserved word in MySQL, for SQLite too.
func (s *DB) quoteCursor(cols string) string {
	if s.dialect == SQLite {
		return strings.ReplaceAll(cols, "`cursor`", `"cursor"`)
	}
	return cols
}

// PullDone records a pull: the new cursor and when to pull next, or the failure with backoff.
func (s *DB) PullDone(ctx context.Context, accountID int64, cursor string, next time.Time, pullErr error) error {
	now := s.nowMS()
	if pullErr != nil {
		_, err := s.db.ExecContext(ctx, `UPDATE market_accounts SET failures = failures + 1, last_error = ?, next_pull_ms = ? WHERE id = ?`, pullErr.Error(), next.UnixMilli(), accountID)
		return err
	}
	_, err := s.db.ExecContext(ctx, s.quoteCursor("UPDATE market_accounts SET `cursor` = ?, failures = 0, last_error = '', last_pull_ms = ?, next_pull_ms = ? WHERE id = ?"),
		cursor, now, next.UnixMilli(), accountID)
	return err
}

// SaveMarketConfig replaces an account's config at once (Allegro rotates refresh tokens: the
// new one must be stored before anything else happens).
func (s *DB) SaveMarketConfig(ctx context.Context, accountID int64, config json.RawMessage) error {
	var tenantID int64
	if err := s.db.QueryRowContext(ctx, `SELECT tenant_id FROM market_accounts WHERE id = ?`, accountID).Scan(&tenantID); err != nil {
		return fmt.Errorf("marketplace account %d: %w", accountID, err)
	}
	stored, err := s.sealConfig(tenantID, config)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `UPDATE market_accounts SET config = ? WHERE id = ?`, stored, accountID)
	return err
}

// FetchNow makes an account due now, unless it was pulled within cooldown: how often its
// marketplace lets a person ask for an extra pull (market.FetchNow gives it).
func (s *DB) FetchNow(ctx context.Context, tenantID, accountID int64, cooldown time.Duration) error {
	var kind string
	var last, paused int64
	err := s.db.QueryRowContext(ctx, `SELECT kind, last_pull_ms, paused FROM market_accounts WHERE tenant_id = ? AND id = ?`, tenantID, accountID).Scan(&kind, &last, &paused)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("marketplace account %d: %w", accountID, ErrNotFound)
	}
	if err != nil {
		return err
	}
	if paused != 0 {
		return &InvalidError{ErrPaused}
	}
	if wait := time.UnixMilli(last).Add(cooldown).Sub(s.now()); wait > 0 {
		return &TooSoonError{Wait: wait, Err: fmt.Errorf("%s was fetched at %s and allows a fetch every %s: try again in %s",
			kind, time.UnixMilli(last).In(s.zone).Format("15:04:05"), cooldown, wait.Round(time.Second))}
	}
	_, err = s.db.ExecContext(ctx, `UPDATE market_accounts SET next_pull_ms = 0 WHERE id = ?`, accountID)
	return err
}
