package books

import (
	"context"
	"fmt"

	"tiltas/cloud/db"
	"tiltas/cloud/posting"
)

// Cancel cancels a posted document: it keeps its number, gets a reversal entry dated today
// (the first open day when the books are closed), and its stock moves are undone. A sale's
// write-off documents are cancelled with it. by says who (a user's e-mail, "API", or the
// marketplace); it is kept on the document.
func (b *Books) Cancel(ctx context.Context, tenantID, docID int64, by string) error {
	return b.store.InTx(ctx, func(tx Tx) error { return b.cancel(ctx, tx, tenantID, docID, by) })
}

func (b *Books) cancel(ctx context.Context, tx Tx, tenantID, docID int64, by string) error {
	status, _, err := tx.DocStatus(ctx, tenantID, docID)
	if err != nil {
		return err
	}
	if status != "posted" {
		return &db.InvalidError{Err: fmt.Errorf("document %d is %s already", docID, status)}
	}
	entries, err := tx.DocEntries(ctx, tenantID, docID)
	if err != nil {
		return err
	}
	closed, err := tx.ClosedUntil(ctx, tenantID)
	if err != nil {
		return err
	}
	today, _ := posting.Settings{ClosedUntil: closed}.BookingDate(b.today()) // never into closed books
	for _, e := range entries {
		if e.Reverses != 0 {
			continue
		}
		if _, err := tx.InsertEntry(ctx, tenantID, docID, today, e.Entry.Reverse("Reversal of "+e.Memo), e.ID); err != nil {
			return err
		}
	}
	moves, err := tx.DocStockMoves(ctx, docID)
	if err != nil {
		return err
	}
	for _, m := range moves {
		if m.Qty.IsPositive() {
			// Goods that came in are averaged into everything that moved after them: undoing them
			// is exact only while nothing of that item has moved since.
			later, err := tx.MovedSince(ctx, tenantID, m.Warehouse, m.Barcode, m.ID, docID)
			if err != nil {
				return err
			}
			if later != 0 {
				return &db.InvalidError{Err: fmt.Errorf("cannot cancel document %d: %s has moved in warehouse %s since (document %d); cancel the later documents first",
					docID, m.Barcode, m.Warehouse, later)}
			}
		}
		if err := tx.MoveStock(ctx, tenantID, m.Warehouse, docID, []posting.StockMove{{Barcode: m.Barcode, Qty: m.Qty.Neg(), Value: m.Value.Neg()}}); err != nil {
			return err
		}
	}
	if err := tx.MarkCancelled(ctx, docID, today, by); err != nil {
		return err
	}
	writeOffs, err := tx.WriteOffsOf(ctx, tenantID, docID)
	if err != nil {
		return err
	}
	for _, id := range writeOffs {
		if err := b.cancel(ctx, tx, tenantID, id, by); err != nil {
			return err
		}
	}
	return nil
}
