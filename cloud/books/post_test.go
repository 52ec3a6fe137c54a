package books_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"tiltas/cloud/books"
	"tiltas/cloud/db"
	"tiltas/cloud/posting"
	"tiltas/internal/dbtest"
	"tiltas/internal/fixture"
	"tiltas/shared/domain"
)

func TestPostingFlow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.DB, _ string) {
		ctx := context.Background()
		who := fixture.Tenant(t, s, "Shop", "S1")
		fx := fixture.PostingReceipts(t)
		if _, err := s.SaveCard(ctx, who.TenantID, domain.Card{Barcode: "SRV-WRAP", Name: "Vyniojimas", Unit: "vnt.", PriceNet: fixture.D("1.00"), PriceGross: fixture.D("1.21"), VATRate: fixture.D("21"), Service: true, Active: true}, true); err != nil {
			t.Fatal(err)
		}
		// Goods in: bread 10 at 1.00, milk 2 kg at 2.00, coffee 5 at 1.50 (not enough for the SF's 10).
		if _, err := books.New(s).StockIn(ctx, who.TenantID, "", "2026-11-01", "delivery-1", []books.StockInLine{
			{Barcode: "4770001", Name: "Duona", Qty: fixture.D("10"), UnitCost: fixture.D("1.00")},
			{Barcode: "4770002", Name: "Pienas", Qty: fixture.D("2"), UnitCost: fixture.D("2.00")},
			{Barcode: "4770004", Name: "Kava", Qty: fixture.D("5"), UnitCost: fixture.D("1.50")},
		}); err != nil {
			t.Fatal(err)
		}
		// The same delivery again is a no-op.
		if _, err := books.New(s).StockIn(ctx, who.TenantID, "", "2026-11-01", "delivery-1", []books.StockInLine{{Barcode: "4770001", Qty: fixture.D("10"), UnitCost: fixture.D("1.00")}}); err != nil {
			t.Fatal(err)
		}
		if v := fixture.StockValue(t, s, who.TenantID); !v.Equal(fixture.D("21.50")) {
			t.Fatalf("stock worth %s after the delivery, want 21.50", v)
		}
		fixture.Ingest(t, s, who, "s", fx["101"], fx["102"], fx["103"])
		res, err := books.New(s).PostPending(ctx, 100)
		if err != nil || res.Posted != 3 || res.Failed != 0 {
			t.Fatalf("post: %+v %v", res, err)
		}
		docs, _ := s.Documents(ctx, db.DocQuery{TenantID: who.TenantID})
		var got []string
		for _, d := range docs {
			got = append(got, fmt.Sprintf("%s%d %s %s", d.Series, d.Number, d.Total.StringFixed(2), d.Status))
		}
		want := []string{"PAJ1 21.50 posted", "KVT1 17.45 posted", "NUR1 2.91 posted", "GRZ1 -3.88 posted", "NUR2 -2.00 posted", "SF1 25.41 posted"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("documents\n got %v\nwant %v", got, want)
		}
		// KVT1 wrote off bread 2 × 1.00 and milk 0.455 × 2.00 = 0.91; the return put the bread back
		// at the 1.00 it left with; the book (9780003) has no stock and the SF's coffee is short.
		un, _ := s.Unresolved(ctx, who.TenantID, 0, true)
		if len(un) != 2 || un[0].Barcode != "9780003" || un[1].Barcode != "4770004" {
			t.Fatalf("unresolved %+v", un)
		}
		b := fixture.Balances(t, s, who.TenantID)
		for acct, want := range map[string]string{"2721": "17.45", "2712": "21.53", "4492": "-5.11", "5000": "-36.10", "5001": "-1.00", "5090": "3.21", "5009": "0.02", "6000": "0.91", "4430": "-21.50"} {
			if b[acct] != want {
				t.Errorf("account %s = %s, want %s", acct, b[acct], want)
			}
		}
		fixture.StockValue(t, s, who.TenantID)
		// Replaying the posting (a crash between ingest and posting, or a second poster) books nothing twice.
		if _, err := s.DB().ExecContext(ctx, `UPDATE receipts SET post_state = 0`); err != nil {
			t.Fatal(err)
		}
		if res, err := books.New(s).PostPending(ctx, 100); err != nil || res.Failed != 0 {
			t.Fatalf("replay: %+v %v", res, err)
		}
		if again, _ := s.Documents(ctx, db.DocQuery{TenantID: who.TenantID}); len(again) != len(docs) {
			t.Fatalf("replay made %d documents, had %d", len(again), len(docs))
		}
		// Resolve the coffee after more stock arrives.
		if _, err := books.New(s).Resolve(ctx, who.TenantID, un[1].ID, ""); err == nil {
			t.Fatal("resolved without stock")
		}
		if _, err := books.New(s).StockIn(ctx, who.TenantID, "", "2026-11-03", "delivery-2", []books.StockInLine{{Barcode: "4770004", Name: "Kava", Qty: fixture.D("5"), UnitCost: fixture.D("1.80")}}); err != nil {
			t.Fatal(err)
		}
		if _, err := books.New(s).Resolve(ctx, who.TenantID, un[1].ID, ""); err != nil {
			t.Fatal(err)
		}
		// 21.50 in, 2.91 out with the sale, 2.00 back with the return, 9.00 in, and all ten coffees
		// (5 at 1.50 + 5 at 1.80 = 16.50) out for the SF: 13.09.
		if v := fixture.StockValue(t, s, who.TenantID); !v.Equal(fixture.D("13.09")) {
			bs, _ := s.StockBalances(ctx, who.TenantID, "")
			t.Fatalf("stock worth %s, want 13.09: %+v", v, bs)
		}
		// Cancel the sale: it keeps its number, gets a reversal, and its write-off is undone.
		kvt := docs[1]
		before := fixture.StockValue(t, s, who.TenantID)
		if err := books.New(s).Cancel(ctx, who.TenantID, kvt.ID, "acc@shop.lt"); err != nil {
			t.Fatal(err)
		}
		detail, _ := s.Document(ctx, who.TenantID, kvt.ID)
		if detail.Status != "cancelled" || detail.Number != 1 || len(detail.Entries) != 2 || detail.Entries[1].Reverses != detail.Entries[0].ID {
			t.Fatalf("cancelled document %+v", detail.DocSummary)
		}
		if detail.CancelledBy != "acc@shop.lt" || detail.CancelDate != detail.Entries[1].Date {
			t.Fatalf("cancelled by %q on %q; the reversal is dated %s", detail.CancelledBy, detail.CancelDate, detail.Entries[1].Date)
		}
		if wo, _ := s.Documents(ctx, db.DocQuery{TenantID: who.TenantID, Op: "writeoff"}); len(wo) == 0 || func() bool {
			for _, w := range wo {
				if w.RelatedID == kvt.ID && (w.Status != "cancelled" || w.CancelledBy != "acc@shop.lt") {
					return true
				}
			}
			return false
		}() {
			t.Fatalf("the sale's write-off is not cancelled with it, by the same person: %+v", wo)
		}
		if after := fixture.StockValue(t, s, who.TenantID); !after.Sub(before).Equal(fixture.D("2.91")) {
			t.Fatalf("cancelling the sale moved stock by %s, want +2.91", after.Sub(before))
		}
		if err := books.New(s).Cancel(ctx, who.TenantID, kvt.ID, "acc@shop.lt"); err == nil {
			t.Fatal("cancelled twice")
		}
		if b := fixture.Balances(t, s, who.TenantID); b["2721"] != "0.00" && b["2721"] != "" {
			t.Fatalf("cash after cancelling the only cash sale: %s", b["2721"])
		}
	})
}

