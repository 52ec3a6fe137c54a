package allegrofake

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"tiltas/cloud/market/allegro"
)

// specPath is Allegro's OpenAPI file beside the repository (../shared/specs/allegro/swagger.yaml).
func specPath(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	for dir := filepath.Dir(file); dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, "..", "shared", "specs", "allegro", "swagger.yaml")
			if _, err := os.Stat(p); err != nil {
				t.Fatalf("Allegro's OpenAPI file is absent (%v): the fake cannot be checked against it", err)
			}
			return p
		}
	}
	t.Fatal("no go.mod above this package")
	return ""
}

// What the fake answers is what Allegro's OpenAPI file defines: checkout forms (listed and one
// by one, with a company invoice, discounts, an additional service, a deposit, a fulfillment
// status and a marketplace), the event journal, its stats and an error, each validated against
// the operation's response schema.
func TestFakeAnswersAsTheSpec(t *testing.T) {
	loader := openapi3.NewLoader()
	spec, err := loader.LoadFromFile(specPath(t))
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{ClientID: "c", ClientSecret: "s", RefreshToken: "r"}
	base := s.Start()
	defer s.Close()
	f := allegro.CheckoutForm{ID: "29738e61-7f6a-11e8-ac45-09db60ede9d6", Status: "READY_FOR_PROCESSING",
		Buyer: allegro.Buyer{ID: "23123123", Email: "user-email@allegro.pl", Login: "User_Login", FirstName: "Jan", LastName: "Kowalski"}}
	f.Marketplace = &struct {
		ID string `json:"id"`
	}{"allegro-cz"}
	f.Fulfillment = &struct {
		Status string `json:"status,omitempty"`
	}{"SENT"}
	f.Invoice = &allegro.InvoiceInfo{Required: true, Features: []string{"VAT_EU_VERIFIED"}, Address: &allegro.Address{CountryCode: "PL",
		Company: &allegro.Company{Name: "Udix Sp. z o.o.", VATPayerStatus: "ACTIVE", IDs: []allegro.CompanyID{{Type: "VAT_EU", Value: "PL1111111111"}}}}}
	li := allegro.LineItem{ID: "62ae358b-8f65-4fc4-9c77-bedf604a2e2b", Quantity: 1, Price: allegro.Money{Amount: "90.00", Currency: "PLN"},
		OriginalPrice: allegro.Money{Amount: "100.00", Currency: "PLN"}, BoughtAt: "2026-11-10T09:00:00.000Z"}
	li.Offer.ID, li.Offer.Name = "12345678", "Oferta"
	li.Discounts = []struct {
		Type string `json:"type"`
	}{{"COUPON"}}
	li.SelectedAdditionalServices = []allegro.AdditionalService{{DefinitionID: "CARRY_IN", Name: "Wniesienie", Price: allegro.Money{Amount: "19.99", Currency: "PLN"}, Quantity: 1}}
	li.Deposit = &struct {
		Price allegro.Money `json:"price"`
	}{allegro.Money{Amount: "0.50", Currency: "PLN"}}
	f.LineItems = []allegro.LineItem{li}
	f.Delivery = &struct {
		Address *allegro.DeliveryAddress `json:"address,omitempty"`
		Method  *struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"method,omitempty"`
		Cost *allegro.Money `json:"cost,omitempty"`
	}{Address: &allegro.DeliveryAddress{City: "Praha", CountryCode: "CZ"}, Cost: &allegro.Money{Amount: "10.00", Currency: "PLN"}}
	f.Summary.TotalToPay = allegro.Money{Amount: "120.49", Currency: "PLN"}
	s.Put(f, "READY_FOR_PROCESSING", time.Now())

	tok := accessToken(t, base)
	get := func(path string, q url.Values) (int, []byte) {
		req, _ := http.NewRequest("GET", base+path+"?"+q.Encode(), nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept", allegro.MediaType)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	for _, tc := range []struct {
		name, path, route, status string
		q                         url.Values
	}{
		{"checkout forms", "/order/checkout-forms", "/order/checkout-forms", "200", url.Values{"updatedAt.gte": {"2020-01-01T00:00:00.000Z"}, "sort": {"updatedAt"}}},
		{"one checkout form", "/order/checkout-forms/" + f.ID, "/order/checkout-forms/{id}", "200", nil},
		{"events", "/order/events", "/order/events", "200", nil},
		{"event stats", "/order/event-stats", "/order/event-stats", "200", nil},
		{"listing past the cap", "/order/checkout-forms", "/order/checkout-forms", "422", url.Values{"updatedAt.gte": {"2020-01-01T00:00:00.000Z"}, "offset": {"9950"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := get(tc.path, tc.q)
			if strconv.Itoa(code) != tc.status {
				t.Fatalf("HTTP %d: %s", code, body)
			}
			item := spec.Paths.Find(tc.route)
			if item == nil || item.Get == nil {
				t.Fatalf("the spec has no GET %s", tc.route)
			}
			resp := item.Get.Responses.Status(code)
			if resp == nil {
				resp = item.Get.Responses.Default()
			}
			if resp == nil || resp.Value == nil {
				if code != 200 {
					return // the spec describes no body for this error
				}
				t.Fatalf("the spec has no %d answer for GET %s", code, tc.route)
			}
			mt := resp.Value.Content.Get(allegro.MediaType)
			if mt == nil || mt.Schema == nil {
				if code != 200 {
					return
				}
				t.Fatalf("the spec has no %s schema for GET %s %d", allegro.MediaType, tc.route, code)
			}
			var v any
			if err := json.Unmarshal(body, &v); err != nil {
				t.Fatal(err)
			}
			if err := mt.Schema.Value.VisitJSON(v, openapi3.MultiErrors()); err != nil {
				var me openapi3.MultiError
				if errors.As(err, &me) {
					for _, e := range me {
						t.Error(e)
					}
				} else {
					t.Error(err)
				}
			}
		})
	}
	// The check can fail: a quantity as a string breaks the spec.
	item := spec.Paths.Find("/order/checkout-forms/{id}")
	schema := item.Get.Responses.Status(200).Value.Content.Get(allegro.MediaType).Schema.Value
	_, body := get("/order/checkout-forms/"+f.ID, nil)
	bad := strings.Replace(string(body), `"quantity":1`, `"quantity":"1"`, 1)
	var v any
	_ = json.Unmarshal([]byte(bad), &v)
	if bad == string(body) || schema.VisitJSON(v) == nil {
		t.Fatal("a quantity as a string passes the spec")
	}
}

func accessToken(t *testing.T, base string) string {
	req, _ := http.NewRequest("POST", base+"/auth/oauth/token?grant_type=refresh_token&refresh_token=r", nil)
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("c:s")))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token: %v", err)
	}
	return tok.AccessToken
}
