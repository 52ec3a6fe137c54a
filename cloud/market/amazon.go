// Package market pulls marketplace orders into the books: a scheduler pulls each account
// incrementally, saves what changed, and books orders exactly once.
package market

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/cloud/market/amazon"
	"tiltas/cloud/posting"
)

// AmazonConfig is an Amazon account's stored config.
type AmazonConfig struct {
	amazon.Config
	PostStatuses  []string `json:"post_statuses"` // default Shipped
	CreateMissing bool     `json:"create_missing_cards"`
}

func money(m *amazon.Money) (decimal.Decimal, string, error) {
	if m == nil || m.Amount == "" {
		return decimal.Zero, "", nil
	}
	d, err := decimal.NewFromString(m.Amount)
	if err != nil {
		return d, "", fmt.Errorf("amount %q is not a number", m.Amount)
	}
	return d, m.CurrencyCode, nil
}

// MapAmazon turns an SP-API order and its items into a normalised order. On EU marketplaces
// ItemPrice includes VAT (ItemTax is often 0), so it is taken as the gross.
func MapAmazon(o amazon.Order, items []amazon.OrderItem) (posting.Order, error) {
	out := posting.Order{Market: "amazon", ID: o.AmazonOrderId, Status: o.OrderStatus, Marketplace: amazon.Marketplaces[o.MarketplaceId],
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
		var wrap *amazon.Money
		if it.BuyerInfo != nil {
			wrap = it.BuyerInfo.GiftWrapPrice
		}
		for _, svc := range []struct {
			name string
			m    *amazon.Money
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
			m         *amazon.Money
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

// ReadAmazon is MapAmazon for a pull: an order that decoded but cannot be booked as sent comes
// back Unreadable, with the reason, to wait in Errors while the account's other orders go on.
func ReadAmazon(o amazon.Order, items []amazon.OrderItem) posting.Order {
	m, err := MapAmazon(o, items)
	if err != nil {
		return posting.Order{Market: "amazon", ID: o.AmazonOrderId, Status: o.OrderStatus, Unreadable: err.Error()}
	}
	return m
}

// pullAmazon fetches orders updated since the cursor (an RFC 3339 time; empty: 30 days back)
// and returns them with the new cursor. It re-reads a few minutes before the cursor, since
// updates can land out of order; saving skips what did not change.
func pullAmazon(ctx context.Context, raw json.RawMessage, cursor string, _ func(json.RawMessage) error) ([]posting.Order, string, error) {
	var cfg AmazonConfig
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, cursor, fmt.Errorf("account config: %w", err)
	}
	since := time.Now().AddDate(0, 0, -30)
	if t, err := time.Parse(time.RFC3339, cursor); err == nil {
		since = t.Add(-5 * time.Minute)
	}
	c := amazon.New(cfg.Config, nil)
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
		out = append(out, ReadAmazon(o, items))
		if o.LastUpdateDate > next {
			next = o.LastUpdateDate
		}
	}
	return out, next, nil
}

func init() {
	Register(Kind{Name: "amazon", Pull: pullAmazon, Check: checkAmazon, Rules: amazonRules, Cooldown: 2 * time.Minute,
		FormConfig: amazonForm, ChangeFields: []string{"endpoint", "client_id", "client_secret", "refresh_token"}})
}

// amazonStatuses are the OrderStatus values of the Orders v0 model.
var amazonStatuses = []string{"PendingAvailability", "Pending", "Unshipped", "PartiallyShipped", "Shipped", "InvoiceUnconfirmed", "Canceled", "Unfulfillable"}

func checkAmazon(raw json.RawMessage, p *Problems) {
	var c AmazonConfig
	if !p.Decode(raw, &c) {
		return
	}
	p.URL("endpoint", c.Endpoint, true, "e.g. "+amazon.Endpoints["eu"])
	p.URL("token_url", c.TokenURL, false, "leave it out for "+amazon.TokenURL)
	p.Require("client_id", c.ClientID)
	p.Require("client_secret", c.ClientSecret)
	p.Require("refresh_token", c.RefreshToken)
	if len(c.MarketplaceIDs) == 0 {
		p.Addf("marketplace_ids is required: the EU marketplaces to pull, e.g. A1PA6795UKMFR9 (DE)")
	}
	for _, id := range c.MarketplaceIDs {
		if _, ok := amazon.Marketplaces[id]; !ok {
			p.Addf("marketplace id %q is not an EU marketplace this knows (%s)", id, knownMarketplaces())
		}
	}
	for _, st := range c.PostStatuses {
		if !slices.Contains(amazonStatuses, st) {
			p.Addf("post status %q is not an Amazon order status (%s)", st, strings.Join(amazonStatuses, ", "))
		}
	}
}

func knownMarketplaces() string {
	var out []string
	for id, country := range amazon.Marketplaces {
		out = append(out, id+" "+country)
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

// amazonForm is the config from the Settings form: marketplace is a checkbox per
// marketplace id, post_statuses a list separated by commas or spaces.
func amazonForm(form url.Values) (json.RawMessage, error) {
	field := func(name string) string { return strings.TrimSpace(form.Get(name)) }
	return json.Marshal(AmazonConfig{Config: amazon.Config{Endpoint: field("endpoint"), ClientID: field("client_id"),
		ClientSecret: field("client_secret"), RefreshToken: field("refresh_token"), MarketplaceIDs: form["marketplace"]},
		PostStatuses: strings.FieldsFunc(form.Get("post_statuses"), func(c rune) bool { return c == ',' || c == ' ' }), CreateMissing: form.Get("create_missing_cards") != ""})
}

func amazonRules(raw json.RawMessage) MarketRules {
	var cfg AmazonConfig
	_ = json.Unmarshal(raw, &cfg)
	r := MarketRules{PostStatuses: map[string]bool{}, CancelStatuses: map[string]bool{"Canceled": true}, CreateMissing: cfg.CreateMissing}
	if len(cfg.PostStatuses) == 0 {
		cfg.PostStatuses = []string{"Shipped"}
	}
	for _, st := range cfg.PostStatuses {
		r.PostStatuses[st] = true
	}
	return r
}