// 50 goroutines post into one series at once: numbers 1..N, no gap, no repeat.
func TestSeriesUnderConcurrency(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.DB, _ string) {
		ctx := context.Background()
		who := fixture.Tenant(t, s, "Shop", "S1")
		base := fixture.PostingReceipts(t)["101"]
		const n = 200
		var rs []domain.Receipt
		for i := 0; i < n; i++ {
			r := base
			r.SourceID, r.Number = fmt.Sprint(1000+i), fmt.Sprint("N", i)
			rs = append(rs, r)
		}
		fixture.Ingest(t, s, who, "s", rs...)
		// 50 posters at once (as on 50 replicas), each booking small batches until nothing waits.
		var wg sync.WaitGroup
		errs := make(chan error, 50)
		for g := 0; g < 50; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				b := books.New(s)
				for {
					res, err := b.PostPending(ctx, 4)
					if err != nil {
						errs <- err
						return
					}
					if res.Posted+res.Failed+res.Deferred == 0 {
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		docs, _ := s.Documents(ctx, db.DocQuery{TenantID: who.TenantID, Series: "KVT", Limit: db.PageMax})
		var nums []int
		for _, d := range docs {
			nums = append(nums, int(d.Number))
		}
		sort.Ints(nums)
		if len(nums) != n {
			t.Fatalf("%d KVT documents, want %d", len(nums), n)
		}
		for i, num := range nums {
			if num != i+1 {
				t.Fatalf("series KVT has %d at position %d: a gap or a repeat", num, i+1)
			}
		}
		fixture.Balances(t, s, who.TenantID)
	})
}

