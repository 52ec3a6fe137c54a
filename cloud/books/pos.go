package books

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/cloud/db"
	"tiltas/cloud/posting"
	"tiltas/shared/domain"
)

// chunk is how many receipts one booking transaction takes at most.
const chunk = 50

// errNotReady defers a Z report whose receipts have not all arrived.
var errNotReady = errors.New("not all receipts of this Z report have arrived yet")

// PostPending books the receipts and day closes agents delivered and that are not booked yet,
// oldest first, at most limit of each. Receipts go many to a transaction; a transaction that
// fails for any reason is redone one receipt at a time, so a refusal touches only its own
// receipt, which is kept in posting failures with its reason until a person retries it.
func (b *Books) PostPending(ctx context.Context, limit int) (Result, error) {
	var res Result
	for _, kind := range []string{db.HeldReceipts, db.HeldDayCloses} {
		todo, err := b.store.Pending(ctx, kind, limit)
		if err != nil {
			return res, fmt.Errorf("find unposted %s: %w", kind, err)
		}
		byTenant := map[int64][]int64{}
		var tenants []int64
		for _, p := range todo {
			if _, seen := byTenant[p.TenantID]; !seen {
				tenants = append(tenants, p.TenantID)
			}
			byTenant[p.TenantID] = append(byTenant[p.TenantID], p.ID)
		}
		for _, tenant := range tenants {
			set, err := b.store.Settings(ctx, tenant) // once per tenant per pass
			if err != nil {
				return res, err
			}
			rows := byTenant[tenant]
			for start := 0; start < len(rows); start += chunk {
				part := rows[start:min(start+chunk, len(rows))]
				if kind == db.HeldReceipts && len(part) > 1 {
					err := b.store.InTx(ctx, func(tx Tx) error {
						for _, row := range part {
							if err := b.postHeld(ctx, tx, kind, tenant, row, set); err != nil {
								return err
							}
						}
						return nil
					})
					if err == nil {
						res.Posted += len(part)
						continue
					}
				}
				for _, row := range part {
					err := b.store.InTx(ctx, func(tx Tx) error { return b.postHeld(ctx, tx, kind, tenant, row, set) })
					var refused *posting.Error
					switch {
					case err == nil:
						res.Posted++
					case errors.Is(err, errNotReady):
						res.Deferred++
					case errors.As(err, &refused):
						res.Failed++
						if err := b.store.RecordFailure(ctx, tenant, kind, row, refused.Msg); err != nil {
							return res, err
						}
					default:
						return res, fmt.Errorf("post %s %d: %w", kind, row, err)
					}
				}
			}
		}
	}
	return res, nil
}

func (b *Books) postHeld(ctx context.Context, tx Tx, kind string, tenantID, row int64, set posting.Settings) error {
	h, err := tx.LockHeld(ctx, kind, row)
	if err != nil || h.State != db.StatePending {
		return err
	}
	if kind == db.HeldReceipts {
		return b.postReceipt(ctx, tx, tenantID, row, h, set)
	}
	return b.postDayClose(ctx, tx, tenantID, row, h, set)
}

