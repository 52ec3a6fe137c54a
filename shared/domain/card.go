package domain

import (
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Card is a product card: what a cash register needs to sell an item. The cloud keeps the
// catalogue; the agent writes cards into the POS items table. Stock is never part of it.
type Card struct {
	Barcode    string          `json:"barcode"`
	Name       string          `json:"name"`
	Group      string          `json:"group,omitempty"`
	Unit       string          `json:"unit"`
	PriceNet   decimal.Decimal `json:"price_net"`   // without VAT
	PriceGross decimal.Decimal `json:"price_gross"` // with VAT
	VATRate    decimal.Decimal `json:"vat_rate"`    // percent
	Service    bool            `json:"service"`     // attribute: goods (false) or service
	// VATCategory names the card's kind for reduced VAT rates abroad (books, food, ...): a
	// marketplace sale to a consumer in another member state takes that country's rate for it.
	// Empty: the standard rate. The registers do not use it.
	VATCategory string `json:"vat_category,omitempty"`
	Active      bool   `json:"active"`
	Version     uint64 `json:"version,omitempty"` // set by the cloud on every change
}

// KnownVATRates are the rates a card may carry (Lithuania: standard 21, reduced 12, 9, 5, and 0).
var KnownVATRates = []decimal.Decimal{decimal.NewFromInt(0), decimal.NewFromInt(5), decimal.NewFromInt(9), decimal.NewFromInt(12), decimal.NewFromInt(21)}

// MaxNameLen is the longest card name a register accepts, in characters.
const MaxNameLen = 80

// Normalize trims text fields and fills the default unit.
func (c *Card) Normalize() {
	c.Barcode = strings.TrimSpace(c.Barcode)
	c.Name = strings.TrimSpace(c.Name)
	c.Group = strings.TrimSpace(c.Group)
	c.Unit = strings.TrimSpace(c.Unit)
	c.VATCategory = strings.ToLower(strings.TrimSpace(c.VATCategory))
	if c.Unit == "" {
		c.Unit = "vnt."
	}
}

// Validate checks a card as a register needs it; the error names every problem.
func (c *Card) Validate() error {
	var p problems
	switch n := utf8.RuneCountInString(c.Name); {
	case n == 0:
		p.add("name is empty")
	case n > MaxNameLen:
		p.add("name is %d characters, the registers take at most %d: shorten it", n, MaxNameLen)
	}
	switch {
	case c.Barcode == "":
		p.add("barcode is empty")
	case len(c.Barcode) > 40 || strings.ContainsAny(c.Barcode, " \t\r\n;,\""):
		p.add("barcode %q must be at most 40 characters without spaces or separators", c.Barcode)
	}
	if utf8.RuneCountInString(c.Group) > 60 {
		p.add("group is longer than 60 characters")
	}
	if !ValidVATCategory(c.VATCategory) {
		p.add("VAT category %q: use up to 40 lowercase letters, digits, - or _ (e.g. books), or leave it empty", c.VATCategory)
	}
	if utf8.RuneCountInString(c.Unit) > 10 {
		p.add("unit %q is longer than 10 characters", c.Unit)
	}
	known := false
	for _, r := range KnownVATRates {
		known = known || r.Equal(c.VATRate)
	}
	if !known {
		p.add("VAT rate %s%% is not one of 0, 5, 9, 12, 21", c.VATRate)
	}
	if c.PriceNet.IsNegative() || c.PriceGross.IsNegative() {
		p.add("prices must not be negative")
	}
	p.cents("price without VAT", c.PriceNet)
	p.cents("price with VAT", c.PriceGross)
	if known && !PricesAgree(c.PriceNet, c.PriceGross, c.VATRate) {
		p.add("price with VAT %s does not match price without VAT %s at %s%% (expected %s)",
			c.PriceGross.StringFixed(2), c.PriceNet.StringFixed(2), c.VATRate, c.PriceNet.Mul(hundred.Add(c.VATRate)).Div(hundred).Round(2).StringFixed(2))
	}
	return p.err()
}

// PricesAgree says whether net and gross are the same price at rate, to the cent, whichever
// of the two was entered first: gross = round(net × (1 + rate)), or net = gross − VAT(gross).
func PricesAgree(net, gross, rate decimal.Decimal) bool {
	return net.Mul(hundred.Add(rate)).Div(hundred).Round(2).Equal(gross) || gross.Sub(LineVAT(gross, rate)).Equal(net)
}

// ValidVATCategory says whether a VAT category code is well formed: empty (standard rate), or
// up to 40 of a-z, 0-9, - and _.
func ValidVATCategory(c string) bool {
	if len(c) > 40 {
		return false
	}
	for _, r := range c {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' && r != '_' {
			return false
		}
	}
	return true
}
