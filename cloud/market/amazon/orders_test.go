package amazon

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func fixture[T any](t *testing.T, name string) T {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../../../testdata/market/amazon", name))
	if err != nil {
		t.Fatal(err)
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// The published sandbox order 902-1845936-5435065 (getOrders-200-static-0) with its items
// (getOrderItems-200-static-0): amazon.com, USD 10.00 before a 1.01 tax, OrderTotal 11.01, and
// DeemedResellerCategory IOSS. As published it is refused (Amazon as deemed supplier applies to
// sellers outside the EU); with the tax withheld by Amazon as marketplace facilitator instead it
// books 10.00, and the withheld 1.01 makes up OrderTotal to the cent.
func TestPublishedExampleOrder(t *testing.T) {
	orders := fixture[GetOrdersResponse](t, "getOrders-200-static-0.json")
	items := fixture[GetOrderItemsResponse](t, "getOrderItems-200-static-0.json")
	o := orders.Payload.Orders[0]
	if o.AmazonOrderId != items.Payload.AmazonOrderId {
		t.Fatalf("the examples are of orders %s and %s", o.AmazonOrderId, items.Payload.AmazonOrderId)
	}
	o.PurchaseDate = strings.Replace(o.PurchaseDate, ".000Z", "Z", 1)
	if _, err := Map(o, items.Payload.OrderItems); err == nil || !strings.Contains(err.Error(), "deemed supplier for VAT (DeemedResellerCategory IOSS)") {
		t.Fatalf("as published: %v", err)
	}
	its := append([]OrderItem(nil), items.Payload.OrderItems...)
	its[0].DeemedResellerCategory, its[0].TaxCollection = "", &TaxCollection{Model: "MarketplaceFacilitator", ResponsibleParty: "Amazon Services, Inc."}
	got, err := Map(o, its)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Lines) != 1 || !got.Lines[0].Gross.Equal(decimal.RequireFromString("10.00")) || got.Currency != "USD" || got.Marketplace != "US" || got.ShipTo != "US" {
		t.Fatalf("booked %+v", got)
	}
}

// Map refuses what it cannot book as the seller's own, naming the figures.
func TestMapRefusals(t *testing.T) {
	eur := func(a string) *Money { return &Money{CurrencyCode: "EUR", Amount: a} }
	base := func() (Order, []OrderItem) {
		return Order{AmazonOrderId: "302-1", PurchaseDate: "2026-11-02T10:00:00Z", LastUpdateDate: "2026-11-02T10:00:00Z", OrderStatus: "Shipped",
				MarketplaceId: "A1PA6795UKMFR9", OrderTotal: eur("23.99"), ShippingAddress: &Address{CountryCode: "DE"}},
			[]OrderItem{{ASIN: "B0X", SellerSKU: "X", OrderItemId: "1", QuantityOrdered: 2, ItemPrice: eur("20.00"), ShippingPrice: eur("3.99"), ItemTax: eur("3.19")}}
	}
	o, its := base()
	o.PaymentMethod, o.ShipmentServiceLevelCategory = "Other", "Standard"
	o.ShippingAddress = &Address{Name: "Max Mustermann", AddressLine1: "Hauptstr. 1", City: "Berlin", PostalCode: "10115", CountryCode: "DE"}
	got, err := Map(o, its)
	if err != nil {
		t.Fatalf("a consistent order is refused: %v", err)
	}
	if d := got.Details; d == nil || d.PaymentMethod != "Other" || d.DeliveryMethod != "Standard" || d.ShipAddress.Street != "Hauptstr. 1" || d.ShipAddress.PostCode != "10115" {
		t.Fatalf("details %+v", got.Details)
	}
	for _, tc := range []struct {
		name string
		mod  func(*Order, []OrderItem)
		want string
	}{
		{"total off", func(o *Order, _ []OrderItem) { o.OrderTotal = eur("24.99") }, "its lines come to EUR 23.99 but OrderTotal is 24.99"},
		{"another currency", func(_ *Order, its []OrderItem) { its[0].ShippingPrice = &Money{CurrencyCode: "GBP", Amount: "3.99"} },
			"ShippingPrice is 3.99 GBP, in another currency than the order's EUR"},
		{"unknown marketplace", func(o *Order, _ []OrderItem) { o.MarketplaceId = "A38D8NSA03LJTC" }, `marketplace id "A38D8NSA03LJTC" is not one of Amazon's published marketplaces`},
		{"deemed supplier", func(_ *Order, its []OrderItem) { its[0].DeemedResellerCategory = "UOSS" }, "deemed supplier for VAT (DeemedResellerCategory UOSS)"},
		{"US sales tax the seller charged", func(o *Order, its []OrderItem) {
			o.MarketplaceId, o.OrderTotal = "ATVPDKIKX0DER", &Money{CurrencyCode: "USD", Amount: "25.59"}
			for _, m := range []*Money{its[0].ItemPrice, its[0].ShippingPrice, its[0].ItemTax} {
				m.CurrencyCode = "USD"
			}
			its[0].ItemTax.Amount = "1.60"
		}, "USD 1.60 of sales tax charged by the seller on United States"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, its := base()
			tc.mod(&o, its)
			if _, err := Map(o, its); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want %q, got %v", tc.want, err)
			}
		})
	}
}

// A pending order's items come without prices: it is not refused for its OrderTotal, and a
// zero amount in another currency is no other currency.
func TestMapPendingOrder(t *testing.T) {
	o := Order{AmazonOrderId: "302-2", PurchaseDate: "2026-11-02T10:00:00Z", LastUpdateDate: "2026-11-02T10:00:00Z", OrderStatus: "Pending",
		MarketplaceId: "A1PA6795UKMFR9", OrderTotal: &Money{CurrencyCode: "EUR", Amount: "23.99"}}
	items := []OrderItem{{ASIN: "B0X", SellerSKU: "X", OrderItemId: "1", QuantityOrdered: 2, PromotionDiscount: &Money{CurrencyCode: "", Amount: "0.00"}}}
	if _, err := Map(o, items); err != nil {
		t.Fatalf("a pending order is refused: %v", err)
	}
}
