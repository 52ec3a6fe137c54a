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

// Map turns an SP-API order and its items into a normalised order. On tax-inclusive
// marketplaces (the EU's, the UK, Japan, ...) ItemPrice includes VAT and is taken as the gross;
// ItemTax is only the VAT inside it. On tax-exclusive ones (the US, Canada) the prices are
// before tax, and a tax Amazon withheld as marketplace facilitator (TaxCollection) is Amazon's,
// not the seller's: it is left out of the books. Every amount must be in the order's currency,
// and what is booked must come to OrderTotal (less the withheld tax): otherwise the order is
// refused, naming both figures.
func Map(o Order, items []OrderItem) (posting.Order, error) {
	mp, known := MarketplaceByID(o.MarketplaceId)
	out := posting.Order{Market: "amazon", ID: o.AmazonOrderId, Status: o.OrderStatus, Marketplace: mp.Country,
		FBA: o.FulfillmentChannel == "AFN", B2B: o.IsBusinessOrder}
	if !known {
		return out, fmt.Errorf("order %s: marketplace id %q is not one of Amazon's published marketplaces: it cannot be told where it was sold", o.AmazonOrderId, o.MarketplaceId)
	}
	var err error
	if out.PurchasedAt, err = time.Parse(time.RFC3339, o.PurchaseDate); err != nil {
		return out, fmt.Errorf("order %s: PurchaseDate %q: %w", o.AmazonOrderId, o.PurchaseDate, err)
	}
	if a := o.ShippingAddress; a != nil {
		out.ShipTo = strings.ToUpper(a.CountryCode)
		street := strings.TrimSpace(a.AddressLine1 + " " + a.AddressLine2)
		out.Details = &posting.OrderDetails{ShipAddress: &posting.OrderAddress{Name: a.Name, Company: a.CompanyName, Street: street,
			City: a.City, PostCode: a.PostalCode, Country: strings.ToUpper(a.CountryCode)}}
	}
	if o.PaymentMethod != "" || o.ShipmentServiceLevelCategory != "" {
		if out.Details == nil {
			out.Details = &posting.OrderDetails{}
		}
		out.Details.PaymentMethod, out.Details.DeliveryMethod = o.PaymentMethod, o.ShipmentServiceLevelCategory
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
		if out.Currency == "" && it.ItemPrice != nil {
			out.Currency = it.ItemPrice.CurrencyCode
		}
	}
	if out.Currency == "" {
		out.Currency = "EUR"
	}
	// amount reads one of the order's amounts, refusing one in another currency.
	amount := func(it OrderItem, what string, m *Money) (decimal.Decimal, error) {
		d, cur, err := money(m)
		if err != nil {
			return d, fmt.Errorf("order %s item %s: %s: %w", o.AmazonOrderId, it.OrderItemId, what, err)
		}
		if m != nil && !d.IsZero() && cur != out.Currency {
			return d, fmt.Errorf("order %s item %s: %s is %s %s, in another currency than the order's %s: it is not added up", o.AmazonOrderId, it.OrderItemId, what, m.Amount, cur, out.Currency)
		}
		return d, nil
	}
	booked, withheld := decimal.Zero, decimal.Zero
	for _, it := range items {
		if it.DeemedResellerCategory != "" {
			return out, fmt.Errorf("order %s item %s: Amazon is the deemed supplier for VAT (DeemedResellerCategory %s), which applies to sellers established outside the EU: the sale cannot be booked as the seller's own; check the account's seller registration", o.AmazonOrderId, it.OrderItemId, it.DeemedResellerCategory)
		}
		price, err := amount(it, "ItemPrice", it.ItemPrice)
		if err != nil {
			return out, err
		}
		if it.QuantityOrdered > 0 {
			out.Lines = append(out.Lines, posting.OrderLine{Kind: posting.LineGoods, SKU: it.SellerSKU, Name: it.Title,
				Qty: decimal.NewFromInt(int64(it.QuantityOrdered)), UnitGross: price.Div(decimal.NewFromInt(int64(it.QuantityOrdered))).Round(2), Gross: price})
			booked = booked.Add(price)
		}
		ship, err := amount(it, "ShippingPrice", it.ShippingPrice)
		if err != nil {
			return out, err
		}
		if !ship.IsZero() {
			out.Lines = append(out.Lines, posting.OrderLine{Kind: posting.LineShipping, Name: "Shipping", Qty: decimal.NewFromInt(1), UnitGross: ship})
			booked = booked.Add(ship)
		}
		// Charged services: gift wrapping and a cash-on-delivery fee.
		var wrap, wrapTax *Money
		if it.BuyerInfo != nil {
			wrap, wrapTax = it.BuyerInfo.GiftWrapPrice, it.BuyerInfo.GiftWrapTax
		}
		for _, svc := range []struct {
			name string
			m    *Money
		}{{"Gift wrap", wrap}, {"Cash on delivery fee", it.CODFee}} {
			fee, err := amount(it, svc.name, svc.m)
			if err != nil {
				return out, err
			}
			if !fee.IsZero() {
				out.Lines = append(out.Lines, posting.OrderLine{Kind: posting.LineService, Name: svc.name, Qty: decimal.NewFromInt(1), UnitGross: fee})
				booked = booked.Add(fee)
			}
		}
		// Discounts, which the model gives as negative or positive amounts: always taken off. A
		// promotion is on the item (its SKU, so its rate); shipping and COD-fee discounts are on
		// those charges, so they follow them.
		for _, disc := range []struct {
			name, sku string
			m         *Money
		}{{"Promotion", it.SellerSKU, it.PromotionDiscount}, {"Shipping discount", "", it.ShippingDiscount}, {"COD fee discount", "", it.CODFeeDiscount}} {
			d, err := amount(it, disc.name, disc.m)
			if err != nil {
				return out, err
			}
			if !d.IsZero() {
				out.Lines = append(out.Lines, posting.OrderLine{Kind: posting.LinePromotion, SKU: disc.sku, Name: disc.name, Qty: decimal.NewFromInt(-1), UnitGross: d.Abs()})
				booked = booked.Sub(d.Abs())
			}
		}
		// Tax on top of the prices (tax-exclusive marketplaces): Amazon's when it withheld it.
		tax := decimal.Zero
		for _, t := range []struct {
			name string
			m    *Money
			sign int64
		}{{"ItemTax", it.ItemTax, 1}, {"ShippingTax", it.ShippingTax, 1}, {"GiftWrapTax", wrapTax, 1},
			{"PromotionDiscountTax", it.PromotionDiscountTax, -1}, {"ShippingDiscountTax", it.ShippingDiscountTax, -1}} {
			d, err := amount(it, t.name, t.m)
			if err != nil {
				return out, err
			}
			tax = tax.Add(d.Abs().Mul(decimal.NewFromInt(t.sign)))
		}
		if mp.TaxExclusive && !tax.IsZero() {
			if it.TaxCollection == nil || it.TaxCollection.Model != "MarketplaceFacilitator" {
				return out, fmt.Errorf("order %s item %s: %s %s of sales tax charged by the seller on %s, where prices are before tax: the books keep no %s tax registration; book it by hand", o.AmazonOrderId, it.OrderItemId, out.Currency, tax.StringFixed(2), mp.Name, mp.Country)
			}
			withheld = withheld.Add(tax)
		}
	}
	priced := false
	for _, it := range items {
		priced = priced || it.ItemPrice != nil
	}
	// A pending order's items come without prices: there is nothing to reconcile yet.
	if o.OrderTotal != nil && priced {
		total, err := market.Amount(o.OrderTotal.Amount)
		if err != nil {
			return out, fmt.Errorf("order %s: OrderTotal: %w", o.AmazonOrderId, err)
		}
		if want := total.Sub(withheld); !want.Equal(booked) {
			why := ""
			if !withheld.IsZero() {
				why = fmt.Sprintf(" less %s withheld by Amazon as marketplace facilitator", withheld.StringFixed(2))
			}
			return out, fmt.Errorf("order %s: its lines come to %s %s but OrderTotal is %s%s: the order is not booked until they agree", o.AmazonOrderId, out.Currency, booked.StringFixed(2), total.StringFixed(2), why)
		}
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
