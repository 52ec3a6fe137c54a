// Package domain holds the types the agent and the cloud both speak: receipts with their
// lines and payments, and day closes (Z reports). Money is decimal.Decimal end to end.
package domain

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// ReceiptType is what kind of fiscal document a receipt is.
type ReceiptType string

const (
	Sale    ReceiptType = "sale"
	Return  ReceiptType = "return"
	Invoice ReceiptType = "invoice" // "SF": a sale with an invoice to a named buyer
)

// Receipt is one closed receipt as the POS keeps it. Amounts carry VAT. A return has
// negative quantities, line totals and payments; a sale or invoice positive ones.
type Receipt struct {
	SourceID         string          `json:"source_id"` // the POS's own id, unique per store
	Register         string          `json:"register"`
	SessionID        string          `json:"session_id"` // the cash session (Z report) it belongs to
	Number           string          `json:"number"`
	Type             ReceiptType     `json:"type"`
	OpenedAt         time.Time       `json:"opened_at"`
	ClosedAt         time.Time       `json:"closed_at"`
	Cashier          string          `json:"cashier,omitempty"`
	Buyer            *Buyer          `json:"buyer,omitempty"`
	OriginalSourceID string          `json:"original_source_id,omitempty"` // the receipt a return refers to
	Lines            []Line          `json:"lines"`
	Payments         []Payment       `json:"payments"`
	Rounding         decimal.Decimal `json:"rounding"` // cash rounding, part of Total
	Total            decimal.Decimal `json:"total"`
	VAT              decimal.Decimal `json:"vat"`
}

// Buyer is who an SF invoice is made out to.
type Buyer struct {
	Code    string `json:"code"`
	VATCode string `json:"vat_code,omitempty"`
	Name    string `json:"name"`
	Address string `json:"address,omitempty"`
}

// Line is one receipt line. Total = round(Quantity × UnitPrice − Discount, 2), VAT included.
type Line struct {
	No        int             `json:"no"`
	Barcode   string          `json:"barcode"`
	Name      string          `json:"name"`
	Unit      string          `json:"unit,omitempty"`
	Quantity  decimal.Decimal `json:"quantity"`
	UnitPrice decimal.Decimal `json:"unit_price"`
	Discount  decimal.Decimal `json:"discount"`
	VATRate   decimal.Decimal `json:"vat_rate"`
	Total     decimal.Decimal `json:"total"`
	VAT       decimal.Decimal `json:"vat"`
}

// Payment is one way the receipt was paid: cash, card, voucher...
type Payment struct {
	Code   string          `json:"code"`
	Amount decimal.Decimal `json:"amount"`
}

var hundred = decimal.NewFromInt(100)

// LineVAT is the VAT inside a VAT-inclusive amount at rate percent, rounded half away
// from zero to the cent, the way the receipt prints it.
func LineVAT(gross, rate decimal.Decimal) decimal.Decimal {
	if rate.IsZero() {
		return decimal.Zero
	}
	return gross.Mul(rate).Div(hundred.Add(rate)).Round(2)
}

