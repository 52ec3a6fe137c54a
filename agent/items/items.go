// Package items writes product cards from the cloud into the POS items table. A batch is one
// MySQL transaction; cards the POS refuses are reported one by one and the rest still land.
// Stock is never written.
package items

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/go-sql-driver/mysql"

	"tiltas/agent/profile"
	"tiltas/shared/domain"
	"tiltas/shared/protocol"
)

// Writer upserts cards by barcode, with the statements of the POS profile's cards.upsert (and
// cards.deactivate for a deactivated card, when the profile gives it).
type Writer struct {
	DB      *sql.DB
	Profile *profile.Profile // default: the reference profile
}

// Value is a card field as a card statement's parameter takes it.
func Value(c domain.Card, param string) any {
	switch param {
	case "barcode":
		return c.Barcode
	case "name":
		return c.Name
	case "unit":
		return c.Unit
	case "price_net":
		return c.PriceNet.StringFixed(2)
	case "price_gross":
		return c.PriceGross.StringFixed(2)
	case "vat_rate":
		return c.VATRate.StringFixed(2)
	case "group":
		if c.Group == "" {
			return nil
		}
		return c.Group
	case "service":
		return c.Service
	case "active":
		return c.Active
	}
	panic("items: card parameter " + param + " passed the profile's check but has no value")
}

func args(s profile.Statement, c domain.Card) []any {
	out := make([]any, len(s.Params))
	for i, p := range s.Params {
		out[i] = Value(c, p)
	}
	return out
}

// deactivating says whether card c is written by the profile's cards.deactivate.
func (w *Writer) deactivating(c domain.Card) bool {
	return !c.Active && len(w.Profile.Cards.Deactivate) > 0
}

// statements are what writes card c.
func (w *Writer) statements(c domain.Card) []profile.Statement {
	if w.deactivating(c) {
		return w.Profile.Cards.Deactivate
	}
	return w.Profile.Cards.Upsert
}

// Apply writes the cards and commits. It returns the cards the POS refused (a data or
// privilege error on that card); an error means nothing was written (the POS is unreachable)
// and the batch must be retried.
func (w *Writer) Apply(ctx context.Context, cards []domain.Card) ([]protocol.CardFailure, error) {
	if len(cards) == 0 {
		return nil, nil
	}
	if w.Profile == nil {
		w.Profile = profile.Reference()
	}
	// Fast path: the whole batch in one statement, when the profile's upsert is one INSERT ...
	// VALUES (?, ...) and no card needs another statement.
	one := len(w.Profile.Cards.Upsert) == 1
	for _, c := range cards {
		if w.deactivating(c) {
			one = false
		}
	}
	up := w.Profile.Cards.Upsert[0]
	batch, ok := up.Batchable(len(cards))
	if !one || !ok {
		return w.oneByOne(ctx, cards)
	}
	tx, err := w.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin POS transaction: %w", err)
	}
	var all []any
	for _, c := range cards {
		all = append(all, args(up, c)...)
	}
	_, err = tx.ExecContext(ctx, batch, all...)
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
	return w.oneByOne(ctx, cards)
}

// oneByOne writes card by card, each behind a savepoint, still in one transaction: a card the
// POS refuses is reported and the others land.
func (w *Writer) oneByOne(ctx context.Context, cards []domain.Card) ([]protocol.CardFailure, error) {
	var me *mysql.MySQLError
	tx, err := w.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin POS transaction: %w", err)
	}
	defer tx.Rollback()
	var failed []protocol.CardFailure
	for _, c := range cards {
		if _, err := tx.ExecContext(ctx, "SAVEPOINT card"); err != nil {
			return nil, fmt.Errorf("write product cards into the POS: %w", err)
		}
		var err error
		for _, s := range w.statements(c) {
			if _, err = tx.ExecContext(ctx, s.SQL, args(s, c)...); err != nil {
				err = fmt.Errorf("%s: %w", s.Key, err)
				break
			}
		}
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