// postReceipt books a receipt as its document: a sale, an SF invoice or a credit note. A sale
// or return whose session is booked by its Z report's day sheets waits for them instead. With
// automatic write-off its goods leave stock; with returns to stock, returned goods come back at
// the cost they left with.
func (b *Books) postReceipt(ctx context.Context, tx Tx, tenantID, row int64, h db.Held, set posting.Settings) error {
	var r domain.Receipt
	if err := json.Unmarshal(h.Payload, &r); err != nil {
		return posting.Refuse(posting.CodeUnreadable, "stored receipt unreadable: %v", err)
	}
	if set.History(h.StoreID, r.ClosedAt.In(set.Zone).Format(time.DateOnly)) {
		history, err := receiptHistory(ctx, tx, tenantID, h.StoreID, r.SessionID, set.ModeFor(h.StoreID))
		if err != nil {
			return err
		}
		if history {
			return tx.SetHeldState(ctx, db.HeldReceipts, row, db.StateHistory) // before the store's start date
		}
	}
	if r.Type != domain.Invoice {
		held, err := heldForDaySheet(ctx, tx, tenantID, h.StoreID, r.SessionID, set.ModeFor(h.StoreID))
		if err != nil {
			return err
		}
		if held {
			return tx.SetHeldState(ctx, db.HeldReceipts, row, db.StateNoDoc) // booked with its Z's day sheet
		}
	}
	key := posting.Key("pos", fmt.Sprint(h.StoreID), r.SourceID)
	if id, hash, err := tx.DocByKey(ctx, tenantID, key); err != nil {
		return err
	} else if id != 0 {
		if hash != h.Hash {
			return posting.Refuse(posting.CodeBookedOther, "receipt %s was booked before with other content (document %d): cancel that document first", r.SourceID, id)
		}
		return tx.SetHeldState(ctx, db.HeldReceipts, row, db.StatePosted) // booked already
	}
	barcodes := make([]string, 0, len(r.Lines))
	for _, l := range r.Lines {
		barcodes = append(barcodes, l.Barcode)
	}
	services, err := tx.ServiceBarcodes(ctx, tenantID, barcodes)
	if err != nil {
		return err
	}
	doc, err := posting.Receipt(&r, set, func(bc string) bool { return services[bc] })
	if err != nil {
		return err
	}
	custID, err := tx.Customer(ctx, tenantID, r.Buyer)
	if err != nil {
		return err
	}
	var related int64
	if r.OriginalSourceID != "" {
		if related, _, err = tx.DocByKey(ctx, tenantID, posting.Key("pos", fmt.Sprint(h.StoreID), r.OriginalSourceID)); err != nil {
			return err
		}
	}
	docID, err := book(ctx, tx, set, db.NewDoc{TenantID: tenantID, StoreID: h.StoreID, Doc: doc, Key: key, Hash: h.Hash,
		SourceKind: "receipt", SourceID: r.SourceID, CustomerID: custID, RelatedID: related})
	if err != nil {
		return err
	}
	var lines []posting.StockLine
	switch {
	case set.AutoWriteOff && doc.Op != posting.OpReturn:
		for _, l := range r.Lines {
			if !services[l.Barcode] {
				lines = append(lines, posting.StockLine{No: l.No, Barcode: l.Barcode, Name: l.Name, Qty: l.Quantity})
			}
		}
	case set.ReturnsToStock && doc.Op == posting.OpReturn:
		for _, l := range r.Lines {
			if !services[l.Barcode] {
				cost, err := costItLeftWith(ctx, tx, tenantID, related, l.Barcode)
				if err != nil {
					return err
				}
				lines = append(lines, posting.StockLine{No: l.No, Barcode: l.Barcode, Name: l.Name, Qty: l.Quantity, UnitCost: cost})
			}
		}
	}
	if len(lines) > 0 {
		if _, err := writeOff(ctx, tx, set, tenantID, h.StoreID, docID, doc.Date, posting.Key("stock", fmt.Sprint(docID)), lines, false); err != nil {
			return err
		}
	}
	return tx.SetHeldState(ctx, db.HeldReceipts, row, db.StatePosted)
}

// costItLeftWith is the unit cost at which barcode was written off for the sale document
// saleDoc, or zero when unknown.
func costItLeftWith(ctx context.Context, tx Tx, tenantID, saleDoc int64, barcode string) (decimal.Decimal, error) {
	if saleDoc == 0 {
		return decimal.Zero, nil
	}
	out, err := tx.WrittenOffFor(ctx, tenantID, saleDoc, barcode)
	if err != nil || out.Qty.IsZero() {
		return decimal.Zero, err
	}
	return out.Value.Div(out.Qty), nil
}

// receiptHistory decides for a receipt closed before its store's start date. In receipt mode
// it is history. In day-sheet mode its Z report decides for the whole cash session, so a
// session that straddles the start date is booked whole or not at all: history when the Z is,
// booked as usual when the Z is booked or reconciled, and until the Z has been looked at the
// receipt waits.
func receiptHistory(ctx context.Context, tx Tx, tenantID, storeID int64, session, mode string) (bool, error) {
	if mode != "dayclose" {
		return true, nil
	}
	state, found, err := tx.ZState(ctx, tenantID, storeID, session)
	switch {
	case err != nil:
		return false, err
	case !found || state == db.StatePending:
		return false, errNotReady
	}
	return state == db.StateHistory, nil
}

