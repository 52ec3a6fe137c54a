package posting

import (
	"testing"

	"github.com/shopspring/decimal"

	"tiltas/shared/domain"
)

// The write-off decision at weighted-average cost, without a database: what moves, at what
// value, and what is left unresolved with which reason.
func TestWriteOff(t *testing.T) {
	d := decimal.RequireFromString
	set := LT()
	held := map[string]Balance{"A": {d("3"), d("10.00")}, "B": {d("1"), d("2.50")}}
	cases := []struct {
		name       string
		lines      []StockLine
		moves      []StockMove // value out of stock is negative
		unresolved []string    // reasons
	}{
		{"a part at the average", []StockLine{{No: 1, Barcode: "A", Qty: d("1")}}, []StockMove{{"A", d("-1"), d("-3.33")}}, nil},
		{"everything takes the whole value", []StockLine{{No: 1, Barcode: "A", Qty: d("3")}}, []StockMove{{"A", d("-3"), d("-10.00")}}, nil},
		{"repeated lines take from what is left", []StockLine{{No: 1, Barcode: "A", Qty: d("2")}, {No: 2, Barcode: "A", Qty: d("1")}},
			[]StockMove{{"A", d("-2"), d("-6.67")}, {"A", d("-1"), d("-3.33")}}, nil},
		{"too little", []StockLine{{No: 1, Barcode: "B", Qty: d("2")}}, nil, []string{"warehouse MAIN holds 1 of B, the line needs 2"}},
		{"none at all", []StockLine{{No: 1, Barcode: "C", Qty: d("1")}}, nil,
			[]string{"no stock of C in warehouse MAIN: receive it (stock receipt) or write off another item"}},
		{"back at the cost it left with", []StockLine{{No: 1, Barcode: "C", Qty: d("-1"), UnitCost: d("4.20")}}, []StockMove{{"C", d("1"), d("4.20")}}, nil},
		{"back at the average", []StockLine{{No: 1, Barcode: "B", Qty: d("-2")}}, []StockMove{{"B", d("2"), d("5.00")}}, nil},
		{"back with no cost known", []StockLine{{No: 1, Barcode: "C", Qty: d("-1")}}, nil, []string{"no cost known for returned C: put it back with a stock receipt"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, moves, unresolved := WriteOff(c.lines, held, set, "2026-11-20")
			if len(moves) != len(c.moves) {
				t.Fatalf("moves %+v, want %+v", moves, c.moves)
			}
			total := decimal.Zero
			for i, m := range moves {
				if m.Barcode != c.moves[i].Barcode || !m.Qty.Equal(c.moves[i].Qty) || !m.Value.Equal(c.moves[i].Value) {
					t.Errorf("move %d = %+v, want %+v", i, m, c.moves[i])
				}
				total = total.Sub(m.Value)
			}
			if len(unresolved) != len(c.unresolved) {
				t.Fatalf("unresolved %+v, want %q", unresolved, c.unresolved)
			}
			for i, u := range unresolved {
				if u.Reason != c.unresolved[i] {
					t.Errorf("reason %q, want %q", u.Reason, c.unresolved[i])
				}
			}
			if len(moves) == 0 {
				return
			}
			// The document: cost of goods sold against inventory, the write-off type's accounts.
			if !doc.Total.Equal(total) || doc.Op != OpWriteOff || doc.Date != "2026-11-20" {
				t.Errorf("document %s %s total %s, want %s", doc.Op, doc.Date, doc.Total, total)
			}
			if err := doc.Entry.Check(); err != nil {
				t.Fatal(err)
			}
			for _, m := range doc.Entry.Moves {
				if (m.Debit != "6000" || m.Credit != "2040") && (m.Debit != "2040" || m.Credit != "6000") {
					t.Errorf("move %s/%s, want 6000/2040", m.Debit, m.Credit)
				}
			}
		})
	}
}

// A day's goods leave stock net of returns, per item, SF invoices apart.
func TestDayGoods(t *testing.T) {
	d := decimal.RequireFromString
	line := func(bc, qty string) domain.Line { return domain.Line{Barcode: bc, Name: bc, Quantity: d(qty)} }
	got := DayGoods([]domain.Receipt{
		{Type: domain.Sale, Lines: []domain.Line{line("A", "2"), line("B", "1")}},
		{Type: domain.Invoice, Lines: []domain.Line{line("A", "5")}},
		{Type: domain.Return, Lines: []domain.Line{line("A", "-1"), line("B", "-1")}},
		{Type: domain.Sale, Lines: []domain.Line{line("C", "0.250")}},
	})
	want := []StockLine{{No: 1, Barcode: "A", Name: "A", Qty: d("1")}, {No: 3, Barcode: "C", Name: "C", Qty: d("0.250")}}
	if len(got) != len(want) {
		t.Fatalf("%+v, want %+v", got, want)
	}
	for i := range got {
		if got[i].No != want[i].No || got[i].Barcode != want[i].Barcode || !got[i].Qty.Equal(want[i].Qty) {
			t.Errorf("line %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
