package capture

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/shopspring/decimal"

	"tiltas/agent/outbox"
	"tiltas/agent/profile"
	"tiltas/internal/testdb"
	"tiltas/possim"
	"tiltas/shared/domain"
	"tiltas/shared/protocol"
)

// The shipped unicenta profile reads what uniCenta's tills write (possim sells as
// DataLogicSales.saveTicket does): every ticket of a closed session arrives valid, its total is
// what was paid (uniCenta's payments.total, rounded to the cent), its VAT per rate is uniCenta's
// taxlines (rounded per rate, issue 15.1), and each closed session is a day close whose totals
// are computed from its receipts and marked so. Tickets of the session still open wait for its
// close (a ticket is editable until then).
func TestUnicentaProfile(t *testing.T) {
	ctx := context.Background()
	db, err := possim.OpenDB(ctx, testdb.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := possim.Run(ctx, db, possim.Options{Profile: possim.ProfileUnicenta, Registers: 2, Receipts: 400, DayEvery: 90, CloseDay: true, Seed: 11}, nil); err != nil {
		t.Fatal(err)
	}
	// A last, still open session: its tickets are not read yet.
	if _, err := possim.Run(ctx, db, possim.Options{Profile: possim.ProfileUnicenta, Registers: 1, Receipts: 5, Seed: 12}, nil); err != nil {
		t.Fatal(err)
	}
	p, err := profile.Load("unicenta")
	if err != nil {
		t.Fatal(err)
	}
	ob, err := outbox.Open(filepath.Join(t.TempDir(), "o.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	r := &Reader{DB: db, Outbox: ob, Profile: p, Batch: 37}
	res, err := r.Once(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var sessions int
	if err := db.QueryRow(`SELECT COUNT(*) FROM closedcash WHERE dateend IS NOT NULL`).Scan(&sessions); err != nil {
		t.Fatal(err)
	}
	if res.Receipts != 400 || res.DayCloses != sessions {
		t.Fatalf("captured %d receipts and %d day closes; want 400 (the open session's 5 wait) and %d", res.Receipts, res.DayCloses, sessions)
	}
	if again, err := r.Once(ctx); err != nil || again.Receipts+again.DayCloses != 0 {
		t.Fatalf("a second pass captured %+v (%v)", again, err)
	}

	// What uniCenta holds, rounded the stated way, per ticket.
	paid, taxVAT := map[string]decimal.Decimal{}, map[string]decimal.Decimal{}
	rows, err := db.Query(`SELECT receipt, SUM(total) FROM payments GROUP BY receipt`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var v float64
		if err := rows.Scan(&id, &v); err != nil {
			t.Fatal(err)
		}
		paid[id] = decimal.NewFromFloat(v).Round(2)
	}
	rows.Close()
	rows, err = db.Query(`SELECT l.receipt, SUM(l.amount) FROM taxlines l JOIN taxes x ON x.id = l.taxid GROUP BY l.receipt, x.rate`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var v float64
		if err := rows.Scan(&id, &v); err != nil {
			t.Fatal(err)
		}
		taxVAT[id] = taxVAT[id].Add(decimal.NewFromFloat(v).Round(2))
	}
	rows.Close()

	items, err := ob.Pending(0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	receipts := map[string]domain.Receipt{}
	var zs []domain.DayClose
	lineVATDiffers, refunds, invoices, rounded := 0, 0, 0, 0
	for _, it := range items {
		if it.DecodeError != "" {
			t.Fatalf("%s %s rejected by the agent: %s", it.Kind, it.SourceID, it.DecodeError)
		}
		if it.Kind == protocol.KindDayClose {
			var d domain.DayClose
			if err := json.Unmarshal(it.Data, &d); err != nil {
				t.Fatal(err)
			}
			if err := d.Validate(); err != nil || !d.Computed {
				t.Fatalf("day close %s (computed %v): %v", d.SourceID, d.Computed, err)
			}
			zs = append(zs, d)
			continue
		}
		var rc domain.Receipt
		if err := json.Unmarshal(it.Data, &rc); err != nil {
			t.Fatal(err)
		}
		if err := rc.Validate(); err != nil {
			t.Fatalf("receipt %s (number %s) is invalid: %v", rc.SourceID, rc.Number, err)
		}
		if !rc.Total.Equal(paid[rc.SourceID]) || !rc.VAT.Equal(taxVAT[rc.SourceID]) {
			t.Fatalf("receipt %s: total %s VAT %s; uniCenta: paid %s, taxlines %s", rc.SourceID, rc.Total, rc.VAT, paid[rc.SourceID], taxVAT[rc.SourceID])
		}
		lineVAT := decimal.Zero
		for _, l := range rc.Lines {
			lineVAT = lineVAT.Add(l.VAT)
		}
		if !lineVAT.Equal(rc.VAT) {
			lineVATDiffers++
		}
		if !rc.Rounding.IsZero() {
			rounded++
		}
		switch rc.Type {
		case domain.Return:
			refunds++
			if rc.OriginalSourceID == "" {
				t.Fatalf("refund %s names no original sale", rc.SourceID)
			}
		case domain.Invoice:
			invoices++
			if rc.Buyer == nil || rc.Buyer.VATCode == "" {
				t.Fatalf("invoice %s has no buyer VAT code: %+v", rc.SourceID, rc.Buyer)
			}
		}
		receipts[rc.SourceID] = rc
	}
	if refunds == 0 || invoices == 0 || lineVATDiffers == 0 {
		t.Fatalf("the sample lacks a case: %d refunds, %d invoices, %d receipts whose lines' VAT differs from uniCenta's: pick another seed", refunds, invoices, lineVATDiffers)
	}
	t.Logf("400 receipts: %d refunds, %d invoices; %d have line VAT a cent off uniCenta's taxlines (the POS's is booked), %d a conversion rounding", refunds, invoices, lineVATDiffers, rounded)

	// A computed Z is the sum of its session's receipts, as shipped.
	counted := 0
	for _, z := range zs {
		total := decimal.Zero
		n := 0
		for _, rc := range receipts {
			if rc.SessionID == z.SourceID {
				total, n = total.Add(rc.Total), n+1
			}
		}
		if n != z.ReceiptsCount || !total.Equal(z.Total) {
			t.Fatalf("Z %s of %s: %d receipts, total %s; its receipts: %d, %s", z.ZNumber, z.Register, z.ReceiptsCount, z.Total, n, total)
		}
		counted += n
	}
	if counted != len(receipts) {
		t.Fatalf("the day closes count %d receipts of %d", counted, len(receipts))
	}
}