// heldForDaySheet says whether a sale or return of a cash session waits for its Z report's day
// sheet rather than being booked alone: yes when that Z booked day sheets, no when it was only
// reconciled, and otherwise as the store's mode says.
func heldForDaySheet(ctx context.Context, tx Tx, tenantID, storeID int64, session, mode string) (bool, error) {
	state, found, err := tx.ZState(ctx, tenantID, storeID, session)
	switch {
	case err != nil:
		return false, err
	case found && state == db.StatePosted:
		return true, nil
	case found && state == db.StateNoDoc:
		return false, nil
	}
	return mode == "dayclose", nil
}

// postDayClose books a Z report. In day-sheet mode it books one day sheet per VAT rate, less
// the session's SF invoices (booked alone), once all its receipts have arrived, and the day's
// goods leave stock under the first sheet. In receipt mode, or when any of the session's sales
// was booked alone (its store's mode changed mid-session), the Z is only reconciled and the
// receipts held for it go back to be booked one by one: a session is booked once, never twice
// and never not at all.
func (b *Books) postDayClose(ctx context.Context, tx Tx, tenantID, row int64, h db.Held, set posting.Settings) error {
	var z domain.DayClose
	if err := json.Unmarshal(h.Payload, &z); err != nil {
		return posting.Refuse(posting.CodeUnreadable, "stored day close unreadable: %v", err)
	}
	if set.History(h.StoreID, z.ClosedAt.In(set.Zone).Format(time.DateOnly)) {
		return tx.SetHeldState(ctx, db.HeldDayCloses, row, db.StateHistory) // before the store's start date
	}
	if set.ModeFor(h.StoreID) == "dayclose" {
		// A Z from the start date on books its whole session, older receipts included.
		if err := tx.RequeueHistory(ctx, tenantID, h.StoreID, z.SourceID); err != nil {
			return err
		}
	}
	session, err := tx.SessionReceipts(ctx, tenantID, h.StoreID, z.SourceID)
	if err != nil {
		return err
	}
	receipts := make([]domain.Receipt, 0, len(session))
	bookedAlone := 0
	for _, s := range session {
		if s.Receipt.Type != domain.Invoice && s.State == db.StatePosted {
			bookedAlone++
		}
		receipts = append(receipts, s.Receipt)
	}
	if set.ModeFor(h.StoreID) != "dayclose" || bookedAlone > 0 {
		if err := tx.RequeueSession(ctx, tenantID, h.StoreID, z.SourceID); err != nil {
			return err
		}
		return tx.SetHeldState(ctx, db.HeldDayCloses, row, db.StateNoDoc)
	}
	if len(receipts) < z.ReceiptsCount {
		if opened := z.OpenedAt.In(set.Zone).Format(time.DateOnly); set.History(h.StoreID, opened) {
			return posting.Refuse(posting.CodeTotalsDisagree, "Z %s of register %s: its session opened on %s, before the store's start date %s, and %d of its %d receipts are not here: the agent left the older ones in the POS. Book this Z by hand, or set the start date with history so they are shipped",
				z.ZNumber, z.Register, opened, set.StoreStarts[h.StoreID], z.ReceiptsCount-len(receipts), z.ReceiptsCount)
		}
		return errNotReady
	}
	var invoices []domain.Receipt
	for _, r := range receipts {
		if r.Type == domain.Invoice {
			invoices = append(invoices, r)
		}
	}
	docs, err := posting.DaySheets(&z, invoices, set)
	if err != nil {
		return err
	}
	var first int64
	for _, d := range docs {
		key := posting.Key("z", fmt.Sprint(h.StoreID), z.SourceID, d.Lines[0].Rate.String())
		if id, _, err := tx.DocByKey(ctx, tenantID, key); err != nil || id != 0 {
			if err != nil {
				return err
			}
			continue
		}
		id, err := book(ctx, tx, set, db.NewDoc{TenantID: tenantID, StoreID: h.StoreID, Doc: d, Key: key, Hash: h.Hash, SourceKind: "dayclose", SourceID: z.SourceID})
		if err != nil {
			return err
		}
		if first == 0 {
			first = id
		}
	}
	if set.AutoWriteOff && first != 0 {
		lines := posting.DayGoods(receipts)
		if _, err := writeOff(ctx, tx, set, tenantID, h.StoreID, first, docs[0].Date, posting.Key("stock", fmt.Sprint(first)), lines, false); err != nil {
			return err
		}
	}
	return tx.SetHeldState(ctx, db.HeldDayCloses, row, db.StatePosted)
}
