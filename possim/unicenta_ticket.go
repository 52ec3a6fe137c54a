package possim

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// uniCenta ticket types (TicketInfo.java:46-49).
const (
	uSale   = 0
	uRefund = 1
)

// uTicket is one ticket as uniCenta's TicketInfo holds it when saveTicket runs: every amount a
// double, never rounded (README §4).
type uTicket struct {
	typ      int
	customer string // customers.id, "" for a walk-in sale
	lines    []uLine
	taxes    []uTax // in the order the lines first name them, as TaxesLogic builds the list
	payments []uPayment
	transID  any       // payments.transid: the last payment's transaction id, on every row
	retMsg   any       // payments.returnmsg: the last payment's message
	refunds  *uSoldRef // the sale a refund is of
}

type uLine struct {
	product *uProduct
	units   float64 // negative on a refund
	price   float64 // net unit price; positive on a refund too
}

type uTax struct {
	id           string
	rate         float64
	base, amount float64
}

type uPayment struct {
	code     string
	total    float64
	tendered float64 // cash handed over; 0 for every other kind
	voucher  string  // voucherin's voucher number; uniCenta writes "0" for the rest
}

// uSoldRef is what a till remembers of its sale to refund it later.
type uSoldRef struct {
	number  int // tickets.ticketid
	lines   []uLine
	card    bool // paid (partly) by card: refunded to the card
	transID any
	cust    string
}

// computeTaxes fills t.taxes as TaxesLogic.calculateTaxes does: per tax id, base is the running
// sum of the lines' price × units and amount is base × rate, recomputed on every add
// (TicketTaxInfo.add, TicketTaxInfo.java:56-59).
func (t *uTicket) computeTaxes() {
	t.taxes = nil
	for _, l := range t.lines {
		sub := l.price * l.units // TicketLineInfo.getSubValue
		i := 0
		for i < len(t.taxes) && t.taxes[i].id != l.product.taxID {
			i++
		}
		if i == len(t.taxes) {
			t.taxes = append(t.taxes, uTax{id: l.product.taxID, rate: l.product.rate})
		}
		t.taxes[i].base += sub
		t.taxes[i].amount = t.taxes[i].base * t.taxes[i].rate
	}
}

// total is TicketInfo.getTotal: the sum of the line nets plus the sum of the taxline amounts.
func (t *uTicket) total() float64 {
	sub, tax := 0.0, 0.0
	for _, l := range t.lines {
		sub += l.price * l.units
	}
	for _, x := range t.taxes {
		tax += x.amount
	}
	return sub + tax
}

// nextUnicentaTicket makes a ticket the way a cashier rings one up: mostly sales of 1-8
// catalogue lines, some refunds of part of an earlier sale of this till, a few sales to a
// customer, and payments in the reference simulator's mix (cash, card, part cash or a voucher
// with the card taking the rest).
func nextUnicentaTicket(rng *rand.Rand, products []uProduct, sales []uSoldRef, customers []string) *uTicket {
	t := &uTicket{typ: uSale}
	roll := rng.IntN(100)
	if roll < 4 && len(sales) > 0 {
		orig := sales[rng.IntN(len(sales))]
		t.typ, t.customer, t.refunds = uRefund, orig.cust, &orig
		for _, l := range orig.lines[:1+rng.IntN(len(orig.lines))] {
			l.units = -l.units // JRefundLines: setMultiply(-oLine.getMultiply()), price unchanged
			t.lines = append(t.lines, l)
		}
		t.computeTaxes()
		tot := t.total()
		if orig.card {
			t.payments = []uPayment{{code: "ccardrefund", total: tot}}
			t.transID, t.retMsg = orig.transID, nil
		} else {
			t.payments = []uPayment{{code: "cashrefund", total: tot}}
			t.transID, t.retMsg = nil, []byte("OK")
		}
		return t
	}
	if roll >= 95 && len(customers) > 0 {
		t.customer = customers[rng.IntN(len(customers))]
	}
	for i, n := 0, 1+rng.IntN(8); i < n; i++ {
		p := &products[rng.IntN(len(products))]
		units := float64(1 + rng.IntN(3))
		if p.code[len(p.code)-1] == '3' { // some goods are weighed
			units = float64(100+rng.IntN(2400)) / 1000
		}
		t.lines = append(t.lines, uLine{product: p, units: units, price: p.price})
	}
	t.computeTaxes()
	tot := t.total()
	cardID := fmt.Sprintf("%012d", rng.Int64N(1e12)) // StringUtils.getCardNumber: 12 random digits
	switch p := rng.IntN(10); {
	case p < 5: // all cash: TOTAL is the amount due, TENDERED what was handed over
		t.payments = []uPayment{{code: "cash", total: tot, tendered: math.Ceil(tot/5) * 5}}
		t.transID, t.retMsg = "no ID", []byte("OK")
	case p < 8 || tot < 3:
		t.payments = []uPayment{{code: "ccard", total: tot}}
		t.transID, t.retMsg = cardID, nil
	case p < 9: // part cash first, the card takes the remainder (JPaymentSelect: total - paid)
		cash := math.Floor(tot / 2)
		t.payments = []uPayment{{code: "cash", total: cash, tendered: cash}, {code: "ccard", total: tot - cash}}
		t.transID, t.retMsg = cardID, nil
	default: // a voucher worth less than due, the card takes the remainder
		v := math.Floor(tot / 3)
		t.payments = []uPayment{{code: "voucherin", total: v}, {code: "ccard", total: tot - v}}
		t.transID, t.retMsg = cardID, nil
	}
	return t
}

// propertiesXML is java.util.Properties.storeToXML(out, "uniCenta oPOS", "UTF-8") of the
// given key/value pairs, the form uniCenta keeps in receipts.attributes and ticketlines.attributes.
func propertiesXML(kv ...string) []byte {
	b := []byte(`<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE properties SYSTEM "http://java.sun.com/dtd/properties.dtd">
<properties>
<comment>uniCenta oPOS</comment>
`)
	for i := 0; i+1 < len(kv); i += 2 {
		b = fmt.Appendf(b, "<entry key=%q>%s</entry>\n", kv[i], xmlEscape(kv[i+1]))
	}
	return append(b, "</properties>\n"...)
}

func xmlEscape(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			out = append(out, "&amp;"...)
		case '<':
			out = append(out, "&lt;"...)
		case '>':
			out = append(out, "&gt;"...)
		default:
			out = append(out, c)
		}
	}
	return string(out)
}
