package books

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/cloud/db"
	"tiltas/cloud/posting"
)

// writeOff takes lines out of (or back into) the warehouse set.Warehouse at weighted-average
// cost under one write-off document related to srcDoc. Lines that cannot move are left
// unresolved on srcDoc with the reason, or, when strict, refuse the whole write-off. It returns
// the write-off document's id (0 when nothing moved).
func writeOff(ctx context.Context, tx Tx, set posting.Settings, tenantID, storeID, srcDoc int64, date, key string, lines []posting.StockLine, strict bool) (int64, error) {
	barcodes := make([]string, 0, len(lines))
	for _, l := range lines {
		barcodes = append(barcodes, l.Barcode)
	}
	held, err := tx.Balances(ctx, tenantID, set.Warehouse, barcodes)
	if err != nil {
		return 0, err
	}
	doc, moves, unresolved := posting.WriteOff(lines, held, set, date)
	if len(unresolved) > 0 && strict {
		return 0, &db.InvalidError{Err: errors.New(unresolved[0].Reason)}
	}
	if err := tx.AddUnresolved(ctx, tenantID, srcDoc, unresolved); err != nil {
		return 0, err
	}
	if len(moves) == 0 {
		return 0, nil
	}
	docID, err := book(ctx, tx, set, db.NewDoc{TenantID: tenantID, StoreID: storeID, Doc: doc, Key: key, SourceKind: "document", SourceID: fmt.Sprint(srcDoc), RelatedID: srcDoc})
	if err != nil {
		return 0, err
	}
	return docID, tx.MoveStock(ctx, tenantID, set.Warehouse, docID, moves)
}

// StockInLine is goods received at a unit cost.
type StockInLine struct {
	Barcode  string          `json:"barcode"`
	Name     string          `json:"name"`
	Qty      decimal.Decimal `json:"quantity"`
	UnitCost decimal.Decimal `json:"unit_cost"`
}

// StockIn receives goods into a warehouse (the settings' one when empty): a goods-received
// document at cost and the stock balances at weighted-average cost. key makes it idempotent (a
// client's request id): the same key books once and answers the same document.
func (b *Books) StockIn(ctx context.Context, tenantID int64, warehouse, date, key string, lines []StockInLine) (int64, error) {
	if len(lines) == 0 {
		return 0, &db.InvalidError{Err: errors.New("a stock receipt needs lines")}
	}
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return 0, &db.InvalidError{Err: fmt.Errorf("date %q: use YYYY-MM-DD", date)}
	}
	var docID int64
	err := b.store.InTx(ctx, func(tx Tx) error {
		set, err := tx.Settings(ctx, tenantID)
		if err != nil {
			return err
		}
		if warehouse != "" {
			set.Warehouse = warehouse
		}
		if set.ClosedUntil != "" && date <= set.ClosedUntil {
			return &db.InvalidError{Err: fmt.Errorf("date %s: the books are closed up to %s; receive the goods on a later day, or reopen the books", date, set.ClosedUntil)}
		}
		if ok, err := tx.WarehouseExists(ctx, tenantID, set.Warehouse); err != nil || !ok {
			if err != nil {
				return err
			}
			return &db.InvalidError{Err: fmt.Errorf("warehouse %q does not exist", set.Warehouse)}
		}
		k := posting.Key("stockin", key)
		if id, _, err := tx.DocByKey(ctx, tenantID, k); err != nil || id != 0 {
			docID = id
			return err
		}
		in := make([]posting.StockLine, len(lines))
		for i, l := range lines {
			in[i] = posting.StockLine{No: i + 1, Barcode: l.Barcode, Name: l.Name, Qty: l.Qty, UnitCost: l.UnitCost}
		}
		doc, moves, err := posting.StockIn(in, set, date)
		if err != nil {
			var refused *posting.Error
			if errors.As(err, &refused) {
				return &db.InvalidError{Err: err}
			}
			return err
		}
		if docID, err = book(ctx, tx, set, db.NewDoc{TenantID: tenantID, Doc: doc, Key: k, SourceKind: "stockin", SourceID: key}); err != nil {
			return err
		}
		return tx.MoveStock(ctx, tenantID, set.Warehouse, docID, moves)
	})
	return docID, err
}

// Resolve writes off an unresolved line now, optionally as another item (barcode). It is
// strict: the goods move now, or nothing changes and the reason comes back.
func (b *Books) Resolve(ctx context.Context, tenantID, lineID int64, barcode string) (int64, error) {
	var docID int64
	err := b.store.InTx(ctx, func(tx Tx) error {
		u, err := tx.UnresolvedLine(ctx, tenantID, lineID)
		if err != nil {
			return err
		}
		if u.ResolvedBy != 0 {
			return &db.InvalidError{Err: fmt.Errorf("line %d was resolved by document %d", lineID, u.ResolvedBy)}
		}
		bc := u.Barcode
		if barcode != "" {
			bc = barcode
		}
		set, err := tx.Settings(ctx, tenantID)
		if err != nil {
			return err
		}
		if docID, err = writeOff(ctx, tx, set, tenantID, u.StoreID, u.DocumentID, u.Date, posting.Key("resolve", fmt.Sprint(lineID)),
			[]posting.StockLine{{No: 1, Barcode: bc, Name: u.Name, Qty: u.Qty}}, true); err != nil {
			return err
		}
		return tx.SetResolved(ctx, lineID, docID)
	})
	return docID, err
}
