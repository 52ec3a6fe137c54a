package posting

import (
	"fmt"

	"github.com/shopspring/decimal"

	"tiltas/shared/domain"
)

// StockLine is a quantity of an item to move at cost.
type StockLine struct {
	No       int
	Barcode  string
	Name     string
	Qty      decimal.Decimal // > 0: out of stock; < 0: back into stock
	UnitCost decimal.Decimal // for goods coming back: the cost they left with (zero: current average)
}

// Balance is what a warehouse holds of an item: quantity and value at cost.
type Balance struct {
	Qty, Value decimal.Decimal
}

// StockMove is a change of one item's stock: quantity and value, + in, − out.
type StockMove struct {
	Barcode    string
	Qty, Value decimal.Decimal
}

// Unresolved is a line whose goods could not move, and why.
type Unresolved struct {
	StockLine
	Reason string
}

// WriteOff takes lines out of (or back into) the warehouse s.Warehouse at weighted-average
// cost, given what it holds of each item (held; a missing item holds nothing). It returns the
// write-off document dated date, the stock moves it makes, and the lines that cannot move with
// the reason. Lines may repeat an item: each takes from what the lines before it left. The
// document has no lines when nothing moves.
func WriteOff(lines []StockLine, held map[string]Balance, s Settings, date string) (Doc, []StockMove, []Unresolved) {
	type moved struct {
		l     StockLine
		value decimal.Decimal // > 0 out of stock
	}
	var ok []moved
	var unresolved []Unresolved
	// What earlier lines of this write-off already take from each item.
	plannedQty, plannedValue := map[string]decimal.Decimal{}, map[string]decimal.Decimal{}
	wh := s.Warehouse
	for _, l := range lines {
		b, found := held[l.Barcode]
		qty, value := b.Qty.Sub(plannedQty[l.Barcode]), b.Value.Sub(plannedValue[l.Barcode])
		reason := ""
		var v decimal.Decimal
		switch {
		case l.Qty.IsPositive() && !found:
			reason = fmt.Sprintf("no stock of %s in warehouse %s: receive it (stock receipt) or write off another item", l.Barcode, wh)
		case l.Qty.IsPositive() && qty.LessThan(l.Qty):
			reason = fmt.Sprintf("warehouse %s holds %s of %s, the line needs %s", wh, qty, l.Barcode, l.Qty)
		case l.Qty.IsPositive():
			v = WriteOffValue(l.Qty, qty, value)
		case !l.UnitCost.IsZero():
			v = l.Qty.Mul(l.UnitCost).Round(2) // goods back at the cost they left with
		case found && qty.IsPositive():
			v = l.Qty.Mul(value.Div(qty)).Round(2)
		default:
			reason = fmt.Sprintf("no cost known for returned %s: put it back with a stock receipt", l.Barcode)
		}
		if reason != "" {
			unresolved = append(unresolved, Unresolved{l, reason})
			continue
		}
		ok = append(ok, moved{l, v})
		plannedQty[l.Barcode] = plannedQty[l.Barcode].Add(l.Qty)
		plannedValue[l.Barcode] = plannedValue[l.Barcode].Add(v)
	}
	d := Doc{Op: OpWriteOff, Date: date}
	d.Entry.Memo = "Goods at cost"
	op := s.Op(OpWriteOff)
	var moves []StockMove
	for i, m := range ok {
		d.Lines = append(d.Lines, Line{No: i + 1, Barcode: m.l.Barcode, Name: m.l.Name, Qty: m.l.Qty, UnitPrice: m.value.Div(m.l.Qty).Round(2), Net: m.value, Gross: m.value})
		d.Net, d.Total = d.Net.Add(m.value), d.Total.Add(m.value)
		d.Entry.Add(op.Debit, op.Credit, m.value)
		moves = append(moves, StockMove{m.l.Barcode, m.l.Qty.Neg(), m.value.Neg()})
	}
	return d, moves, unresolved
}

// StockIn is goods received into the warehouse s.Warehouse: a document at cost, debiting the
// stock-in operation type's account (inventory) and crediting its other (payables), and the
// moves into stock.
func StockIn(lines []StockLine, s Settings, date string) (Doc, []StockMove, error) {
	d := Doc{Op: OpStockIn, Date: date}
	d.Entry.Memo = "Goods received into " + s.Warehouse
	op := s.Op(OpStockIn)
	var moves []StockMove
	for i, l := range lines {
		if l.Barcode == "" || !l.Qty.IsPositive() || l.UnitCost.IsNegative() {
			return d, nil, refuseCode(CodeBadInput, "line %d: needs a barcode, a positive quantity and a unit cost", i+1)
		}
		v := l.Qty.Mul(l.UnitCost).Round(2)
		d.Lines = append(d.Lines, Line{No: i + 1, Barcode: l.Barcode, Name: l.Name, Qty: l.Qty, UnitPrice: l.UnitCost, Net: v, Gross: v})
		d.Net, d.Total = d.Net.Add(v), d.Total.Add(v)
		d.Entry.Add(op.Debit, op.Credit, v)
		moves = append(moves, StockMove{l.Barcode, l.Qty, v})
	}
	return d, moves, nil
}

// DayGoods is what a day's sales and returns take out of stock, net of returns, per item in the
// order items first appear; SF invoices are booked (and written off) on their own. Items that
// came back more than they went out take nothing.
func DayGoods(receipts []domain.Receipt) []StockLine {
	qty := map[string]decimal.Decimal{}
	names := map[string]string{}
	var order []string
	for _, r := range receipts {
		if r.Type == domain.Invoice {
			continue
		}
		for _, l := range r.Lines {
			if _, seen := qty[l.Barcode]; !seen {
				order = append(order, l.Barcode)
			}
			qty[l.Barcode] = qty[l.Barcode].Add(l.Quantity)
			names[l.Barcode] = l.Name
		}
	}
	var lines []StockLine
	for i, bc := range order {
		if qty[bc].IsPositive() {
			lines = append(lines, StockLine{No: i + 1, Barcode: bc, Name: names[bc], Qty: qty[bc]})
		}
	}
	return lines
}