// Closed books take nothing dated into them: late receipts and cancellations are booked on the
// first open day, saying so; goods receipts dated into them are refused; reopening restores.
func TestClosedBooks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.DB, _ string) {
		ctx := context.Background()
		who := fixture.Tenant(t, s, "Shop", "S1")
		set, _ := s.POSSettings(ctx, who.TenantID)
		set.AutoWriteOff = false
		s.SetPOSSettings(ctx, who.TenantID, set)
		dbtest.ClockOf(s).Set(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
		defer dbtest.ClockOf(s).Reset()
		var inv *db.InvalidError
		if err := s.CloseBooks(ctx, who.TenantID, "30 November"); !errors.As(err, &inv) {
			t.Fatalf("a bad date: %v", err)
		}
		if err := s.CloseBooks(ctx, who.TenantID, "2026-11-30"); err != nil {
			t.Fatal(err)
		}
		fx := fixture.PostingReceipts(t)
		fixture.Ingest(t, s, who, "s", fx["101"]) // sold on 2 November
		if _, err := books.New(s).PostPending(ctx, 10); err != nil {
			t.Fatal(err)
		}
		docs, _ := s.Documents(ctx, db.DocQuery{TenantID: who.TenantID})
		if len(docs) != 1 || docs[0].Date != "2026-12-01" {
			t.Fatalf("a receipt of a closed month: %+v", docs)
		}
		detail, _ := s.Document(ctx, who.TenantID, docs[0].ID)
		if e := detail.Entries[0]; e.Date != "2026-12-01" || !strings.Contains(e.Memo, "the books are closed up to 2026-11-30") {
			t.Fatalf("its entry: %s %q", e.Date, e.Memo)
		}
		if vs, _ := s.VATSummary(ctx, who.TenantID, "2026-11-01", "2026-11-30"); len(vs.Rows) != 1 {
			t.Fatalf("the closed month gained rows: %v", vs.Rows)
		}
		if _, err := books.New(s).StockIn(ctx, who.TenantID, "", "2026-11-20", "late", []books.StockInLine{{Barcode: "X", Name: "X", Qty: fixture.D("1"), UnitCost: fixture.D("1")}}); !errors.As(err, &inv) || !strings.Contains(err.Error(), "closed up to 2026-11-30") {
			t.Fatalf("goods received into closed books: %v", err)
		}
		if _, err := books.New(s).StockIn(ctx, who.TenantID, "", "2026-12-02", "on time", []books.StockInLine{{Barcode: "X", Name: "X", Qty: fixture.D("1"), UnitCost: fixture.D("1")}}); err != nil {
			t.Fatal(err)
		}
		// Cancelled on 25 November, inside the closed books: the reversal goes to 1 December.
		if err := books.New(s).Cancel(ctx, who.TenantID, docs[0].ID, "acc@shop.lt"); err != nil {
			t.Fatal(err)
		}
		if detail, _ = s.Document(ctx, who.TenantID, docs[0].ID); detail.CancelDate != "2026-12-01" || detail.Entries[1].Date != "2026-12-01" {
			t.Fatalf("a cancellation in closed books: %s %s", detail.CancelDate, detail.Entries[1].Date)
		}
		if err := s.CloseBooks(ctx, who.TenantID, ""); err != nil {
			t.Fatal(err)
		}
		fixture.Ingest(t, s, who, "s", fx["103"])
		books.New(s).PostPending(ctx, 10)
		docs, _ = s.Documents(ctx, db.DocQuery{TenantID: who.TenantID, Op: "invoice"})
		if len(docs) != 1 || docs[0].Date >= "2026-12-01" {
			t.Fatalf("after reopening, a receipt keeps its day: %+v", docs)
		}
		if got, _ := s.BooksClosedUntil(ctx, who.TenantID); got != "" {
			t.Fatalf("reopened books say %q", got)
		}
	})
}