// Validate checks a receipt is complete and adds up to the cent. The error lists every
// problem found, naming the field, so a person can fix the POS data.
func (r *Receipt) Validate() error {
	var p problems
	if strings.TrimSpace(r.SourceID) == "" {
		p.add("source_id is empty")
	}
	switch r.Type {
	case Sale, Return, Invoice:
	default:
		p.add("type %q is not sale, return or invoice", r.Type)
	}
	if r.ClosedAt.IsZero() {
		p.add("closed_at is missing")
	}
	if r.Register == "" {
		p.add("register is empty")
	}
	if r.Type == Invoice && (r.Buyer == nil || strings.TrimSpace(r.Buyer.Code) == "") {
		p.add("invoice (SF) has no buyer code")
	}
	if len(r.Lines) == 0 {
		p.add("has no lines")
	}
	sign := 1
	if r.Type == Return {
		sign = -1
	}
	lineSum, vatSum := decimal.Zero, decimal.Zero
	for _, l := range r.Lines {
		where := fmt.Sprintf("line %d (%s)", l.No, l.Barcode)
		if l.Quantity.Sign() != sign {
			if sign > 0 {
				p.add("%s: quantity %s must be positive on a %s", where, l.Quantity, r.Type)
			} else {
				p.add("%s: quantity %s must be negative on a return", where, l.Quantity)
			}
		}
		if l.UnitPrice.IsNegative() {
			p.add("%s: unit price %s is negative", where, l.UnitPrice)
		}
		if l.VATRate.IsNegative() || l.VATRate.GreaterThanOrEqual(hundred) {
			p.add("%s: VAT rate %s%% is out of range", where, l.VATRate)
		}
		if exp := l.Quantity.Mul(l.UnitPrice).Sub(l.Discount).Round(2); !exp.Equal(l.Total) {
			p.add("%s: total %s is not quantity × price − discount = %s", where, l.Total, exp)
		}
		if exp := LineVAT(l.Total, l.VATRate); !exp.Equal(l.VAT) {
			p.add("%s: VAT %s should be %s at %s%%", where, l.VAT, exp, l.VATRate)
		}
		p.cents(where+": total", l.Total)
		lineSum = lineSum.Add(l.Total)
		vatSum = vatSum.Add(l.VAT)
	}
	if exp := lineSum.Add(r.Rounding); !exp.Equal(r.Total) {
		p.add("total %s is not the sum of lines %s plus rounding %s", r.Total, lineSum, r.Rounding)
	}
	if !vatSum.Equal(r.VAT) {
		p.add("VAT %s is not the sum of line VAT %s", r.VAT, vatSum)
	}
	paid := decimal.Zero
	for _, pm := range r.Payments {
		if pm.Code == "" {
			p.add("a payment has no payment code")
		}
		p.cents("payment "+pm.Code, pm.Amount)
		paid = paid.Add(pm.Amount)
	}
	if !paid.Equal(r.Total) {
		p.add("payments %s do not add up to the total %s", paid, r.Total)
	}
	p.cents("total", r.Total)
	return p.err()
}

// DayClose is a closed cash session: the register's Z report.
type DayClose struct {
	SourceID      string          `json:"source_id"`
	Register      string          `json:"register"`
	ZNumber       string          `json:"z_number"`
	OpenedAt      time.Time       `json:"opened_at"`
	ClosedAt      time.Time       `json:"closed_at"`
	ReceiptsCount int             `json:"receipts_count"`
	Rounding      decimal.Decimal `json:"rounding"`
	Total         decimal.Decimal `json:"total"`
	VAT           []VATTotal      `json:"vat"`
	Payments      []Payment       `json:"payments"`
}

// VATTotal is a Z report's sum for one VAT rate.
type VATTotal struct {
	Rate  decimal.Decimal `json:"rate"`
	Net   decimal.Decimal `json:"net"`
	VAT   decimal.Decimal `json:"vat"`
	Gross decimal.Decimal `json:"gross"`
}

// Validate checks a day close is complete and its totals agree with each other.
func (d *DayClose) Validate() error {
	var p problems
	if d.SourceID == "" {
		p.add("source_id is empty")
	}
	if d.Register == "" {
		p.add("register is empty")
	}
	if d.ClosedAt.IsZero() {
		p.add("closed_at is missing")
	}
	gross := decimal.Zero
	for _, v := range d.VAT {
		if !v.Net.Add(v.VAT).Equal(v.Gross) {
			p.add("rate %s%%: net %s + VAT %s is not gross %s", v.Rate, v.Net, v.VAT, v.Gross)
		}
		gross = gross.Add(v.Gross)
	}
	if exp := gross.Add(d.Rounding); !exp.Equal(d.Total) {
		p.add("total %s is not the VAT rates' gross %s plus rounding %s", d.Total, gross, d.Rounding)
	}
	paid := decimal.Zero
	for _, pm := range d.Payments {
		paid = paid.Add(pm.Amount)
	}
	if !paid.Equal(d.Total) {
		p.add("payments %s do not add up to the total %s", paid, d.Total)
	}
	p.cents("total", d.Total)
	return p.err()
}

// Cents converts an amount to integer minor units, failing if it has more than two decimals.
func Cents(d decimal.Decimal) (int64, error) {
	c := d.Shift(2)
	if !c.Equal(c.Truncate(0)) {
		return 0, fmt.Errorf("amount %s has more than 2 decimals", d)
	}
	return c.IntPart(), nil
}

// FromCents is the inverse of Cents.
func FromCents(c int64) decimal.Decimal { return decimal.New(c, -2) }

type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

func (p *problems) cents(what string, d decimal.Decimal) {
	if _, err := Cents(d); err != nil {
		p.add("%s: %v", what, err)
	}
}

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return errors.New(strings.Join(p, "; "))
}
