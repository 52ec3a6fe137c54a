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
	"time"

	"github.com/shopspring/decimal"

	"tiltas/cloud/posting"
	"tiltas/shared/domain"
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

// MarketRules say which statuses are booked and which mean cancelled, per marketplace.
type MarketRules struct {
	PostStatuses   map[string]bool // e.g. Amazon Shipped (or Unshipped+Shipped); Allegro READY_FOR_PROCESSING
	CancelStatuses map[string]bool // Amazon Canceled; Allegro CANCELLED
	CreateMissing  bool            // a SKU without a product card gets one
}

// PostOrders books an account's orders whose status says so, exactly once per (account,
// order, document type), and reverses booked orders that were cancelled since.
func (s *DB) PostOrders(ctx context.Context, acct MarketAccount, rules MarketRules) (PostResult, error) {
	var res PostResult
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM market_orders WHERE account_id = ? AND (state = ? OR state = ?) ORDER BY id`, acct.ID, OrderOpen, OrderPosted)
	if err != nil {
		return res, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return res, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	set, err := s.Settings(ctx, acct.TenantID)
	if err != nil {
		return res, err
	}
	for _, id := range ids {
		var problem *posting.Error
		err := s.inTx(ctx, func(tx *sql.Tx) error { return s.postOrder(ctx, tx, acct, id, set, rules, &res) })
		switch {
		case err == nil:
		case errors.As(err, &problem):
			res.Failed++
			if _, err := s.db.ExecContext(ctx, `UPDATE market_orders SET state = ?, reason = ?, fix = ? WHERE id = ?`, OrderErrors, problem.Msg, fixFor(problem.Msg), id); err != nil {
				return res, err
			}
		default:
			return res, fmt.Errorf("book order %d: %w", id, err)
		}
	}
	return res, nil
}

// fixFor suggests what a person can do about a refusal.
func fixFor(reason string) string {
	switch {
	case strings.Contains(reason, "has no SKU"):
		return "give the offer its external id (your SKU) on the marketplace, then Retry"
	case strings.Contains(reason, "no product card"):
		return "create the product card with this SKU as its barcode (or allow creating missing cards on the account), then Retry"
	case strings.Contains(reason, "exchange rate"):
		return "import the ECB rates for that date (Settings → FX rates), then Retry"
	case strings.Contains(reason, "cannot be read"):
		return "look at the order on the marketplace: it is read again as soon as it changes there, or press Retry to try the stored copy again"
	case strings.Contains(reason, "VAT rate"):
		return "import the EU VAT rate table (Settings → VAT rates), then Retry"
	}
	return "correct the setting named in the reason, then Retry"
}

func (s *DB) postOrder(ctx context.Context, tx *sql.Tx, acct MarketAccount, rowID int64, set posting.Settings, rules MarketRules, res *PostResult) error {
	var payload, state string
	q := `SELECT payload, state FROM market_orders WHERE id = ?`
	if s.dialect == MySQL {
		q += ` FOR UPDATE`
	}
	if err := tx.QueryRowContext(ctx, q, rowID).Scan(&payload, &state); err != nil {
		return err
	}
	var o posting.Order
	if err := json.Unmarshal([]byte(payload), &o); err != nil {
		return &posting.Error{Msg: "stored order unreadable: " + err.Error()}
	}
	if o.Unreadable != "" {
		return &posting.Error{Msg: "the marketplace sent this order in a form that cannot be read: " + o.Unreadable}
	}
	key := orderDocKey(acct.ID, o.ID)
	docID, _, err := s.docByKey(ctx, tx, acct.TenantID, key)
	if err != nil {
		return err
	}
	switch {
	case rules.CancelStatuses[o.Status] && docID != 0:
		if err := s.cancelTx(ctx, tx, acct.TenantID, docID, fmt.Sprintf("%s: the order was cancelled (%s)", acct.Name, o.Status)); err != nil {
			var inv *InvalidError
			if errors.As(err, &inv) {
				return &posting.Error{Msg: "cancelled by the buyer, but " + inv.Error()}
			}
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE market_orders SET state = ? WHERE id = ?`, OrderCancelled, rowID)
		return err
	case rules.CancelStatuses[o.Status]:
		_, err := tx.ExecContext(ctx, `UPDATE market_orders SET state = ? WHERE id = ?`, OrderCancelled, rowID) // never booked
		return err
	case docID != 0:
		if state != OrderPosted {
			_, err = tx.ExecContext(ctx, `UPDATE market_orders SET state = ?, reason = '', fix = '' WHERE id = ?`, OrderPosted, rowID)
		}
		return err // booked already
	case !rules.PostStatuses[o.Status]:
		return nil // open: not at a booked status yet
	}
	m, err := s.marketSettings(ctx, tx, acct.TenantID)
	if err != nil {
		return err
	}
	date := o.PurchasedAt.In(s.zone).Format(time.DateOnly)
	if m.FX, err = s.fxRate(ctx, tx, acct.TenantID, o.Currency, date); err != nil {
		return err
	}
	items := map[string]posting.Item{}
	for _, l := range o.Lines {
		if l.Kind == posting.LineGoods && l.SKU == "" {
			return &posting.Error{Msg: fmt.Sprintf("line %q has no SKU (the offer has no external id / seller SKU)", l.Name)}
		}
		if l.Kind == posting.LineShipping || l.Kind == posting.LineService || l.SKU == "" {
			continue
		}
		if _, done := items[l.SKU]; done {
			continue
		}
		var svc int
		var bp int64
		var cat string
		err := tx.QueryRowContext(ctx, `SELECT is_service, vat_rate_bp, vat_category FROM products WHERE tenant_id = ? AND barcode = ?`, acct.TenantID, l.SKU).Scan(&svc, &bp, &cat)
		if errors.Is(err, sql.ErrNoRows) {
			if !rules.CreateMissing {
				return &posting.Error{Msg: fmt.Sprintf("SKU %s (%s) has no product card", l.SKU, l.Name)}
			}
			if err := s.createCardForSKU(ctx, tx, acct.TenantID, l, m.Rates[m.Home]); err != nil {
				return err
			}
			items[l.SKU] = posting.Item{Rate: m.Rates[m.Home]}
			continue
		}
		if err != nil {
			return err
		}
		items[l.SKU] = posting.Item{Service: svc != 0, Rate: domain.FromCents(bp), Category: cat}
	}
	doc, err := posting.OrderDoc(&o, set, m, func(sku string) (posting.Item, bool) { it, ok := items[sku]; return it, ok })
	if err != nil {
		return err
	}
	custID, err := s.customerFor(ctx, tx, acct.TenantID, &domain.Buyer{Code: o.Buyer.Key, VATCode: o.Buyer.VATNumber, Name: firstNonEmpty(o.Buyer.Company, o.Buyer.Name, o.Buyer.Key)})
	if err != nil {
		return err
	}
	docID, err = s.insertDoc(ctx, tx, set, newDoc{tenantID: acct.TenantID, doc: doc.Doc, key: key, sourceKind: "order", sourceID: acct.Name + ":" + o.ID,
		customerID: custID, currency: doc.Currency, fx: doc.FX, totalCurrency: doc.TotalCurrency})
	if err != nil {
		return err
	}
	if set.AutoWriteOff {
		wh := set.Warehouse
		if o.FBA {
			if wh, err = s.ensureWarehouse(ctx, tx, acct.TenantID, "AMZ-"+strings.ToUpper(o.Marketplace), "Amazon FBA "+strings.ToUpper(o.Marketplace)); err != nil {
				return err
			}
		}
		var lines []stockLine
		for i, l := range o.Lines {
			if l.Kind == posting.LineGoods && !items[l.SKU].Service && l.Qty.IsPositive() {
				lines = append(lines, stockLine{no: i + 1, barcode: l.SKU, name: l.Name, qty: l.Qty})
			}
		}
		if len(lines) > 0 {
			whSet := set
			whSet.Warehouse = wh
			if _, err := s.writeOff(ctx, tx, whSet, acct.TenantID, 0, docID, doc.Date, posting.Key("stock", fmt.Sprint(docID)), lines, false); err != nil {
				return err
			}
		}
	}
	res.Posted++
	_, err = tx.ExecContext(ctx, `UPDATE market_orders SET state = ?, reason = '', fix = '' WHERE id = ?`, OrderPosted, rowID)
	return err
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func (s *DB) ensureWarehouse(ctx context.Context, tx *sql.Tx, tenantID int64, code, name string) (string, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM warehouses WHERE tenant_id = ? AND code = ?`, tenantID, code).Scan(&n); err != nil || n > 0 {
		return code, err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO warehouses (tenant_id, code, name) VALUES (?, ?, ?)`, tenantID, code, name)
	return code, err
}

