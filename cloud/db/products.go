package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"tiltas/shared/domain"
	"tiltas/shared/protocol"
)

const productCols = `barcode, name, group_name, unit, price_net_cents, price_gross_cents, vat_rate_bp, is_service, active, version, vat_category`

func scanCard(sc scanner) (domain.Card, error) {
	var c domain.Card
	var net, gross, bp int64
	var service, active int
	if err := sc.Scan(&c.Barcode, &c.Name, &c.Group, &c.Unit, &net, &gross, &bp, &service, &active, &c.Version, &c.VATCategory); err != nil {
		return c, err
	}
	c.PriceNet, c.PriceGross, c.VATRate = domain.FromCents(net), domain.FromCents(gross), domain.FromCents(bp)
	c.Service, c.Active = service != 0, active != 0
	return c, nil
}

func cardArgs(tenantID int64, c domain.Card, version uint64, now int64) []any {
	net, _ := domain.Cents(c.PriceNet)
	gross, _ := domain.Cents(c.PriceGross)
	bp, _ := domain.Cents(c.VATRate)
	return []any{tenantID, c.Barcode, c.Name, c.Group, c.Unit, net, gross, bp, boolInt(c.Service), boolInt(c.Active), version, c.VATCategory, now}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sameCard says whether two cards are the same (as a register and the books see them).
func sameCard(a, b domain.Card) bool {
	return a.Name == b.Name && a.Group == b.Group && a.Unit == b.Unit && a.PriceNet.Equal(b.PriceNet) &&
		a.PriceGross.Equal(b.PriceGross) && a.VATRate.Equal(b.VATRate) && a.Service == b.Service && a.Active == b.Active &&
		a.VATCategory == b.VATCategory
}

// nextVersions reserves n consecutive catalogue versions for the tenant and returns the first.
// The counter row is locked until the transaction ends, so versions are committed in order.
func (s *DB) nextVersions(ctx context.Context, tx *sql.Tx, tenantID int64, n int) (uint64, error) {
	q := `SELECT value FROM counters WHERE tenant_id = ? AND name = 'products'`
	if s.dialect == MySQL {
		q += ` FOR UPDATE`
	}
	var v uint64
	err := tx.QueryRowContext(ctx, q, tenantID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = tx.ExecContext(ctx, `INSERT INTO counters (tenant_id, name, value) VALUES (?, 'products', ?)`, tenantID, n)
		return 1, err
	}
	if err != nil {
		return 0, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE counters SET value = value + ? WHERE tenant_id = ? AND name = 'products'`, n, tenantID)
	return v + 1, err
}

// CardsVersion is the tenant's newest catalogue version.
func (s *DB) CardsVersion(ctx context.Context, tenantID int64) (uint64, error) {
	var v sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT MAX(version) FROM products WHERE tenant_id = ?`, tenantID).Scan(&v)
	return uint64(v.Int64), err
}

// SaveCard creates (create=true) or updates a card. An unchanged card keeps its version.
func (s *DB) SaveCard(ctx context.Context, tenantID int64, c domain.Card, create bool) (domain.Card, error) {
	c.Normalize()
	if err := c.Validate(); err != nil {
		return c, &InvalidError{err}
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		old, err := scanCard(tx.QueryRowContext(ctx, `SELECT `+productCols+` FROM products WHERE tenant_id = ? AND barcode = ?`, tenantID, c.Barcode))
		exists := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		switch {
		case create && exists:
			return fmt.Errorf("barcode %s is already on card %q: %w; barcodes are unique in a tenant", c.Barcode, old.Name, ErrExists)
		case !create && !exists:
			return fmt.Errorf("card with barcode %s: %w", c.Barcode, ErrNotFound)
		case exists && sameCard(old, c):
			c.Version = old.Version
			return nil
		}
		v, err := s.nextVersions(ctx, tx, tenantID, 1)
		if err != nil {
			return err
		}
		c.Version = v
		return s.writeCards(ctx, tx, tenantID, []domain.Card{c})
	})
	return c, err
}

