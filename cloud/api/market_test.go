package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/cloud/books"
	"tiltas/cloud/db"
	"tiltas/cloud/posting"
)

// TestMarketAPI covers every marketplace and rates endpoint, and that tenant B reaches none of
// tenant A's accounts and orders.
func TestMarketAPI(t *testing.T) {
	ctx := context.Background()
	st, srv := newServer(t)
	tokA := seed(t, st, "A", "A1", 0)
	tokB := seed(t, st, "B", "B1", 0)
	a, _ := st.TenantByName(ctx, "A")

	const good = `{"kind":"amazon","name":"Amazon EU","pull_every_minutes":5,"config":{"endpoint":"https://sellingpartnerapi-eu.amazon.com","client_id":"c","client_secret":"TOP-SECRET","refresh_token":"Atzr|r","marketplace_ids":["A1PA6795UKMFR9"]}}`
	code, body := do(t, srv, tokA, "POST", "/api/v1/market/accounts", good)
	if code != 201 {
		t.Fatalf("add an account: %d %v", code, body)
	}
	acct := int(body["id"].(float64))
	// An order in Errors: its SKU has no card.
	ma := db.MarketAccount{ID: int64(acct), TenantID: a.ID, Kind: "amazon", Name: "Amazon EU"}
	o := posting.Order{Market: "amazon", ID: "302-1", Status: "Shipped", PurchasedAt: time.Now(), Currency: "EUR", ShipTo: "LT", Buyer: posting.OrderBuyer{Key: "x@example.com"},
		Lines: []posting.OrderLine{{Kind: posting.LineGoods, SKU: "SKU-Y", Name: "Y", Qty: decimal.NewFromInt(1), UnitGross: decimal.RequireFromString("12.10")}}}
	if _, err := st.SaveOrders(ctx, ma, []posting.Order{o}); err != nil {
		t.Fatal(err)
	}
	if _, err := books.New(st).PostOrders(ctx, ma, posting.OrderRules{PostStatuses: map[string]bool{"Shipped": true}}); err != nil {
		t.Fatal(err)
	}
	_, errs := do(t, srv, tokA, "GET", "/api/v1/market/orders?state=errors", "")
	orders, _ := errs["orders"].([]any)
	if len(orders) != 1 {
		t.Fatalf("orders in Errors: %v", errs)
	}
	order := int(orders[0].(map[string]any)["id"].(float64))

	runCases(t, srv, []apiCase{
		{"a bad config names every problem", tokA, "POST", "/api/v1/market/accounts",
			`{"kind":"amazon","name":"Bad","config":{"endpoint":"http://example.com","client_id":"c","marketplace_ids":["XX"]}}`, 422, func(m map[string]any) bool {
				e := m["error"].(string)
				return strings.Contains(e, "must use https") && strings.Contains(e, "client_secret is required") && strings.Contains(e, `marketplace id "XX"`)
			}},
		{"no config", tokA, "POST", "/api/v1/market/accounts", `{"kind":"allegro","name":"X"}`, 400, nil},
		{"unknown kind", tokA, "POST", "/api/v1/market/accounts", `{"kind":"ebay","name":"X","config":{}}`, 422, nil},
		{"the same name twice", tokA, "POST", "/api/v1/market/accounts", good, 422, func(m map[string]any) bool { return strings.Contains(m["error"].(string), "exists already") }},
		{"accounts, credentials never shown", tokA, "GET", "/api/v1/market/accounts", "", 200, func(m map[string]any) bool {
			as := m["accounts"].([]any)
			return len(as) == 1 && !strings.Contains(fmt.Sprint(m), "TOP-SECRET") && as[0].(map[string]any)["pull_every_seconds"].(float64) == 300
		}},
		{"rotate the client secret alone", tokA, "PUT", fmt.Sprintf("/api/v1/market/accounts/%d", acct), `{"config":{"client_secret":"ROTATED-SECRET","refresh_token":""}}`, 200,
			func(m map[string]any) bool {
				got, _ := st.MarketAccount(ctx, a.ID, int64(acct))
				c := string(got.Config)
				return m["name"] == "Amazon EU" && !strings.Contains(fmt.Sprint(m), "ROTATED") &&
					strings.Contains(c, `"client_secret":"ROTATED-SECRET"`) && strings.Contains(c, `"refresh_token":"Atzr|r"`) && strings.Contains(c, "A1PA6795UKMFR9")
			}},
		{"a change that breaks the config", tokA, "PUT", fmt.Sprintf("/api/v1/market/accounts/%d", acct), `{"config":{"endpoint":"http://example.com"}}`, 422,
			func(m map[string]any) bool { return strings.Contains(m["error"].(string), "must use https") }},
		{"a misspelt field", tokA, "PUT", fmt.Sprintf("/api/v1/market/accounts/%d", acct), `{"config":{"client_secrt":"x"}}`, 422,
			func(m map[string]any) bool {
				return strings.Contains(m["error"].(string), `unknown field "client_secrt"`)
			}},
		{"rename and pull every 30 minutes", tokA, "PUT", fmt.Sprintf("/api/v1/market/accounts/%d", acct), `{"name":"Amazon DE","pull_every_minutes":30}`, 200,
			func(m map[string]any) bool {
				return m["name"] == "Amazon DE" && m["pull_every_seconds"].(float64) == 1800
			}},
		{"B changes A's account", tokB, "PUT", fmt.Sprintf("/api/v1/market/accounts/%d", acct), `{"name":"Mine"}`, 404, nil},
		{"pause", tokA, "PUT", fmt.Sprintf("/api/v1/market/accounts/%d", acct), `{"paused":true}`, 200, func(m map[string]any) bool { return m["paused"] == true }},
		{"fetch a paused account", tokA, "POST", fmt.Sprintf("/api/v1/market/accounts/%d/fetch", acct), "", 409, func(m map[string]any) bool { return strings.Contains(m["error"].(string), "paused") }},
		{"resume", tokA, "PUT", fmt.Sprintf("/api/v1/market/accounts/%d", acct), `{"paused":false}`, 200, func(m map[string]any) bool { return m["paused"] == false }},
		{"fetch now", tokA, "POST", fmt.Sprintf("/api/v1/market/accounts/%d/fetch", acct), "", 202, nil},
		{"fetch a missing account", tokA, "POST", "/api/v1/market/accounts/999/fetch", "", 404, nil},
		{"orders, bad state", tokA, "GET", "/api/v1/market/orders?state=lost", "", 400, nil},
		{"retry an order that is not in Errors", tokA, "POST", "/api/v1/market/orders/999/retry", "", 404, nil},
		{"VAT rates", tokA, "GET", "/api/v1/vat-rates", "", 200, func(m map[string]any) bool { return m["standard_rates"].(map[string]any)["DE"] == "19" }},
		{"VAT rates import", tokA, "POST", "/api/v1/vat-rates/import", "country;standard_rate\nDE;19\nFR;20\n", 200, func(m map[string]any) bool { return m["imported"].(float64) == 2 }},
		{"VAT rates import, bad line named", tokA, "POST", "/api/v1/vat-rates/import", "country;standard_rate\nDE;nineteen\n", 422, func(m map[string]any) bool {
			return strings.Contains(m["error"].(string), "line 2")
		}},
		{"reduced rates import", tokA, "POST", "/api/v1/vat-rates/reduced/import", "country;category;rate\nDE;books;7\n", 200, func(m map[string]any) bool { return m["imported"].(float64) == 1 }},
		{"reduced rates import, bad line named", tokA, "POST", "/api/v1/vat-rates/reduced/import", "US;books;0\n", 422, func(m map[string]any) bool {
			return strings.Contains(m["error"].(string), `line 1: "US" is not an EU member state`)
		}},
		{"reduced rates listed", tokA, "GET", "/api/v1/vat-rates", "", 200, func(m map[string]any) bool {
			r := m["reduced_rates"].([]any)
			return len(r) == 1 && r[0].(map[string]any)["category"] == "books" && r[0].(map[string]any)["rate"] == "7"
		}},
		{"a card with a VAT category", tokA, "POST", "/api/v1/products", `{"barcode":"BOOK-1","name":"Knyga","unit":"vnt.","price_net":"10.00","price_gross":"10.90","vat_rate":"9","vat_category":"books","active":true}`, 201,
			func(m map[string]any) bool { return m["vat_category"] == "books" }},
		{"a card with a malformed VAT category", tokA, "POST", "/api/v1/products", `{"barcode":"BOOK-2","name":"Knyga","unit":"vnt.","price_net":"10.00","price_gross":"10.90","vat_rate":"9","vat_category":"Knygos ir žurnalai","active":true}`, 422,
			func(m map[string]any) bool { return strings.Contains(m["error"].(string), "VAT category") }},
		{"B's reduced rates are its own", tokB, "GET", "/api/v1/vat-rates", "", 200, func(m map[string]any) bool { return len(m["reduced_rates"].([]any)) == 0 }},
		{"FX import", tokA, "POST", "/api/v1/fx-rates/import", "Date,PLN,SEK\n2026-11-20,4.3000,11.2000\n", 200, func(m map[string]any) bool { return m["imported"].(float64) == 2 }},
		{"FX import, garbage", tokA, "POST", "/api/v1/fx-rates/import", "hello\nworld\n", 422, func(m map[string]any) bool { return strings.Contains(m["error"].(string), "no exchange rates") }},
		{"FX import, a bad currency column", tokA, "POST", "/api/v1/fx-rates/import", "Date,PLN,Zloty\n2026-11-20,4.3,4.3\n", 422, func(m map[string]any) bool {
			return strings.Contains(m["error"].(string), `column 3: "Zloty"`)
		}},
		{"VAT rates import, too large", tokA, "POST", "/api/v1/vat-rates/import", strings.Repeat("DE;19\n", 200_000), 413, func(m map[string]any) bool {
			return strings.Contains(m["error"].(string), "larger than 1 MiB")
		}},
		{"VAT rates import, empty", tokA, "POST", "/api/v1/vat-rates/import", "country;standard_rate\n", 422, func(m map[string]any) bool { return strings.Contains(m["error"].(string), "no VAT rates") }},
		{"an operation type's series", tokA, "PUT", "/api/v1/operation-types/sale", `{"name":"Pardavimas","series":"KVT2","debit_account":"2410","credit_account":"5000"}`, 200, nil},
		{"an operation type with an unknown account", tokA, "PUT", "/api/v1/operation-types/sale", `{"name":"X","series":"KVT","debit_account":"9999","credit_account":"5000"}`, 422, func(m map[string]any) bool {
			return strings.Contains(m["error"].(string), `"9999"`)
		}},
		// Tenant B reaches none of it.
		{"B's accounts are its own", tokB, "GET", "/api/v1/market/accounts", "", 200, func(m map[string]any) bool { return len(m["accounts"].([]any)) == 0 }},
		{"B fetches A's account", tokB, "POST", fmt.Sprintf("/api/v1/market/accounts/%d/fetch", acct), "", 404, nil},
		{"B's orders are its own", tokB, "GET", "/api/v1/market/orders?state=errors", "", 200, func(m map[string]any) bool { return len(m["orders"].([]any)) == 0 }},
		{"B retries A's order", tokB, "POST", fmt.Sprintf("/api/v1/market/orders/%d/retry", order), "", 404, nil},
		{"B's VAT rates are untouched by A's import", tokB, "GET", "/api/v1/vat-rates", "", 200, func(m map[string]any) bool { return m["standard_rates"].(map[string]any)["FR"] == "20" }},
		{"B's operation types are its own", tokB, "GET", "/api/v1/operation-types", "", 200, func(m map[string]any) bool { return !strings.Contains(fmt.Sprint(m), "KVT2") }},
		// A retries its own order.
		{"retry", tokA, "POST", fmt.Sprintf("/api/v1/market/orders/%d/retry", order), "", 200, nil},
		{"retried order is Open", tokA, "GET", "/api/v1/market/orders?state=open", "", 200, func(m map[string]any) bool { return len(m["orders"].([]any)) == 1 }},
	})
}
