package allegro

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// form is a paid order from Allegro's swagger.yaml shapes: one offer at 100.00 PLN delivered
// to Poland for 10.00.
func form() CheckoutForm {
	f := CheckoutForm{ID: "29738e61-7f6a-11e8-ac45-09db60ede9d6", Status: "READY_FOR_PROCESSING", Buyer: Buyer{ID: "1", Login: "User_Login", Email: "u@allegromail.pl"},
		UpdatedAt: "2026-11-10T09:00:00.000Z"}
	li := LineItem{ID: "62ae358b", Quantity: 1, Price: Money{"100.00", "PLN"}, OriginalPrice: Money{"100.00", "PLN"}, BoughtAt: "2026-11-10T09:00:00.000Z"}
	li.Offer.ID, li.Offer.Name = "1", "Oferta"
	f.LineItems = []LineItem{li}
	f.Delivery = &struct {
		Address *DeliveryAddress `json:"address,omitempty"`
		Method  *struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"method,omitempty"`
		Cost *Money `json:"cost,omitempty"`
	}{Address: &DeliveryAddress{City: "Poznań", CountryCode: "PL"}, Cost: &Money{"10.00", "PLN"}}
	f.Summary.TotalToPay = Money{"110.00", "PLN"}
	return f
}

func TestMapForms(t *testing.T) {
	company := func(status string, features []string, ids ...CompanyID) *InvoiceInfo {
		return &InvoiceInfo{Required: true, Features: features, Address: &Address{Street: "Grunwaldzka 182", City: "Poznań", ZipCode: "60-166", CountryCode: "PL",
			Company: &Company{Name: "Udix Sp. z o.o.", VATPayerStatus: status, IDs: ids}}}
	}
	nip := CompanyID{"PL_NIP", "111-11-11-111"}
	for _, tc := range []struct {
		name    string
		mod     func(*CheckoutForm)
		check   func(t *testing.T, got string, b2b bool, vat, shipTo, mp string, lines int)
		refused string
	}{
		{"a verified EU VAT payer: 0 % intra-EU, the number normalised", func(f *CheckoutForm) {
			f.Invoice = company("ACTIVE", []string{"VAT_EU_VERIFIED"}, nip, CompanyID{"VAT_EU", "PL 111-11-11-111"})
		}, func(t *testing.T, _ string, b2b bool, vat, _, _ string, _ int) {
			if !b2b || vat != "PL1111111111" {
				t.Fatalf("b2b %v vat %q", b2b, vat)
			}
		}, ""},
		{"unverified: a consumer for VAT", func(f *CheckoutForm) { f.Invoice = company("ACTIVE", []string{"VAT_EU_UNVERIFIED"}, nip) },
			func(t *testing.T, _ string, b2b bool, vat, _, _ string, _ int) {
				if b2b || vat != "" {
					t.Fatalf("b2b %v vat %q", b2b, vat)
				}
			}, ""},
		{"NON_ACTIVE: a consumer for VAT even when verified", func(f *CheckoutForm) {
			f.Invoice = company("NON_ACTIVE", []string{"VAT_EU_VERIFIED"}, CompanyID{"VAT_EU", "PL1111111111"})
		}, func(t *testing.T, _ string, b2b bool, vat, _, _ string, _ int) {
			if b2b || vat != "" {
				t.Fatalf("b2b %v vat %q", b2b, vat)
			}
		}, ""},
		{"the seller cancelled", func(f *CheckoutForm) {
			f.Fulfillment = &struct {
				Status string `json:"status,omitempty"`
			}{"CANCELLED"}
		},
			func(t *testing.T, status string, _ bool, _, _, _ string, _ int) {
				if status != FulfillmentCancelled {
					t.Fatalf("status %s", status)
				}
			}, ""},
		{"sold on allegro.cz, picked up: the buyer's address", func(f *CheckoutForm) {
			f.Marketplace = &struct {
				ID string `json:"id"`
			}{"allegro-cz"}
			f.Delivery.Address = nil
			f.Buyer.Address = &struct {
				City        string `json:"city,omitempty"`
				CountryCode string `json:"countryCode,omitempty"`
			}{"Praha", "CZ"}
		}, func(t *testing.T, _ string, _ bool, _, shipTo, mp string, _ int) {
			if shipTo != "CZ" || mp != "CZ" {
				t.Fatalf("ship to %s, marketplace %s", shipTo, mp)
			}
		}, ""},
		{"a coupon in the price and carrying in", func(f *CheckoutForm) {
			f.LineItems[0].Price = Money{"90.00", "PLN"}
			f.LineItems[0].Discounts = []struct {
				Type string `json:"type"`
			}{{"COUPON"}}
			f.LineItems[0].SelectedAdditionalServices = []AdditionalService{{DefinitionID: "CARRY_IN", Name: "Wniesienie", Price: Money{"19.99", "PLN"}, Quantity: 1}}
			f.Summary.TotalToPay = Money{"119.99", "PLN"}
		}, func(t *testing.T, _ string, _ bool, _, _, _ string, lines int) {
			if lines != 3 {
				t.Fatalf("%d lines", lines)
			}
		}, ""},
		{"no destination", func(f *CheckoutForm) { f.Delivery.Address = nil }, nil, "neither delivery.address nor buyer.address has a country"},
		{"an unknown marketplace", func(f *CheckoutForm) {
			f.Marketplace = &struct {
				ID string `json:"id"`
			}{"allegro-de"}
		}, nil, `marketplace "allegro-de" is not one this knows`},
		{"everything returned", func(f *CheckoutForm) {
			f.Fulfillment = &struct {
				Status string `json:"status,omitempty"`
			}{"RETURNED"}
		}, nil,
			"every item came back and was refunded (fulfillment RETURNED)"},
		{"a paid surcharge", func(f *CheckoutForm) {
			f.Surcharges = append(f.Surcharges, struct {
				ID         string `json:"id"`
				Type       string `json:"type"`
				PaidAmount *Money `json:"paidAmount,omitempty"`
			}{ID: "0f8f1d13", Type: "ONLINE", PaidAmount: &Money{"5.00", "PLN"}})
		}, nil, "a surcharge of 5.00 PLN was paid (payment 0f8f1d13)"},
		{"Allegro Prices", func(f *CheckoutForm) {
			f.LineItems[0].Reconciliation = &struct {
				Value Money  `json:"value"`
				Type  string `json:"type,omitempty"`
			}{Money{"3.00", "PLN"}, "WALLET"}
		}, nil, "Allegro Prices adds 3.00 PLN (WALLET)"},
		{"a deposit", func(f *CheckoutForm) {
			f.LineItems[0].Deposit = &struct {
				Price Money `json:"price"`
			}{Money{"0.50", "PLN"}}
		}, nil, "a returnable deposit of 0.50 PLN"},
		{"a total that is not the lines", func(f *CheckoutForm) { f.Summary.TotalToPay = Money{"105.00", "PLN"} }, nil,
			"totalToPay is 105.00 PLN but its items, additional services and delivery come to 110.00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := form()
			tc.mod(&f)
			o, err := Map(f)
			if tc.refused != "" {
				if err == nil || !strings.Contains(err.Error(), tc.refused) {
					t.Fatalf("want %q, got %v", tc.refused, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			sum := decimal.Zero
			for _, l := range o.Lines {
				sum = sum.Add(l.Qty.Mul(l.UnitGross))
			}
			if toPay := decimal.RequireFromString(f.Summary.TotalToPay.Amount); !sum.Equal(toPay) {
				t.Fatalf("lines come to %s, the buyer paid %s", sum, toPay)
			}
			tc.check(t, o.Status, o.B2B, o.Buyer.VATNumber, o.ShipTo, o.Marketplace, len(o.Lines))
		})
	}
}

// The form's payment, message, delivery and addresses are kept with the order.
func TestMapKeepsDetails(t *testing.T) {
	f := form()
	f.MessageToSeller = "Please send me an item in red color"
	f.Payment = &struct {
		ID         string `json:"id"`
		Type       string `json:"type"`
		FinishedAt string `json:"finishedAt,omitempty"`
		PaidAmount *Money `json:"paidAmount,omitempty"`
	}{ID: "0f8f1d13-7e9e-11e8-9b00-c5b0dfb78ea6", Type: "CASH_ON_DELIVERY"}
	f.Delivery.Method = &struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}{"1fa56f79", "Allegro Paczkomaty InPost"}
	f.Delivery.Address = &DeliveryAddress{FirstName: "Jan", LastName: "Kowalski", Street: "Grunwaldzka 182", City: "Poznań", ZipCode: "60-166", CountryCode: "PL"}
	f.Invoice = &InvoiceInfo{Required: true, Address: &Address{Street: "Solna 1", City: "Poznań", ZipCode: "60-166", CountryCode: "PL", Company: &Company{Name: "Udix Sp. z o.o."}}}
	o, err := Map(f)
	if err != nil {
		t.Fatal(err)
	}
	d := o.Details
	if d == nil || d.PaymentMethod != "CASH_ON_DELIVERY" || d.BuyerMessage != f.MessageToSeller || d.DeliveryMethod != "Allegro Paczkomaty InPost" ||
		d.ShipAddress == nil || d.ShipAddress.Name != "Jan Kowalski" || d.ShipAddress.PostCode != "60-166" ||
		d.InvoiceAddress == nil || d.InvoiceAddress.Company != "Udix Sp. z o.o." || d.InvoiceAddress.Street != "Solna 1" {
		t.Fatalf("details %+v (ship %+v, invoice %+v)", d, d.ShipAddress, d.InvoiceAddress)
	}
}