// writeCards inserts or replaces cards (Version already set), 200 per statement.
func (s *DB) writeCards(ctx context.Context, tx *sql.Tx, tenantID int64, cards []domain.Card) error {
	now := s.nowMS()
	for start := 0; start < len(cards); start += 200 {
		chunk := cards[start:min(start+200, len(cards))]
		var args []any
		for _, c := range chunk {
			args = append(args, cardArgs(tenantID, c, c.Version, now)...)
		}
		q := `INSERT INTO products (tenant_id, ` + productCols + `, updated_ms) VALUES ` + rowsOf(13, len(chunk)) +
			s.upsert("tenant_id, barcode", "name", "group_name", "unit", "price_net_cents", "price_gross_cents", "vat_rate_bp", "is_service", "active", "version", "vat_category", "updated_ms")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("write product cards: %w", err)
		}
	}
	return nil
}

// Deactivate marks a card inactive (registers stop selling it); it is never deleted.
func (s *DB) Deactivate(ctx context.Context, tenantID int64, barcode string) (domain.Card, error) {
	var c domain.Card
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = scanCard(tx.QueryRowContext(ctx, `SELECT `+productCols+` FROM products WHERE tenant_id = ? AND barcode = ?`, tenantID, barcode))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("card with barcode %s: %w", barcode, ErrNotFound)
		}
		if err != nil || !c.Active {
			return err
		}
		if c.Version, err = s.nextVersions(ctx, tx, tenantID, 1); err != nil {
			return err
		}
		c.Active = false
		return s.writeCards(ctx, tx, tenantID, []domain.Card{c})
	})
	return c, err
}

// ImportResult counts what an import did.
type ImportResult struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// ImportCards creates or updates valid, distinct cards in one transaction.
func (s *DB) ImportCards(ctx context.Context, tenantID int64, cards []domain.Card) (ImportResult, error) {
	var res ImportResult
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res = ImportResult{}
		existing := map[string]domain.Card{}
		err := queryEach(ctx, tx, func(sc scanner) error {
			c, err := scanCard(sc)
			if err != nil {
				return err
			}
			existing[c.Barcode] = c
			return nil
		}, `SELECT `+productCols+` FROM products WHERE tenant_id = ?`, tenantID)
		if err != nil {
			return err
		}
		var changed []domain.Card
		for _, c := range cards {
			old, ok := existing[c.Barcode]
			switch {
			case !ok:
				res.Created++
			case sameCard(old, c):
				res.Unchanged++
				continue
			default:
				res.Updated++
			}
			changed = append(changed, c)
		}
		if len(changed) == 0 {
			return nil
		}
		first, err := s.nextVersions(ctx, tx, tenantID, len(changed))
		if err != nil {
			return err
		}
		for i := range changed {
			changed[i].Version = first + uint64(i)
		}
		return s.writeCards(ctx, tx, tenantID, changed)
	})
	if err != nil {
		return res, fmt.Errorf("import product cards: %w", err)
	}
	return res, nil
}

// Cards lists a tenant's cards by barcode, optionally matching q in the name or barcode.
func (s *DB) Cards(ctx context.Context, tenantID int64, q, afterBarcode string, limit int) ([]domain.Card, error) {
	limit = PageLimit(limit)
	query := `SELECT ` + productCols + ` FROM products WHERE tenant_id = ? AND barcode > ?`
	args := []any{tenantID, afterBarcode}
	if q != "" {
		query += ` AND (LOWER(name) LIKE ? OR barcode LIKE ?)`
		like := "%" + strings.ToLower(strings.NewReplacer("%", "", "_", "").Replace(q)) + "%"
		args = append(args, like, like)
	}
	return s.queryCards(ctx, query+fmt.Sprintf(` ORDER BY barcode LIMIT %d`, limit), args...)
}

