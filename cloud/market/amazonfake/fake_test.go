package amazonfake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"tiltas/cloud/market/amazon"
	"tiltas/internal/swagger"
)

// What the fake answers is what the published Orders v0 model defines: every getOrders and
// getOrderItems answer, an error list, and a 429 that carries x-amzn-RequestId and no
// Retry-After, validated against ordersV0.json (../shared/specs/amazon/ordersV0.json).
func TestFakeAnswersAsTheModel(t *testing.T) {
	path, err := swagger.Find("amazon/ordersV0.json")
	if err != nil {
		t.Fatalf("the Orders v0 model is absent (%v): the fake cannot be checked against it", err)
	}
	spec, err := swagger.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{ClientID: "c", ClientSecret: "s", RefreshToken: "r", Plans: map[string]Plan{"getOrders": {100, 100}, "getOrderItems": {100, 100}}}
	base := s.Start()
	defer s.Close()
	now := time.Now().UTC().Format(time.RFC3339)
	eur := func(a string) *amazon.Money { return &amazon.Money{CurrencyCode: "EUR", Amount: a} }
	s.Put(amazon.Order{AmazonOrderId: "302-1", PurchaseDate: now, LastUpdateDate: now, OrderStatus: "Shipped", FulfillmentChannel: "MFN",
		MarketplaceId: "A1PA6795UKMFR9", OrderTotal: eur("25.98"), IsBusinessOrder: true, ShippingAddress: &amazon.Address{City: "Berlin", CountryCode: "DE"},
		BuyerInfo: &amazon.BuyerInfo{BuyerEmail: "b@example.com", BuyerTaxInfo: &amazon.BuyerTaxInfo{CompanyLegalName: "GmbH", TaxClassifications: []amazon.TaxClassification{{Name: "VATNumber", Value: "DE123"}}}}},
		[]amazon.OrderItem{{ASIN: "B0X", SellerSKU: "X", OrderItemId: "1", Title: "X", QuantityOrdered: 2, ItemPrice: eur("20.00"), ShippingPrice: eur("3.99"),
			PromotionDiscount: eur("-1.00"), IsGift: "true", BuyerInfo: &amazon.ItemBuyerInfo{GiftWrapPrice: eur("2.99"), GiftWrapLevel: "Classic"}}})
	lwa := token(t, base)
	tok := lwa
	get := func(path string, q url.Values) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", base+path+"?"+q.Encode(), nil)
		req.Header.Set("x-amz-access-token", tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	for _, tc := range []struct {
		name, op, path, status string
		q                      url.Values
	}{
		{"getOrders", "/orders/v0/orders", "/orders/v0/orders", "200", url.Values{"LastUpdatedAfter": {"2020-01-01T00:00:00Z"}, "MarketplaceIds": {"A1PA6795UKMFR9"}}},
		{"getOrders without marketplaces", "/orders/v0/orders", "/orders/v0/orders", "400", url.Values{"LastUpdatedAfter": {"2020-01-01T00:00:00Z"}}},
		{"getOrderItems", "/orders/v0/orders/{orderId}/orderItems", "/orders/v0/orders/302-1/orderItems", "200", nil},
		{"getOrderItems of an unknown order", "/orders/v0/orders/{orderId}/orderItems", "/orders/v0/orders/302-9/orderItems", "404", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(tc.path, tc.q)
			if got := resp.StatusCode; strconv.Itoa(got) != tc.status {
				t.Fatalf("HTTP %d: %s", got, body)
			}
			schema, err := spec.Response("get", tc.op, tc.status)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range spec.Validate(body, schema) {
				t.Errorf("%s: %s", tc.name, v)
			}
			if resp.Header.Get("x-amzn-RequestId") == "" {
				t.Error("no x-amzn-RequestId")
			}
		})
	}
	// Without a Restricted Data Token the personal data stay out, as SP-API leaves them out:
	// no BuyerInfo on the order or its items (gift wrap), and of the address only city and country.
	_, body := get("/orders/v0/orders", url.Values{"LastUpdatedAfter": {"2020-01-01T00:00:00Z"}, "MarketplaceIds": {"A1PA6795UKMFR9"}})
	if strings.Contains(string(body), "BuyerInfo") || strings.Contains(string(body), "b@example.com") || !strings.Contains(string(body), `"City":"Berlin"`) {
		t.Fatalf("getOrders without an RDT: %s", body)
	}
	if _, body = get("/orders/v0/orders/302-1/orderItems", nil); strings.Contains(string(body), "GiftWrapPrice") {
		t.Fatalf("getOrderItems without an RDT: %s", body)
	}
	// With one (createRestrictedDataToken, answered as tokens_2021-03-01.json defines it) they come.
	tokensPath, err := swagger.Find("amazon/tokens_2021-03-01.json")
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := swagger.Load(tokensPath)
	if err != nil {
		t.Fatal(err)
	}
	reqBody, _ := json.Marshal(amazon.CreateRestrictedDataTokenRequest{RestrictedResources: amazon.Restricted})
	req, _ := http.NewRequest("POST", base+"/tokens/2021-03-01/restrictedDataToken", strings.NewReader(string(reqBody)))
	req.Header.Set("x-amz-access-token", lwa)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	rb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	rdtSchema, err := tokens.Response("post", "/tokens/2021-03-01/restrictedDataToken", "200")
	if err != nil || resp.StatusCode != 200 || len(tokens.Validate(rb, rdtSchema)) != 0 {
		t.Fatalf("createRestrictedDataToken: %d %s %v %v", resp.StatusCode, rb, err, tokens.Validate(rb, rdtSchema))
	}
	var rdt amazon.CreateRestrictedDataTokenResponse
	if err := json.Unmarshal(rb, &rdt); err != nil || rdt.ExpiresIn <= 0 {
		t.Fatalf("%s: %v", rb, err)
	}
	tok = rdt.RestrictedDataToken
	if _, body = get("/orders/v0/orders", url.Values{"LastUpdatedAfter": {"2020-01-01T00:00:00Z"}, "MarketplaceIds": {"A1PA6795UKMFR9"}}); !strings.Contains(string(body), "b@example.com") {
		t.Fatalf("getOrders with an RDT: %s", body)
	}
	// The check can fail: an item with a boolean IsGift, as the client once read it, breaks the model.
	schema, _ := spec.Response("get", "/orders/v0/orders/{orderId}/orderItems", "200")
	bad := `{"payload":{"AmazonOrderId":"302-1","OrderItems":[{"ASIN":"B0X","OrderItemId":"1","QuantityOrdered":1,"IsGift":true}]}}`
	if v := spec.Validate([]byte(bad), schema); len(v) != 1 || !strings.Contains(v[0], "$.payload.OrderItems[0].IsGift") {
		t.Fatalf("a boolean IsGift is not reported: %v", v)
	}
	// The items' gift flag is the model's string, and the client reads what the fake wrote.
	_, body = get("/orders/v0/orders/302-1/orderItems", nil)
	if !strings.Contains(string(body), `"IsGift":"true"`) {
		t.Fatalf("IsGift is not the model's string: %s", body)
	}
	var items amazon.GetOrderItemsResponse
	if err := json.Unmarshal(body, &items); err != nil || len(items.Payload.OrderItems) != 1 || items.Payload.OrderItems[0].BuyerInfo.GiftWrapPrice.Amount != "2.99" {
		t.Fatalf("the client cannot read the fake: %v %s", err, body)
	}
	// Throttled: 429 with the model's error list, x-amzn-RequestId, and no Retry-After.
	s.Throttle = 1
	resp, body = get("/orders/v0/orders/302-1/orderItems", nil)
	schema, _ = spec.Response("get", "/orders/v0/orders/{orderId}/orderItems", "429")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "" || resp.Header.Get("x-amzn-RequestId") == "" || len(spec.Validate(body, schema)) != 0 {
		t.Fatalf("a 429: HTTP %d, Retry-After %q, request id %q, %s %v", resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("x-amzn-RequestId"), body, spec.Validate(body, schema))
	}
}

func token(t *testing.T, base string) string {
	resp, err := http.PostForm(base+"/auth/o2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"r"}, "client_id": {"c"}, "client_secret": {"s"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr amazon.TokenResponse
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil || tr.AccessToken == "" {
		t.Fatalf("token: %v", err)
	}
	return tr.AccessToken
}