// A store's start date set in the cloud: receipts and Z reports closed before it are held as
// history, listed as such and never booked; those from it on are booked as before.
func TestStartDateHistory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.DB, _ string) {
		ctx := context.Background()
		who := fixture.Tenant(t, s, "Shop", "S1")
		fx := fixture.PostingReceipts(t)
		old, fresh := fx["101"], fx["103"] // closed on 2 November
		fresh.SourceID, fresh.ClosedAt = "103-dec", time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
		if err := s.SetStoreStart(ctx, who.TenantID, "S1", "2026-12-01", true); err != nil {
			t.Fatal(err)
		}
		fixture.Ingest(t, s, who, "s", old, fresh)
		z := fixture.PostingDayClose(t) // closed in November too
		fixture.IngestZ(t, s, who, "s", z)
		if _, err := books.New(s).PostPending(ctx, 10); err != nil {
			t.Fatal(err)
		}
		docs, _ := s.Documents(ctx, db.DocQuery{TenantID: who.TenantID})
		if len(docs) != 1 || docs[0].Date != "2026-12-02" {
			t.Fatalf("documents %+v: want only the December invoice", docs)
		}
		rs, _ := s.Receipts(ctx, db.Query{TenantID: who.TenantID, Limit: 10})
		states := map[string]string{}
		for _, r := range rs {
			states[r.SourceID] = r.Posting
		}
		if states[old.SourceID] != "history" || states[fresh.SourceID] != "booked" {
			t.Fatalf("posting states %v", states)
		}
		zs, _ := s.DayCloses(ctx, db.Query{TenantID: who.TenantID, Limit: 10})
		if len(zs) != 1 || zs[0].Posting != "history" {
			t.Fatalf("the November Z: %+v", zs)
		}
		st, _ := s.StoreByCode(ctx, who.TenantID, "S1")
		if ss, _ := s.StoreStatus(ctx, st); ss.StartDate != "2026-12-01" || ss.StartSource != "cloud" || !ss.StartHistory {
			t.Fatalf("store status %+v", ss)
		}
		if d, h, _ := s.StoreStart(ctx, who.StoreID); d != "2026-12-01" || !h {
			t.Fatalf("the agent's welcome would say %q %v", d, h)
		}
		// The accountant moves the date back: what was history is looked at again and booked.
		if err := s.SetStoreStart(ctx, who.TenantID, "S1", "", false); err != nil {
			t.Fatal(err)
		}
		if _, err := books.New(s).PostPending(ctx, 10); err != nil {
			t.Fatal(err)
		}
		if docs, _ := s.Documents(ctx, db.DocQuery{TenantID: who.TenantID}); len(docs) != 2 {
			t.Fatalf("after clearing the start date: %+v", docs)
		}
	})
}

// In day-sheet mode a cash session that straddles the start date is decided by its Z report:
// a Z from the start date on books its whole session, and its SF invoice from before the date
// is booked alone as always, not lost between the day sheet (which leaves it out) and history.
func TestStartDateSessionInDaySheetMode(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.DB, _ string) {
		ctx := context.Background()
		who := fixture.Tenant(t, s, "Shop", "S1")
		set, _ := s.POSSettings(ctx, who.TenantID)
		set.Mode, set.AutoWriteOff = "dayclose", false
		if err := s.SetPOSSettings(ctx, who.TenantID, set); err != nil {
			t.Fatal(err)
		}
		fx := fixture.PostingReceipts(t)
		sale, inv := fx["101"], fx["103"]
		inv.ClosedAt = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC) // 2 November, before the start
		z := fixture.PostingDayClose(t)                              // session 9, closed on 3 November (Vilnius)
		if err := s.SetStoreStart(ctx, who.TenantID, "S1", "2026-11-03", true); err != nil {
			t.Fatal(err)
		}
		fixture.Ingest(t, s, who, "s", sale, inv)
		fixture.IngestZ(t, s, who, "s", z)
		for range 3 { // receipts wait for their Z to decide
			if _, err := books.New(s).PostPending(ctx, 10); err != nil {
				t.Fatal(err)
			}
		}
		docs, _ := s.Documents(ctx, db.DocQuery{TenantID: who.TenantID})
		ops := map[string]int{}
		for _, d := range docs {
			ops[d.Op]++
		}
		if ops[posting.OpInvoice] != 1 || ops[posting.OpDaySheet] != 3 || len(docs) != 4 {
			t.Fatalf("documents %v: want the SF alone and 3 day sheets", ops)
		}
		rs, _ := s.Receipts(ctx, db.Query{TenantID: who.TenantID, Limit: 10})
		for _, r := range rs {
			if want := map[string]string{"101": "in_day_sheet", "103": "booked"}[r.SourceID]; r.Posting != want {
				t.Errorf("receipt %s is %s, want %s", r.SourceID, r.Posting, want)
			}
		}
	})
}