// Card is a tenant's card with barcode; ErrNotFound when it has none.
func (s *DB) Card(ctx context.Context, tenantID int64, barcode string) (domain.Card, error) {
	c, err := scanCard(s.db.QueryRowContext(ctx, `SELECT `+productCols+` FROM products WHERE tenant_id = ? AND barcode = ?`, tenantID, barcode))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("card with barcode %s: %w", barcode, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("read the card with barcode %s: %w", barcode, err)
	}
	return c, nil
}

// CardsSince is the latest state of every card changed after version, in version order.
func (s *DB) CardsSince(ctx context.Context, tenantID int64, after uint64, limit int) ([]domain.Card, error) {
	return s.queryCards(ctx, `SELECT `+productCols+` FROM products WHERE tenant_id = ? AND version > ? ORDER BY version LIMIT `+fmt.Sprint(limit), tenantID, after)
}

func (s *DB) queryCards(ctx context.Context, q string, args ...any) ([]domain.Card, error) {
	out, err := queryAll(ctx, s.db, scanCard, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read product cards: %w", err)
	}
	return out, nil
}

// CardsAcked is how far the store's agent has written the catalogue into the POS.
func (s *DB) CardsAcked(ctx context.Context, storeID int64) (uint64, error) {
	var v uint64
	err := s.db.QueryRowContext(ctx, `SELECT acked_version FROM store_cards WHERE store_id = ?`, storeID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

// AckCards records that the store's POS holds the catalogue up to upto. Cards of the batch the
// POS refused are kept as failures; the others clear any failure they had.
func (s *DB) AckCards(ctx context.Context, storeID int64, batch []domain.Card, ack *protocol.CardsAck) error {
	failed := map[string]protocol.CardFailure{}
	for _, f := range ack.Failed {
		failed[f.Barcode] = f
	}
	now := s.nowMS()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, c := range batch {
			if f, ok := failed[c.Barcode]; ok {
				if _, err := tx.ExecContext(ctx, `INSERT INTO card_failures (store_id, barcode, version, message, at_ms) VALUES (?, ?, ?, ?, ?)`+
					s.upsert("store_id, barcode", "version", "message", "at_ms"), storeID, c.Barcode, c.Version, f.Message, now); err != nil {
					return err
				}
			} else if _, err := tx.ExecContext(ctx, `DELETE FROM card_failures WHERE store_id = ? AND barcode = ?`, storeID, c.Barcode); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO store_cards (store_id, acked_version, updated_ms) VALUES (?, ?, ?)`+
			s.upsert("store_id", "acked_version", "updated_ms"), storeID, ack.Upto, now)
		return err
	})
}

// CardFailure is a card a store's POS refused.
type CardFailure struct {
	Barcode string `json:"barcode"`
	Version uint64 `json:"version"`
	Message string `json:"message"`
}

// CardStatus is how far a store's POS has the catalogue.
type CardStatus struct {
	Store         string        `json:"store"`
	TenantVersion uint64        `json:"catalogue_version"`
	AckedVersion  uint64        `json:"pos_version"`
	Pending       int           `json:"pending"`
	Failures      []CardFailure `json:"failures"`
}

// CardStatus reports a store's push status.
func (s *DB) CardStatus(ctx context.Context, st StoreRef) (CardStatus, error) {
	out := CardStatus{Store: st.Code, Failures: []CardFailure{}}
	var err error
	if out.TenantVersion, err = s.CardsVersion(ctx, st.TenantID); err != nil {
		return out, err
	}
	if out.AckedVersion, err = s.CardsAcked(ctx, st.ID); err != nil {
		return out, err
	}
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM products WHERE tenant_id = ? AND version > ?`, st.TenantID, out.AckedVersion).Scan(&out.Pending); err != nil {
		return out, err
	}
	failures, err := queryAll(ctx, s.db, func(sc scanner) (CardFailure, error) {
		var f CardFailure
		err := sc.Scan(&f.Barcode, &f.Version, &f.Message)
		return f, err
	}, `SELECT barcode, version, message FROM card_failures WHERE store_id = ? ORDER BY barcode`, st.ID)
	out.Failures = orEmpty(failures)
	return out, err
}
