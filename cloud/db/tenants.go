package db

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"tiltas/shared/protocol"

	"github.com/go-sql-driver/mysql"
)

// Tenant is one customer company; its data is isolated from every other tenant's.
type Tenant struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// StoreRef is one shop of a tenant.
type StoreRef struct {
	ID       int64  `json:"-"`
	TenantID int64  `json:"-"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	POSMode  string `json:"pos_mode"` // receipt or dayclose; empty follows the tenant's POS settings
	// StartDate is the first day booked (YYYY-MM-DD, the shops' zone), as the accountant sets
	// it here: older receipts and day closes are never booked. Empty: the agent's own
	// pos.start_date, or the whole history.
	StartDate string `json:"start_date"`
	// History: the agent ships the older ones too, held as history that is never booked.
	History bool `json:"start_history"`
}

// AgentIdentity is who an agent token belongs to: exactly one tenant and store.
type AgentIdentity struct {
	TenantID  int64
	StoreID   int64
	StoreCode string
}

// CreateTenant adds a tenant.
func (s *DB) CreateTenant(ctx context.Context, name string) (Tenant, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Tenant{}, errors.New("tenant name is empty: pass --name")
	}
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO tenants (name, created_ms) VALUES (?, ?)`, name, s.nowMS())
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		// The catalogue's version counter exists from the start, so first writes never race to create it.
		if _, err = tx.ExecContext(ctx, `INSERT INTO counters (tenant_id, name, value) VALUES (?, 'products', 0)`, id); err != nil {
			return err
		}
		return s.seedBooks(ctx, tx, id)
	})
	if err != nil {
		if isDuplicate(err) {
			return Tenant{}, fmt.Errorf("tenant %q already exists", name)
		}
		return Tenant{}, fmt.Errorf("create tenant %q: %w", name, err)
	}
	return Tenant{ID: id, Name: name}, nil
}

// TenantByName finds a tenant by its name.
func (s *DB) TenantByName(ctx context.Context, name string) (Tenant, error) {
	t := Tenant{Name: name}
	err := s.db.QueryRowContext(ctx, `SELECT id FROM tenants WHERE name = ?`, name).Scan(&t.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("tenant %q: %w (create it with: tiltas-cloud tenant create --name %q)", name, ErrNotFound, name)
	}
	return t, err
}

// EnrollAgent creates the store if it is missing and a new agent token bound to it. The token
// is returned once; only its hash is kept.
func (s *DB) EnrollAgent(ctx context.Context, tenantID int64, storeCode, storeName string) (string, error) {
	storeCode = strings.TrimSpace(storeCode)
	if storeCode == "" || len(storeCode) > 40 {
		return "", errors.New("store code must be 1-40 characters: pass --store")
	}
	if storeName == "" {
		storeName = storeCode
	}
	token := newToken("tag_")
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var storeID int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM stores WHERE tenant_id = ? AND code = ?`, tenantID, storeCode).Scan(&storeID)
		if errors.Is(err, sql.ErrNoRows) {
			res, err := tx.ExecContext(ctx, `INSERT INTO stores (tenant_id, code, name, created_ms) VALUES (?, ?, ?, ?)`, tenantID, storeCode, storeName, s.nowMS())
			if err != nil {
				return err
			}
			if storeID, err = res.LastInsertId(); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO agent_tokens (tenant_id, store_id, token_hash, created_ms) VALUES (?, ?, ?, ?)`,
			tenantID, storeID, hashToken(token), s.nowMS())
		return err
	})
	if err != nil {
		return "", fmt.Errorf("enroll agent for store %s: %w", storeCode, err)
	}
	return token, nil
}

// AuthAgent resolves an agent token. An unknown or revoked token is ErrNotFound.
func (s *DB) AuthAgent(ctx context.Context, token string) (AgentIdentity, error) {
	var id AgentIdentity
	err := s.db.QueryRowContext(ctx, `SELECT t.tenant_id, t.store_id, s.code FROM agent_tokens t JOIN stores s ON s.id = t.store_id
		WHERE t.token_hash = ? AND t.revoked_ms IS NULL`, hashToken(token)).Scan(&id.TenantID, &id.StoreID, &id.StoreCode)
	if errors.Is(err, sql.ErrNoRows) {
		return id, ErrNotFound
	}
	return id, err
}

// CreateAPIToken makes a token for the read API of one tenant. It is returned once.
func (s *DB) CreateAPIToken(ctx context.Context, tenantID int64, name string) (string, error) {
	token := newToken("tap_")
	_, err := s.db.ExecContext(ctx, `INSERT INTO api_tokens (tenant_id, name, token_hash, created_ms) VALUES (?, ?, ?, ?)`,
		tenantID, name, hashToken(token), s.nowMS())
	if err != nil {
		return "", fmt.Errorf("create API token: %w", err)
	}
	return token, nil
}

// AuthAPI resolves a read-API token to its tenant.
func (s *DB) AuthAPI(ctx context.Context, token string) (int64, error) {
	var tenant int64
	err := s.db.QueryRowContext(ctx, `SELECT tenant_id FROM api_tokens WHERE token_hash = ? AND revoked_ms IS NULL`, hashToken(token)).Scan(&tenant)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	return tenant, err
}

