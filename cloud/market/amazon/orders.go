package amazon

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/cloud/market"
	"tiltas/cloud/posting"
)

func money(m *Money) (decimal.Decimal, string, error) {
	if m == nil {
		return decimal.Zero, "", nil
	}
	d, err := market.Amount(m.Amount)
	return d, m.CurrencyCode, err
}

// Map turns an SP-API order and its items into a normalised order. On EU marketplaces
// ItemPrice includes VAT (ItemTax is often 0), so it is taken as the gross.
func Map(o Order, items []OrderItem) (posting.Order, error) {
	out := posting.Order{Market: "amazon", ID: o.AmazonOrderId, Status: o.OrderStatus, Marketplace: Marketplaces[o.MarketplaceId],
		FBA: o.FulfillmentChannel == "AFN", B2B: o.IsBusinessOrder}
	var err error
	if out.PurchasedAt, err = time.Parse(time.RFC3339, o.PurchaseDate); err != nil {
		return out, fmt.Errorf("order %s: PurchaseDate %q: %w", o.AmazonOrderId, o.PurchaseDate, err)
	}
	if o.ShippingAddress != nil {
		out.ShipTo = strings.ToUpper(o.ShippingAddress.CountryCode)
	}
	if out.ShipTo == "" {
		out.ShipTo = out.Marketplace
	}
	if b := o.BuyerInfo; b != nil {
		out.Buyer = posting.OrderBuyer{Key: b.BuyerEmail, Name: b.BuyerName}
		if t := b.BuyerTaxInfo; t != nil {
			out.Buyer.Company = t.CompanyLegalName
			for _, c := range t.TaxClassifications {
				if c.Name == "VATNumber" {
					out.Buyer.VATNumber = c.Value
				}
			}
		}
	}
	if out.Buyer.Key == "" {
		out.Buyer.Key = "amazon:" + o.AmazonOrderId
	}
	if o.OrderTotal != nil {
		out.Currency = o.OrderTotal.CurrencyCode
	}
	for _, it := range items {
		price, cur, err := money(it.ItemPrice)
		if err != nil {
			return out, fmt.Errorf("order %s item %s: %w", o.AmazonOrderId, it.OrderItemId, err)
		}
		if out.Currency == "" {
			out.Currency = cur
		}
		if it.QuantityOrdered > 0 {
			out.Lines = append(out.Lines, posting.OrderLine{Kind: posting.LineGoods, SKU: it.SellerSKU, Name: it.Title,
				Qty: decimal.NewFromInt(int64(it.QuantityOrdered)), UnitGross: price.Div(decimal.NewFromInt(int64(it.QuantityOrdered))).Round(2), Gross: price})
		}
		if ship, _, err := money(it.ShippingPrice); err != nil {
			return out, fmt.Errorf("order %s item %s: ShippingPrice: %w", o.AmazonOrderId, it.OrderItemId, err)
		} else if !ship.IsZero() {
			out.Lines = append(out.Lines, posting.OrderLine{Kind: posting.LineShipping, Name: "Shipping", Qty: decimal.NewFromInt(1), UnitGross: ship})
		}
		// Charged services: gift wrapping and a cash-on-delivery fee.
		var wrap *Money
		if it.BuyerInfo != nil {
			wrap = it.BuyerInfo.GiftWrapPrice
		}
		for _, svc := range []struct {
			name string
			m    *Money
		}{{"Gift wrap", wrap}, {"Cash on delivery fee", it.CODFee}} {
			fee, _, err := money(svc.m)
			if err != nil {
				return out, fmt.Errorf("order %s item %s: %s: %w", o.AmazonOrderId, it.OrderItemId, svc.name, err)
			}
			if !fee.IsZero() {
				out.Lines = append(out.Lines, posting.OrderLine{Kind: posting.LineService, Name: svc.name, Qty: decimal.NewFromInt(1), UnitGross: fee})
			}
		}
		// Discounts, which the model gives as negative or positive amounts: always taken off. A
		// promotion is on the item (its SKU, so its rate); shipping and COD-fee discounts are on
		// those charges, so they follow them.
		for _, disc := range []struct {
			name, sku string
			m         *Money
		}{{"Promotion", it.SellerSKU, it.PromotionDiscount}, {"Shipping discount", "", it.ShippingDiscount}, {"COD fee discount", "", it.CODFeeDiscount}} {
			d, _, err := money(disc.m)
			if err != nil {
				return out, fmt.Errorf("order %s item %s: %s: %w", o.AmazonOrderId, it.OrderItemId, disc.name, err)
			}
			if !d.IsZero() {
				out.Lines = append(out.Lines, posting.OrderLine{Kind: posting.LinePromotion, SKU: disc.sku, Name: disc.name, Qty: decimal.NewFromInt(-1), UnitGross: d.Abs()})
			}
		}
	}
	if out.Currency == "" {
		out.Currency = "EUR"
	}
	return out, nil
}

// Read is Map for a pull: an order that decoded but cannot be booked as sent comes back
// Unreadable, with the reason, to wait in Errors while the account's other orders go on.
func Read(o Order, items []OrderItem) posting.Order { return market.Readable(Map(o, items)) }

// pull fetches orders updated since the cursor (an RFC 3339 time; empty: 30 days back)
// and returns them with the new cursor. It re-reads a few minutes before the cursor, since
// updates can land out of order; saving skips what did not change.
func pull(ctx context.Context, cfg AccountConfig, cursor string, _ func(AccountConfig) error) ([]posting.Order, string, error) {
	since := time.Now().AddDate(0, 0, -30)
	if t, err := time.Parse(time.RFC3339, cursor); err == nil {
		since = t.Add(-5 * time.Minute)
	}
	c := New(cfg.Config, nil)
	orders, err := c.Orders(ctx, since)
	if err != nil {
		return nil, cursor, err
	}
	var out []posting.Order
	next := cursor
	for _, o := range orders {
		items, err := c.OrderItems(ctx, o.AmazonOrderId)
		if err != nil {
			return nil, cursor, err // nothing saved: the same pull is retried whole
		}
		out = append(out, Read(o, items))
		if o.LastUpdateDate > next {
			next = o.LastUpdateDate
		}
	}
	return out, next, nil
}
