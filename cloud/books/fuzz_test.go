package books_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/cloud/books"
	"tiltas/cloud/db"
	"tiltas/internal/dbtest"
	"tiltas/internal/fixture"
	"tiltas/shared/domain"
)

// book drives random operations against the books and checks the invariants after each:
// the trial balance sums to zero, the inventory account equals the stock's value, no stock goes
// negative, every series is gapless, and a refused operation changes nothing.
type book struct {
	t     testing.TB
	s     *db.DB
	who   db.AgentIdentity
	next  int
	sales []domain.Receipt
}

var fuzzItems = []struct {
	bc    string
	price string
	rate  string
}{{"F1", "1.99", "21"}, {"F2", "0.89", "9"}, {"F3", "12.50", "5"}, {"F4", "3.33", "21"}, {"F5", "7.00", "0"}, {"NOSTOCK", "2.00", "21"}}

func (b *book) receipt(rng *rand.Rand, typ domain.ReceiptType, lines []domain.Line) domain.Receipt {
	b.next++
	r := domain.Receipt{SourceID: fmt.Sprint("f", b.next), Register: "R01", SessionID: "1", Number: fmt.Sprint(b.next), Type: typ,
		OpenedAt: mustTime("2026-11-02T10:00:00Z"), ClosedAt: mustTime("2026-11-02T10:00:00Z").Add(timeMinutes(b.next)), Lines: lines}
	sum := decimal.Zero
	for _, l := range lines {
		sum, r.VAT = sum.Add(l.Total), r.VAT.Add(l.VAT)
	}
	if rng.IntN(2) == 0 {
		step := fixture.D("0.05")
		r.Total = sum.Div(step).Round(0).Mul(step)
		r.Rounding = r.Total.Sub(sum)
		r.Payments = []domain.Payment{{Code: "CASH", Amount: r.Total}}
	} else {
		r.Total = sum
		r.Payments = []domain.Payment{{Code: "CARD", Amount: sum}}
	}
	if typ == domain.Invoice {
		r.Buyer = &domain.Buyer{Code: "30000" + fmt.Sprint(rng.IntN(3)), Name: "UAB X"}
	}
	return r
}

type snapshot struct{ docs, entries, postings, moves, unresolved int }

func (b *book) snap() snapshot {
	var s snapshot
	for table, dst := range map[string]*int{"documents": &s.docs, "journal_entries": &s.entries, "postings": &s.postings, "stock_moves": &s.moves, "unresolved_lines": &s.unresolved} {
		if err := b.s.DB().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(dst); err != nil {
			b.t.Fatal(err)
		}
	}
	return s
}

func (b *book) refused(what string, err error, before snapshot) {
	b.t.Helper()
	var inv *db.InvalidError
	if err == nil || !(errors.As(err, &inv) || errors.Is(err, db.ErrNotFound)) {
		b.t.Fatalf("%s: want a refusal, got %v", what, err)
	}
	if after := b.snap(); after != before {
		b.t.Fatalf("%s was refused but changed the books: %+v → %+v", what, before, after)
	}
}

