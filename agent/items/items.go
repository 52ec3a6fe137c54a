// Package items writes product cards from the cloud into the POS items table. A batch is one
// MySQL transaction; cards the POS refuses are reported one by one and the rest still land.
// Stock is never written.
package items

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/go-sql-driver/mysql"

	"tiltas/shared/domain"
	"tiltas/shared/protocol"
)

// Writer upserts cards by barcode.
type Writer struct {
	DB *sql.DB
}

const upsert = `INSERT INTO items (barcode, name, unit, price_net, price_gross, vat_rate, group_name, is_service, active) VALUES %s
	ON DUPLICATE KEY UPDATE name = VALUES(name), unit = VALUES(unit), price_net = VALUES(price_net), price_gross = VALUES(price_gross),
	vat_rate = VALUES(vat_rate), group_name = VALUES(group_name), is_service = VALUES(is_service), active = VALUES(active)`

func args(c domain.Card) []any {
	var group any
	if c.Group != "" {
		group = c.Group
	}
	return []any{c.Barcode, c.Name, c.Unit, c.PriceNet.StringFixed(2), c.PriceGross.StringFixed(2), c.VATRate.StringFixed(2), group, c.Service, c.Active}
}

// Apply writes the cards and commits. It returns the cards the POS refused (a data or
// privilege error on that card); an error means nothing was written (the POS is unreachable)
// and the batch must be retried.
func (w *Writer) Apply(ctx context.Context, cards []domain.Card) ([]protocol.CardFailure, error) {
	if len(cards) == 0 {
		return nil, nil
	}
	// Fast path: the whole batch in one statement.
	tx, err := w.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin POS transaction: %w", err)
	}
	var all []any
	for _, c := range cards {
		all = append(all, args(c)...)
	}
	_, err = tx.ExecContext(ctx, fmt.Sprintf(upsert, "(?,?,?,?,?,?,?,?,?)"+strings.Repeat(",(?,?,?,?,?,?,?,?,?)", len(cards)-1)), all...)
	if err == nil {
		if err = tx.Commit(); err == nil {
			return nil, nil
		}
	} else {
		_ = tx.Rollback()
	}
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return nil, fmt.Errorf("write product cards into the POS: %w", err)
	}
	// Some card was refused: card by card, each behind a savepoint, still one transaction.
	tx, err = w.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin POS transaction: %w", err)
	}
	defer tx.Rollback()
	var failed []protocol.CardFailure
	for _, c := range cards {
		if _, err := tx.ExecContext(ctx, "SAVEPOINT card"); err != nil {
			return nil, fmt.Errorf("write product cards into the POS: %w", err)
		}
		_, err := tx.ExecContext(ctx, fmt.Sprintf(upsert, "(?,?,?,?,?,?,?,?,?)"), args(c)...)
		if err == nil {
			continue
		}
		if !errors.As(err, &me) {
			return nil, fmt.Errorf("write product card %s into the POS: %w", c.Barcode, err)
		}
		if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT card"); err != nil {
			return nil, fmt.Errorf("write product cards into the POS: %w", err)
		}
		failed = append(failed, protocol.CardFailure{Barcode: c.Barcode, Version: c.Version, Message: fmt.Sprintf("the POS refused card %s: %s", c.Barcode, me.Message)})
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit product cards into the POS: %w", err)
	}
	return failed, nil
}