// createCardForSKU adds a product card for a marketplace SKU, priced from the order line at the
// home VAT rate.
func (s *DB) createCardForSKU(ctx context.Context, tx *sql.Tx, tenantID int64, l posting.OrderLine, rate decimal.Decimal) error {
	name := l.Name
	if r := []rune(name); len(r) > domain.MaxNameLen {
		name = string(r[:domain.MaxNameLen])
	}
	gross := l.UnitGross.Round(2)
	c := domain.Card{Barcode: l.SKU, Name: name, Unit: "vnt.", PriceGross: gross, PriceNet: gross.Sub(domain.LineVAT(gross, rate)), VATRate: rate, Active: true}
	if err := c.Validate(); err != nil {
		return &posting.Error{Msg: fmt.Sprintf("SKU %s cannot become a product card: %v", l.SKU, err)}
	}
	v, err := s.nextVersions(ctx, tx, tenantID, 1)
	if err != nil {
		return err
	}
	c.Version = v
	return s.writeCards(ctx, tx, tenantID, []domain.Card{c})
}

// orderDocKey is the idempotency key of an order's sales document. It holds the account's id,
// which stays when the account is renamed: SalesOn and the document search by account read it.
func orderDocKey(accountID int64, orderID string) string {
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
	rows, err := s.db.QueryContext(ctx, q+fmt.Sprintf(` ORDER BY o.id DESC LIMIT %d`, limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []MarketOrder
	for rows.Next() {
		var o MarketOrder
		var acctID int64
		var p string
		if err := rows.Scan(&o.ID, &o.Account, &acctID, &o.OrderID, &o.Status, &o.State, &o.Reason, &o.Fix, &p); err != nil {
			return nil, err
		}
		o.Order = json.RawMessage(p)
		o.Document, _, _ = s.docByKey(ctx, s.db, tenantID, orderDocKey(acctID, o.OrderID))
		out = append(out, o)
	}
	return out, rows.Err()
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
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := s.ensureWarehouse(ctx, tx, tenantID, code, name)
		return err
	})
}
