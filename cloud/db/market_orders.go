package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"tiltas/cloud/posting"
)

// Order states.
const (
	OrderOpen      = "open"      // fetched, waiting for a status that is booked
	OrderPosted    = "posted"    // booked
	OrderErrors    = "errors"    // could not be booked: reason and fix
	OrderCancelled = "cancelled" // cancelled after booking: reversed
)

// SaveOrders stores fetched orders; a re-fetched order replaces the stored one only when it
// changed. Booking happens in PostOrders.
func (s *DB) SaveOrders(ctx context.Context, acct MarketAccount, orders []posting.Order) (int, error) {
	changed := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		changed = 0
		for _, o := range orders {
			b, err := json.Marshal(o)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			hash := hex.EncodeToString(sum[:])
			var held, state string
			err = tx.QueryRowContext(ctx, `SELECT content_hash, state FROM market_orders WHERE account_id = ? AND order_id = ?`, acct.ID, o.ID).Scan(&held, &state)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if _, err := tx.ExecContext(ctx, `INSERT INTO market_orders (tenant_id, account_id, order_id, status, state, reason, fix, payload, content_hash, updated_ms) VALUES (?, ?, ?, ?, ?, '', '', ?, ?, ?)`,
					acct.TenantID, acct.ID, o.ID, o.Status, OrderOpen, string(b), hash, s.nowMS()); err != nil {
					return err
				}
				changed++
			case err != nil:
				return err
			case held != hash:
				// An errored order is tried again when it changes; a posted one is looked at for cancellation.
				next := state
				if state == OrderErrors {
					next = OrderOpen
				}
				if _, err := tx.ExecContext(ctx, `UPDATE market_orders SET status = ?, state = ?, payload = ?, content_hash = ?, updated_ms = ? WHERE account_id = ? AND order_id = ?`,
					o.Status, next, string(b), hash, s.nowMS(), acct.ID, o.ID); err != nil {
					return err
				}
				changed++
			}
		}
		return nil
	})
	return changed, err
}

// OrderDocKey is the idempotency key of an order's sales document. It holds the account's id,
// which stays when the account is renamed: SalesOn and the document search by account read it.
func OrderDocKey(accountID int64, orderID string) string {
	return posting.Key("mkt", fmt.Sprint(accountID), orderID, "sale")
}

// orderDocKeyPrefix starts the keys of an account's order documents.
func orderDocKeyPrefix(accountID int64) string { return posting.Key("mkt", fmt.Sprint(accountID), "") }

// orderDocAccount reads the account's id back from an order document's key.
func orderDocAccount(key string) (int64, bool) {
	parts := strings.SplitN(key, ":", 3)
	var id int64
	if len(parts) < 3 || parts[0] != "mkt" {
		return 0, false
	}
	_, err := fmt.Sscan(parts[1], &id)
	return id, err == nil
}

// MarketOrder is a fetched order as the accountant sees it.
type MarketOrder struct {
	ID       int64           `json:"id"`
	Account  string          `json:"account"`
	OrderID  string          `json:"order_id"`
	Status   string          `json:"status"`
	State    string          `json:"state"`
	Reason   string          `json:"reason,omitempty"`
	Fix      string          `json:"suggested_fix,omitempty"`
	Order    json.RawMessage `json:"order"`
	Document int64           `json:"document,omitempty"`
}

// MarketOrders lists a tenant's orders in a state (empty: all), newest first.
func (s *DB) MarketOrders(ctx context.Context, tenantID int64, state string, limit int) ([]MarketOrder, error) {
	return s.MarketOrdersBefore(ctx, tenantID, state, 0, limit)
}

// MarketOrdersBefore is a page of MarketOrders older than order row beforeID (0: the newest).
func (s *DB) MarketOrdersBefore(ctx context.Context, tenantID int64, state string, beforeID int64, limit int) ([]MarketOrder, error) {
	limit = PageLimit(limit)
	q, args := `SELECT o.id, a.name, a.id, o.order_id, o.status, o.state, o.reason, o.fix, o.payload FROM market_orders o JOIN market_accounts a ON a.id = o.account_id WHERE o.tenant_id = ?`, []any{tenantID}
	if beforeID > 0 {
		q, args = q+` AND o.id < ?`, append(args, beforeID)
	}
	if state != "" {
		q, args = q+` AND o.state = ?`, append(args, state)
	}
	type row struct {
		MarketOrder
		acctID int64
	}
	rows, err := queryAll(ctx, s.db, func(sc scanner) (row, error) {
		var r row
		var p string
		err := sc.Scan(&r.ID, &r.Account, &r.acctID, &r.OrderID, &r.Status, &r.State, &r.Reason, &r.Fix, &p)
		r.Order = json.RawMessage(p)
		return r, err
	}, q+fmt.Sprintf(` ORDER BY o.id DESC LIMIT %d`, limit), args...)
	if err != nil {
		return nil, err
	}
	var out []MarketOrder
	for _, r := range rows {
		r.Document, _, _ = s.docByKey(ctx, s.db, tenantID, OrderDocKey(r.acctID, r.OrderID))
		out = append(out, r.MarketOrder)
	}
	return out, nil
}

// RetryOrder puts an order in Errors back to Open for the next booking pass.
func (s *DB) RetryOrder(ctx context.Context, tenantID, id int64) error {
	res, err := s.db.ExecContext(ctx, `UPDATE market_orders SET state = ?, reason = '', fix = '' WHERE tenant_id = ? AND id = ? AND state = ?`, OrderOpen, tenantID, id, OrderErrors)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("order %d in Errors: %w", id, ErrNotFound)
	}
	return nil
}

// CreateWarehouse adds a warehouse (no-op when it exists).
func (s *DB) CreateWarehouse(ctx context.Context, tenantID int64, code, name string) error {
	if code == "" || len(code) > 40 {
		return &InvalidError{errors.New("a warehouse code must be 1-40 characters")}
	}
	return s.InTx(ctx, func(tx *Tx) error { return tx.EnsureWarehouse(ctx, tenantID, code, name) })
}

// OrdersToBook lists an account's stored orders that booking looks at: open ones, and booked
// ones (which may have been cancelled since).
func (s *DB) OrdersToBook(ctx context.Context, accountID int64) ([]int64, error) {
	return queryAll(ctx, s.db, scanOne[int64], `SELECT id FROM market_orders WHERE account_id = ? AND (state = ? OR state = ?) ORDER BY id`,
		accountID, OrderOpen, OrderPosted)
}

// SetOrderError moves an order to Errors with the reason and what a person can do about it.
func (s *DB) SetOrderError(ctx context.Context, rowID int64, reason, fix string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE market_orders SET state = ?, reason = ?, fix = ? WHERE id = ?`, OrderErrors, reason, fix, rowID)
	return err
}