// Stores lists a tenant's stores.
func (s *DB) Stores(ctx context.Context, tenantID int64) ([]StoreRef, error) {
	out, err := queryAll(ctx, s.db, func(sc scanner) (StoreRef, error) {
		var r StoreRef
		var hist int
		err := sc.Scan(&r.ID, &r.TenantID, &r.Code, &r.Name, &r.POSMode, &r.StartDate, &hist)
		r.History = hist != 0
		return r, err
	}, `SELECT id, tenant_id, code, name, COALESCE(pos_mode, ''), start_date, start_history FROM stores WHERE tenant_id = ? ORDER BY code`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list stores: %w", err)
	}
	return out, nil
}

// StoreByCode finds a tenant's store.
func (s *DB) StoreByCode(ctx context.Context, tenantID int64, code string) (StoreRef, error) {
	r := StoreRef{TenantID: tenantID, Code: code}
	var hist int
	err := s.db.QueryRowContext(ctx, `SELECT id, name, COALESCE(pos_mode, ''), start_date, start_history FROM stores WHERE tenant_id = ? AND code = ?`, tenantID, code).Scan(&r.ID, &r.Name, &r.POSMode, &r.StartDate, &hist)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("store %q: %w", code, ErrNotFound)
	}
	r.History = hist != 0
	return r, err
}

// SetStoreStart sets the first day a store's sales are booked (YYYY-MM-DD, the shops' zone;
// "" clears it), and whether its agent ships the older ones as history that is never booked
// (history) or leaves them in the POS. The agent learns it within seconds (a new welcome on its
// connection). Receipts and day closes held already and closed before the day are not booked
// from now on, and what was held as history is looked at again against the new date; what was
// booked stays booked (cancel it to undo).
func (s *DB) SetStoreStart(ctx context.Context, tenantID int64, code, date string, history bool) error {
	if !protocol.ValidStartDate(date) {
		return &InvalidError{fmt.Errorf("store %s: start date %q: give a day as YYYY-MM-DD, e.g. 2026-01-01, or nothing for the whole history", code, date)}
	}
	if date == "" && history {
		return &InvalidError{fmt.Errorf("store %s: history needs a start date: the receipts before it are the history", code)}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("set start date of store %s: %w", code, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE stores SET start_date = ?, start_history = ? WHERE tenant_id = ? AND code = ?`, date, boolInt(history), tenantID, code)
	if err != nil {
		return fmt.Errorf("set start date of store %s: %w", code, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("store %q: %w", code, ErrNotFound)
	}
	// What was held as history is looked at again against the new date.
	for _, table := range []string{"receipts", "day_closes"} {
		if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET post_state = ? WHERE tenant_id = ? AND store_id = (SELECT id FROM stores WHERE tenant_id = ? AND code = ?) AND post_state = ?`,
			StatePending, tenantID, tenantID, code, StateHistory); err != nil {
			return fmt.Errorf("set start date of store %s: requeue its history: %w", code, err)
		}
	}
	return tx.Commit()
}

// StoreStart is a store's start date and history choice as set in the cloud (SetStoreStart),
// for its agent's welcome.
func (s *DB) StoreStart(ctx context.Context, storeID int64) (date string, history bool, err error) {
	var hist int
	err = s.db.QueryRowContext(ctx, `SELECT start_date, start_history FROM stores WHERE id = ?`, storeID).Scan(&date, &hist)
	if err != nil {
		return "", false, fmt.Errorf("read start date of store %d: %w", storeID, err)
	}
	return date, hist != 0, nil
}

// SetStorePOSMode gives a store its own POS posting mode (receipt or dayclose), or with ""
// returns it to the tenant's. The change applies to what is posted from now on. A cash session
// that straddles the change is never booked twice: its Z report books day sheets only when none
// of its receipts was booked alone, and otherwise its held receipts are booked one by one.
func (s *DB) SetStorePOSMode(ctx context.Context, tenantID int64, code, mode string) error {
	if mode != "" && mode != "receipt" && mode != "dayclose" {
		return &InvalidError{fmt.Errorf("store %s: mode %q: use receipt (a document per receipt), dayclose (day sheets per Z report) or empty for the tenant's setting", code, mode)}
	}
	var m any
	if mode != "" {
		m = mode
	}
	res, err := s.db.ExecContext(ctx, `UPDATE stores SET pos_mode = ? WHERE tenant_id = ? AND code = ?`, m, tenantID, code)
	if err != nil {
		return fmt.Errorf("set POS mode of store %s: %w", code, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("store %q: %w", code, ErrNotFound)
	}
	return nil
}

// newToken makes a random bearer token: 32 bytes from crypto/rand.
func newToken(prefix string) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// hashToken is how tokens are kept: SHA-256. Tokens carry 256 random bits, so a fast hash is
// enough; no password stretching is needed.
func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

func isDuplicate(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1062
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}
