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
	// Taxes is the receipt's VAT per rate as the POS recorded it (uniCenta's taxlines), for a
	// POS that computes VAT per rate rather than per line. When given, it is the receipt's VAT:
	// VAT is its sum, and the lines agree with it per rate within the rounding of their own
	// cents (see Validate). Empty for a POS whose receipt VAT is the sum of its lines' VAT.
	Taxes []VATTotal `json:"taxes,omitempty"`
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
	type group struct {
		gross, vat decimal.Decimal
		lines      int
	}
	groups := map[string]*group{}
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
		g := groups[l.VATRate.String()]
		if g == nil {
			g = &group{}
			groups[l.VATRate.String()] = g
		}
		g.gross, g.vat, g.lines = g.gross.Add(l.Total), g.vat.Add(l.VAT), g.lines+1
	}
	if len(r.Taxes) == 0 {
		if exp := lineSum.Add(r.Rounding); !exp.Equal(r.Total) {
			p.add("total %s is not the sum of lines %s plus rounding %s", r.Total, lineSum, r.Rounding)
		}
		if !vatSum.Equal(r.VAT) {
			p.add("VAT %s is not the sum of line VAT %s", r.VAT, vatSum)
		}
	} else {
		r.validateTaxes(&p, func(rate string) (gross, vat decimal.Decimal, lines int, ok bool) {
			if g := groups[rate]; g != nil {
				return g.gross, g.vat, g.lines, true
			}
			return decimal.Zero, decimal.Zero, 0, false
		}, len(groups))
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
		p.add("payments %s do not add up to the total %s: difference %s", paid, r.Total, paid.Sub(r.Total))
	}
	p.cents("total", r.Total)
	return p.err()
}

// validateTaxes checks a receipt whose VAT the POS recorded per rate (Taxes). The POS is the
// authority: the receipt's VAT is the sum of its taxes and its total their gross plus rounding,
// to the cent. Each line was rounded to the cent on its own and each rate's tax once, so the
// lines of a rate may differ from their tax by the rounding of n lines and one tax, half a
// cent each: at most floor((n+2)/2) cents (1 for one line, 2 for two or three). More than that
// is a mistake in the data and is refused, naming the rate and the difference.
//
// The rule's text: Council Directive 2006/112/EC, Art. 226 — an invoice shows "(8) the taxable
// amount per rate or exemption, ... (9) the VAT rate applied; (10) the VAT amount payable". The
// Directive states VAT per rate, not per line, and sets no rounding method, so the amount per
// rate that the POS printed is the document's VAT and the one declared.
func (r *Receipt) validateTaxes(p *problems, line func(rate string) (gross, vat decimal.Decimal, lines int, ok bool), rates int) {
	gross, vat := decimal.Zero, decimal.Zero
	seen := map[string]bool{}
	for _, t := range r.Taxes {
		key := t.Rate.String()
		where := fmt.Sprintf("tax at %s%%", t.Rate)
		if seen[key] {
			p.add("%s is given twice: give one tax per rate", where)
			continue
		}
		seen[key] = true
		p.cents(where+": net", t.Net)
		p.cents(where+": VAT", t.VAT)
		if !t.Net.Add(t.VAT).Equal(t.Gross) {
			p.add("%s: net %s + VAT %s is not gross %s", where, t.Net, t.VAT, t.Gross)
		}
		gross, vat = gross.Add(t.Gross), vat.Add(t.VAT)
		lg, lv, n, ok := line(key)
		if !ok {
			p.add("%s has no line at that rate", where)
			continue
		}
		allowed := decimal.New(int64((n+2)/2), -2)
		if diff := lg.Sub(t.Gross); diff.Abs().GreaterThan(allowed) {
			p.add("%s: its lines' total %s differs from its gross %s by %s, more than the rounding of %d lines allows (%s)", where, lg, t.Gross, diff, n, allowed)
		}
		if diff := lv.Sub(t.VAT); diff.Abs().GreaterThan(allowed) {
			p.add("%s: its lines' VAT %s differs from the VAT the POS recorded, %s, by %s, more than the rounding of %d lines allows (%s)", where, lv, t.VAT, diff, n, allowed)
		}
	}
	if len(seen) < rates {
		p.add("lines at %d VAT rates but taxes for %d: every rate on the lines needs its tax", rates, len(seen))
	}
	if exp := gross.Add(r.Rounding); !exp.Equal(r.Total) {
		p.add("total %s is not the taxes' gross %s plus rounding %s: difference %s", r.Total, gross, r.Rounding, r.Total.Sub(exp))
	}
	if !vat.Equal(r.VAT) {
		p.add("VAT %s is not the sum of the taxes' VAT %s", r.VAT, vat)
	}
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
	// Computed says the POS keeps no Z totals (uniCenta's closedcash): the agent computed VAT,
	// Payments, Total and ReceiptsCount from the session's receipts as it shipped them.
	Computed bool `json:"computed,omitempty"`
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

// Rates is the receipt's amounts per VAT rate, in the order the rates first appear: its Taxes
// when the POS recorded VAT per rate, else the sums of its lines.
func (r *Receipt) Rates() []VATTotal {
	if len(r.Taxes) > 0 {
		return append([]VATTotal(nil), r.Taxes...)
	}
	var out []VATTotal
	at := map[string]int{}
	for _, l := range r.Lines {
		k := l.VATRate.String()
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, VATTotal{Rate: l.VATRate})
		}
		v := &out[i]
		v.Gross, v.VAT = v.Gross.Add(l.Total), v.VAT.Add(l.VAT)
		v.Net = v.Gross.Sub(v.VAT)
	}
	return out
}

// Booked is the gross and VAT each line books, in line order: the lines' own, except that
// where the POS recorded VAT per rate (Taxes), each rate's difference from its tax (within
// the rounding Validate allows) goes onto the rate's largest line, so that the lines of every
// rate add up to the tax the POS recorded, to the cent. Call it on a valid receipt.
func (r *Receipt) Booked() (gross, vat []decimal.Decimal) {
	gross, vat = make([]decimal.Decimal, len(r.Lines)), make([]decimal.Decimal, len(r.Lines))
	for i, l := range r.Lines {
		gross[i], vat[i] = l.Total, l.VAT
	}
	for _, t := range r.Taxes {
		largest := -1
		g, v := decimal.Zero, decimal.Zero
		for i, l := range r.Lines {
			if !l.VATRate.Equal(t.Rate) {
				continue
			}
			g, v = g.Add(l.Total), v.Add(l.VAT)
			if largest < 0 || l.Total.Abs().GreaterThan(r.Lines[largest].Total.Abs()) {
				largest = i
			}
		}
		if largest >= 0 {
			gross[largest] = gross[largest].Add(t.Gross.Sub(g))
			vat[largest] = vat[largest].Add(t.VAT.Sub(v))
		}
	}
	return gross, vat
}
