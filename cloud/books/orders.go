package books

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/cloud/db"
	"tiltas/cloud/posting"
	"tiltas/shared/domain"
)

// PostOrders books an account's stored orders whose status says so, exactly once per (account,
// order, document type), and reverses booked orders that were cancelled since. An order that
// cannot be booked as sent waits in Errors with the reason and a suggested fix; the account's
// other orders go on.
func (b *Books) PostOrders(ctx context.Context, acct db.MarketAccount, rules posting.OrderRules) (Result, error) {
	var res Result
	ids, err := b.store.OrdersToBook(ctx, acct.ID)
	if err != nil {
		return res, err
	}
	set, err := b.store.Settings(ctx, acct.TenantID)
	if err != nil {
		return res, err
	}
	for _, id := range ids {
		var refused *posting.Error
		booked := false
		err := b.store.InTx(ctx, func(tx Tx) error {
			var err error
			booked, err = b.postOrder(ctx, tx, acct, id, set, rules)
			return err
		})
		switch {
		case err == nil:
			if booked {
				res.Posted++
			}
		case errors.As(err, &refused):
			res.Failed++
			if err := b.store.SetOrderError(ctx, id, refused.Msg, Fix(refused.Code)); err != nil {
				return res, err
			}
		default:
			return res, fmt.Errorf("book order %d: %w", id, err)
		}
	}
	return res, nil
}

// postOrder books, cancels or leaves one stored order; booked says a document was made.
func (b *Books) postOrder(ctx context.Context, tx Tx, acct db.MarketAccount, rowID int64, set posting.Settings, rules posting.OrderRules) (booked bool, err error) {
	h, err := tx.LockOrder(ctx, rowID)
	if err != nil {
		return false, err
	}
	o := h.Order
	key := db.OrderDocKey(acct.ID, o.ID)
	docID, _, err := tx.DocByKey(ctx, acct.TenantID, key)
	if err != nil {
		return false, err
	}
	// An order that cannot be read as sent waits in Errors, unless it is a booked order now
	// cancelled: its status is read whatever else is wrong, and the cancellation goes through.
	if o.Unreadable != "" && !(rules.CancelStatuses[o.Status] && docID != 0) {
		return false, posting.Refuse(posting.CodeUnreadable, "the marketplace sent this order in a form that cannot be read: %s", o.Unreadable)
	}
	switch {
	case rules.CancelStatuses[o.Status] && docID != 0:
		if err := b.cancel(ctx, tx, acct.TenantID, docID, fmt.Sprintf("%s: the order was cancelled (%s)", acct.Name, o.Status)); err != nil {
			var inv *db.InvalidError
			if errors.As(err, &inv) {
				return false, posting.Refuse(posting.CodeCancelBlocked, "cancelled by the buyer, but %s", inv.Error())
			}
			return false, err
		}
		return false, tx.SetOrderState(ctx, rowID, db.OrderCancelled)
	case rules.CancelStatuses[o.Status]:
		return false, tx.SetOrderState(ctx, rowID, db.OrderCancelled) // never booked
	case docID != 0:
		if h.State != db.OrderPosted {
			return false, tx.SetOrderState(ctx, rowID, db.OrderPosted)
		}
		return false, nil // booked already
	case !rules.PostStatuses[o.Status]:
		return false, nil // open: not at a booked status yet
	}
	m, err := tx.MarketSettings(ctx, acct.TenantID)
	if err != nil {
		return false, err
	}
	date := o.PurchasedAt.In(b.store.Zone()).Format(time.DateOnly)
	if m.FX, err = tx.FXRate(ctx, acct.TenantID, o.Currency, date); err != nil {
		return false, err
	}
	items, err := orderItems(ctx, tx, acct.TenantID, &o, m.Rates[m.Home], rules.CreateMissing)
	if err != nil {
		return false, err
	}
	doc, err := posting.OrderDoc(&o, set, m, func(sku string) (posting.Item, bool) { it, ok := items[sku]; return it, ok })
	if err != nil {
		return false, err
	}
	custID, err := tx.Customer(ctx, acct.TenantID, &domain.Buyer{Code: o.Buyer.Key, VATCode: o.Buyer.VATNumber, Name: firstNonEmpty(o.Buyer.Company, o.Buyer.Name, o.Buyer.Key)})
	if err != nil {
		return false, err
	}
	docID, err = book(ctx, tx, set, db.NewDoc{TenantID: acct.TenantID, Doc: doc.Doc, Key: key, SourceKind: "order", SourceID: acct.Name + ":" + o.ID,
		CustomerID: custID, Currency: doc.Currency, FX: doc.FX, TotalCurrency: doc.TotalCurrency})
	if err != nil {
		return false, err
	}
	if set.AutoWriteOff {
		// FBA goods leave the marketplace's warehouse in that country; the rest leave the shop's.
		if o.FBA {
			country := strings.ToUpper(o.Marketplace)
			set.Warehouse = "AMZ-" + country
			if err := tx.EnsureWarehouse(ctx, acct.TenantID, set.Warehouse, "Amazon FBA "+country); err != nil {
				return false, err
			}
		}
		var lines []posting.StockLine
		for i, l := range o.Lines {
			if l.Kind == posting.LineGoods && !items[l.SKU].Service && l.Qty.IsPositive() {
				lines = append(lines, posting.StockLine{No: i + 1, Barcode: l.SKU, Name: l.Name, Qty: l.Qty})
			}
		}
		if len(lines) > 0 {
			if _, err := writeOff(ctx, tx, set, acct.TenantID, 0, docID, doc.Date, posting.Key("stock", fmt.Sprint(docID)), lines, false); err != nil {
				return false, err
			}
		}
	}
	return true, tx.SetOrderState(ctx, rowID, db.OrderPosted)
}

// orderItems reads the product card of every SKU an order's goods name. A SKU without a card
// is refused, or, with createMissing, gets a card priced from the order at the home rate.
func orderItems(ctx context.Context, tx Tx, tenantID int64, o *posting.Order, homeRate decimal.Decimal, createMissing bool) (map[string]posting.Item, error) {
	items := map[string]posting.Item{}
	for _, l := range o.Lines {
		if l.Kind == posting.LineGoods && l.SKU == "" {
			return nil, posting.Refuse(posting.CodeNoSKU, "line %q has no SKU (the offer has no external id / seller SKU)", l.Name)
		}
		if l.Kind == posting.LineShipping || l.Kind == posting.LineService || l.SKU == "" {
			continue
		}
		if _, done := items[l.SKU]; done {
			continue
		}
		it, found, err := tx.Card(ctx, tenantID, l.SKU)
		switch {
		case err != nil:
			return nil, err
		case found:
			items[l.SKU] = it
		case !createMissing:
			return nil, posting.Refuse(posting.CodeNoCard, "SKU %s (%s) has no product card", l.SKU, l.Name)
		default:
			c, err := posting.CardForSKU(l, homeRate)
			if err != nil {
				return nil, err
			}
			if err := tx.CreateCard(ctx, tenantID, c); err != nil {
				return nil, err
			}
			items[l.SKU] = posting.Item{Rate: homeRate}
		}
	}
	return items, nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
