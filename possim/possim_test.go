package possim

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/internal/testdb"
	"tiltas/shared/domain"
)

// Every receipt the simulator makes is valid and adds up to the cent.
func TestGeneratedReceiptsAreValid(t *testing.T) {
	r := &register{code: "R01", rng: rand.New(rand.NewPCG(1, 2)),
		items: []item{{barcode: "1", price: decimal.RequireFromString("1.99"), rate: decimal.NewFromInt(21)},
			{barcode: "2", price: decimal.RequireFromString("3.49"), rate: decimal.NewFromInt(9), unit: "kg", weighed: true},
			{barcode: "3", price: decimal.RequireFromString("12.00"), rate: decimal.NewFromInt(0)}}}
	kinds := map[domain.ReceiptType]int{}
	for i := 0; i < 5000; i++ {
		rc := r.nextReceipt()
		rc.SourceID, rc.ClosedAt = "x", mustNow()
		if err := rc.Validate(); err != nil {
			t.Fatalf("receipt %d (%s) invalid: %v", i, rc.Type, err)
		}
		kinds[rc.Type]++
		if rc.Type != domain.Return {
			r.sales = append(r.sales, soldReceipt{id: int64(i), lines: rc.Lines})
		}
	}
	if kinds[domain.Sale] == 0 || kinds[domain.Return] == 0 || kinds[domain.Invoice] == 0 {
		t.Fatalf("not every kind was made: %v", kinds)
	}
}

// Z reports equal their receipts per VAT rate and per payment type.
func TestDayClosesEqualReceipts(t *testing.T) {
	ctx := context.Background()
	db, err := OpenDB(ctx, testdb.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := Run(ctx, db, Options{Registers: 3, Receipts: 600, CloseDay: true, DayEvery: 70, Seed: 9}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Receipts != 600 || st.DayCloses < 9 {
		t.Fatalf("stats %+v", st)
	}
	var bad int
	if err := db.QueryRow(`SELECT COUNT(*) FROM cash_sessions s WHERE s.status = 'closed' AND (
		s.total <> (SELECT COALESCE(SUM(total), 0) FROM receipts WHERE session_id = s.id) OR
		s.total <> (SELECT COALESCE(SUM(amount), 0) FROM session_payment_totals WHERE session_id = s.id) OR
		s.total <> (SELECT COALESCE(SUM(gross), 0) FROM session_vat_totals WHERE session_id = s.id) + s.rounding OR
		s.receipts_count <> (SELECT COUNT(*) FROM receipts WHERE session_id = s.id))`).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Fatalf("%d Z reports do not equal their receipts", bad)
	}
	var open int
	if err := db.QueryRow(`SELECT COUNT(*) FROM receipts WHERE status <> 'closed'`).Scan(&open); err != nil || open != 0 {
		t.Fatalf("%d receipts left open (%v)", open, err)
	}
}

func mustNow() time.Time { return time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC) }
