package amazon_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"tiltas/cloud/market/amazon"
	"tiltas/cloud/market/amazonfake"
)

// The client reads orders with one Restricted Data Token, cached for its lifetime, so the
// buyer, the address and gift wrapping come; when tokens expire it gets new ones and goes on.
func TestRestrictedDataToken(t *testing.T) {
	fake := &amazonfake.Server{ClientID: "c", ClientSecret: "s", RefreshToken: "r",
		Plans: map[string]amazonfake.Plan{"getOrders": {Rate: 100, Burst: 100}, "getOrderItems": {Rate: 100, Burst: 100}, "createRestrictedDataToken": {Rate: 100, Burst: 100}}}
	base := fake.Start()
	defer fake.Close()
	now := time.Now().UTC().Format(time.RFC3339)
	for i := range 30 {
		id := "302-" + string(rune('A'+i))
		fake.Put(amazon.Order{AmazonOrderId: id, PurchaseDate: now, LastUpdateDate: now, OrderStatus: "Shipped", MarketplaceId: "A1PA6795UKMFR9",
			OrderTotal: &amazon.Money{CurrencyCode: "EUR", Amount: "12.99"}, ShippingAddress: &amazon.Address{Name: "Max", City: "Berlin", CountryCode: "DE"},
			BuyerInfo: &amazon.BuyerInfo{BuyerEmail: id + "@marketplace.amazon.de"}},
			[]amazon.OrderItem{{ASIN: "B0X", SellerSKU: "X", OrderItemId: id, QuantityOrdered: 1, ItemPrice: &amazon.Money{CurrencyCode: "EUR", Amount: "10.00"},
				BuyerInfo: &amazon.ItemBuyerInfo{GiftWrapPrice: &amazon.Money{CurrencyCode: "EUR", Amount: "2.99"}, GiftWrapLevel: "Classic"}}})
	}
	c := amazon.New(amazon.Config{Endpoint: base, TokenURL: base + "/auth/o2/token", ClientID: "c", ClientSecret: "s", RefreshToken: "r", MarketplaceIDs: []string{"A1PA6795UKMFR9"}}, nil)
	ctx := context.Background()
	pull := func() {
		t.Helper()
		orders, err := c.Orders(ctx, time.Now().Add(-time.Hour))
		if err != nil || len(orders) != 30 {
			t.Fatalf("orders: %d %v", len(orders), err)
		}
		for _, o := range orders {
			if o.BuyerInfo == nil || !strings.HasSuffix(o.BuyerInfo.BuyerEmail, "@marketplace.amazon.de") || o.ShippingAddress.Name != "Max" {
				t.Fatalf("order %s without its buyer or address: %+v", o.AmazonOrderId, o)
			}
			items, err := c.OrderItems(ctx, o.AmazonOrderId)
			if err != nil || len(items) != 1 || items[0].BuyerInfo == nil || items[0].BuyerInfo.GiftWrapPrice.Amount != "2.99" {
				t.Fatalf("items of %s: %+v %v", o.AmazonOrderId, items, err)
			}
		}
	}
	pull()
	if n := c.Calls["createRestrictedDataToken"]; n != 1 {
		t.Fatalf("%d Restricted Data Tokens for one pull of 30 orders, want 1", n)
	}
	fake.ExpireTokens() // both the RDT and the LWA access token
	pull()
	if n := c.Calls["createRestrictedDataToken"]; n != 3 {
		t.Fatalf("%d createRestrictedDataToken calls after the tokens expired, want 3 (refused once for the expired LWA token)", n)
	}
}