func (b *book) step(rng *rand.Rand) {
	ctx := context.Background()
	tenant := b.who.TenantID
	switch op := rng.IntN(8); op {
	case 0: // goods in
		it := fuzzItems[rng.IntN(len(fuzzItems)-1)]
		_, err := books.New(b.s).StockIn(ctx, tenant, "", "2026-11-01", fmt.Sprint("in", b.next, op, rng.Int()), []books.StockInLine{
			{Barcode: it.bc, Qty: decimal.NewFromInt(int64(1 + rng.IntN(20))), UnitCost: decimal.New(int64(10+rng.IntN(900)), -2)}})
		if err != nil {
			b.t.Fatal(err)
		}
	case 1, 2: // a sale or an SF invoice
		var lines []domain.Line
		for i := 0; i < 1+rng.IntN(3); i++ {
			it := fuzzItems[rng.IntN(len(fuzzItems))]
			q := decimal.NewFromInt(int64(1 + rng.IntN(3)))
			tot := q.Mul(fixture.D(it.price))
			lines = append(lines, domain.Line{No: i + 1, Barcode: it.bc, Name: it.bc, Quantity: q, UnitPrice: fixture.D(it.price), Discount: decimal.Zero, VATRate: fixture.D(it.rate), Total: tot, VAT: domain.LineVAT(tot, fixture.D(it.rate))})
		}
		typ := domain.Sale
		if op == 2 {
			typ = domain.Invoice
		}
		r := b.receipt(rng, typ, lines)
		fixture.Ingest(b.t, b.s, b.who, "fuzz", r)
		b.sales = append(b.sales, r)
	case 3: // a return of part of an earlier sale
		if len(b.sales) == 0 {
			return
		}
		orig := b.sales[rng.IntN(len(b.sales))]
		l := orig.Lines[0]
		l.Quantity, l.Total, l.VAT, l.Discount = l.Quantity.Neg(), l.Total.Neg(), l.VAT.Neg(), l.Discount.Neg()
		r := b.receipt(rng, domain.Return, []domain.Line{l})
		r.OriginalSourceID = orig.SourceID
		fixture.Ingest(b.t, b.s, b.who, "fuzz", r)
	case 4: // cancel a document; refused when its goods have left since
		docs, _ := b.s.Documents(ctx, db.DocQuery{TenantID: tenant, Limit: db.PageMax})
		if len(docs) == 0 {
			return
		}
		doc := docs[rng.IntN(len(docs))]
		before := b.snap()
		err := books.New(b.s).Cancel(ctx, tenant, doc.ID, "fuzz")
		if doc.Status != "posted" || err != nil {
			b.refused(fmt.Sprintf("cancel %s%d (%s)", doc.Series, doc.Number, doc.Status), err, before)
		}
	case 5: // resolve an unresolved line: done, or refused for lack of stock
		un, _ := b.s.Unresolved(ctx, tenant, 0, true)
		if len(un) == 0 {
			return
		}
		before := b.snap()
		if _, err := books.New(b.s).Resolve(ctx, tenant, un[rng.IntN(len(un))].ID, ""); err != nil {
			b.refused("resolve", err, before)
		}
	case 6: // operations that must be refused whole
		before := b.snap()
		_, err := books.New(b.s).StockIn(ctx, tenant, "", "2026-11-01", fmt.Sprint("bad", rng.Int()), []books.StockInLine{
			{Barcode: "F1", Qty: fixture.D("1"), UnitCost: fixture.D("1")}, {Barcode: "F2", Qty: fixture.D("-1"), UnitCost: fixture.D("1")}})
		b.refused("stock-in with a negative line", err, before)
		b.refused("cancel of a missing document", books.New(b.s).Cancel(ctx, tenant, 999999, "fuzz"), before)
	case 7: // post what has arrived
	}
	if _, err := books.New(b.s).PostPending(ctx, 1000); err != nil {
		b.t.Fatal(err)
	}
	b.check()
}

func (b *book) check() {
	b.t.Helper()
	fixture.StockValue(b.t, b.s, b.who.TenantID) // includes: the trial balance sums to zero
	bs, _ := b.s.StockBalances(context.Background(), b.who.TenantID, "")
	for _, x := range bs {
		if x.Qty.IsNegative() || x.Value.IsNegative() {
			b.t.Fatalf("stock went negative: %+v", x)
		}
		if x.Qty.IsZero() && !x.Value.IsZero() {
			b.t.Fatalf("no goods but value left: %+v", x)
		}
	}
	rows, err := b.s.DB().Query(`SELECT series, COUNT(*), MAX(number) FROM documents WHERE tenant_id = ? GROUP BY series`, b.who.TenantID)
	if err != nil {
		b.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var series string
		var n, maxN int
		rows.Scan(&series, &n, &maxN)
		if n != maxN {
			b.t.Fatalf("series %s has %d documents numbered up to %d: a gap or a repeat", series, n, maxN)
		}
	}
	var failures int
	b.s.DB().QueryRow(`SELECT COUNT(*) FROM posting_failures WHERE tenant_id = ?`, b.who.TenantID).Scan(&failures)
	if failures != 0 {
		f, _ := b.s.PostingFailures(context.Background(), b.who.TenantID)
		b.t.Fatalf("valid receipts were refused: %+v", f)
	}
}

// TestPostingInvariants is the seeded run that make test includes.
func TestPostingInvariants(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.DB, _ string) {
		for seed := uint64(1); seed <= 3; seed++ {
			t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
				b := &book{t: t, s: s, who: fixture.Tenant(t, s, fmt.Sprint("Fuzz", seed), "S1")}
				rng := rand.New(rand.NewPCG(seed, 99))
				for i := 0; i < 120; i++ {
					b.step(rng)
				}
			})
		}
	})
}

// FuzzPosting explores other operation sequences: go test -fuzz FuzzPosting ./cloud/books
func FuzzPosting(f *testing.F) {
	f.Add(uint64(1), uint64(2))
	f.Add(uint64(42), uint64(7))
	f.Fuzz(func(t *testing.T, a, c uint64) {
		s, err := db.Open(context.Background(), "sqlite:"+t.TempDir()+"/f.db", dbtest.Options())
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		b := &book{t: t, s: s, who: fixture.Tenant(t, s, "Fuzz", "S1")}
		rng := rand.New(rand.NewPCG(a, c))
		for i := 0; i < 40; i++ {
			b.step(rng)
		}
	})
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func timeMinutes(n int) time.Duration { return time.Duration(n) * time.Minute }
