package books_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"tiltas/cloud/books"
	"tiltas/cloud/db"
	"tiltas/cloud/posting"
	"tiltas/internal/dbtest"
	"tiltas/internal/fixture"
)

// What Settings shows is what posting does: every operation type's debit and credit accounts,
// changed in the settings, are the accounts its documents' entries use, and the sample chart's
// defaults are no longer used for it.
func TestOperationTypesDrivePosting(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.DB, _ string) {
		ctx := context.Background()
		who := fixture.Tenant(t, s, "Shop", "S1")
		tenant := who.TenantID
		ops, err := s.OperationTypes(ctx, tenant)
		if err != nil {
			t.Fatal(err)
		}
		// Each operation type gets two accounts of its own: 91n1 debited, 91n2 credited.
		want := map[string][2]string{}
		before := map[string][2]string{}
		for i, o := range ops {
			dr, cr := fmt.Sprintf("91%d1", i), fmt.Sprintf("91%d2", i)
			for _, code := range []string{dr, cr} {
				if err := s.SaveAccount(ctx, tenant, db.Account{Code: code, Name: "For " + o.Code, Kind: "asset", Active: true}); err != nil {
					t.Fatal(err)
				}
			}
			before[o.Code] = [2]string{o.Debit, o.Credit}
			o.Debit, o.Credit = dr, cr
			if err := s.SaveOperationType(ctx, tenant, o); err != nil {
				t.Fatal(err)
			}
			want[o.Code] = [2]string{dr, cr}
		}
		b := books.New(s)
		fx := fixture.PostingReceipts(t)
		// Goods received, then a sale (written off), an SF invoice and a return, booked alone.
		var in []books.StockInLine
		for _, bc := range []string{"4770001", "4770002", "9780003", "4770004", "SRV-WRAP"} {
			in = append(in, books.StockInLine{Barcode: bc, Qty: fixture.D("100"), UnitCost: fixture.D("1.00")})
		}
		if _, err := b.StockIn(ctx, tenant, "", "2026-11-01", "in", in); err != nil {
			t.Fatal(err)
		}
		fixture.Ingest(t, s, who, "s", fx["101"], fx["103"], fx["102"])
		// A second store books its day by Z report: day sheets.
		tok, err := s.EnrollAgent(ctx, tenant, "S2", "")
		if err != nil {
			t.Fatal(err)
		}
		s2, err := s.AuthAgent(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetStorePOSMode(ctx, tenant, "S2", "dayclose"); err != nil {
			t.Fatal(err)
		}
		fixture.Ingest(t, s, s2, "s", fx["101"], fx["103"])
		fixture.IngestZ(t, s, s2, "s", fixture.PostingDayClose(t))
		if res, err := b.PostPending(ctx, 100); err != nil || res.Failed != 0 {
			t.Fatalf("posting: %+v %v", res, err)
		}
		// Marketplace sales, one with a VAT invoice.
		id, err := s.CreateMarketAccount(ctx, tenant, "amazon", "A", []byte(`{}`), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		acct := db.MarketAccount{ID: id, TenantID: tenant, Kind: "amazon", Name: "A"}
		sale := func(id string, invoice bool) posting.Order {
			return posting.Order{Market: "amazon", ID: id, Status: "Shipped", PurchasedAt: time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC), Currency: "EUR",
				ShipTo: "LT", Invoice: invoice, Buyer: posting.OrderBuyer{Key: id + "@example.com"},
				Lines: []posting.OrderLine{{Kind: posting.LineGoods, SKU: "4770001", Name: "Duona", Qty: fixture.D("1"), UnitGross: fixture.D("12.10")}}}
		}
		// VAT due under OSS goes to the account the settings name, not 4493.
		if err := s.SaveAccount(ctx, tenant, db.Account{Code: "9199", Name: "OSS VAT", Kind: "liability", Active: true}); err != nil {
			t.Fatal(err)
		}
		p, err := s.POSSettings(ctx, tenant)
		if err != nil || p.OSSVATAccount != "4493" || p.HomeCountry != "LT" {
			t.Fatalf("defaults: %+v %v", p, err)
		}
		p.HomeCountry = "XX"
		if err := s.SetPOSSettings(ctx, tenant, p); err == nil {
			t.Error("a home country that is no member state was taken")
		}
		p.OSSVATAccount, p.HomeCountry = "9199", ""
		if err := s.SetPOSSettings(ctx, tenant, p); err != nil {
			t.Fatal(err)
		}
		if p, _ := s.POSSettings(ctx, tenant); p.OSSVATAccount != "9199" || p.HomeCountry != "LT" {
			t.Fatalf("after the change (home country left empty keeps LT): %+v", p)
		}
		oss := sale("m3", false)
		oss.ShipTo = "DE"
		if _, err := s.SaveOrders(ctx, acct, []posting.Order{sale("m1", false), sale("m2", true), oss}); err != nil {
			t.Fatal(err)
		}
		rules := posting.OrderRules{PostStatuses: map[string]bool{"Shipped": true}, CreateMissing: true}
		if res, err := b.PostOrders(ctx, acct, rules); err != nil || res.Posted != 3 {
			t.Fatalf("orders: %+v %v", res, err)
		}

		// Every operation type was booked, with its own accounts and none of the defaults.
		docs, err := s.Documents(ctx, db.DocQuery{TenantID: tenant})
		if err != nil {
			t.Fatal(err)
		}
		used := map[string]map[string]bool{}
		for _, sum := range docs {
			doc, err := s.Document(ctx, tenant, sum.ID)
			if err != nil {
				t.Fatal(err)
			}
			if used[doc.Op] == nil {
				used[doc.Op] = map[string]bool{}
			}
			for _, e := range doc.Entries {
				for _, m := range e.Moves {
					used[doc.Op][m.Debit], used[doc.Op][m.Credit] = true, true
				}
			}
		}
		if !used[posting.OpMarket]["9199"] || used[posting.OpMarket]["4493"] {
			t.Errorf("OSS VAT: marketplace sales used %v, want 9199 and not 4493", used[posting.OpMarket])
		}
		for code, accts := range want {
			got := used[code]
			if got == nil {
				t.Errorf("operation type %s: nothing booked", code)
				continue
			}
			for _, a := range accts {
				if !got[a] {
					t.Errorf("operation type %s does not use its account %s: it used %v", code, a, got)
				}
			}
			for _, a := range before[code] {
				if got[a] {
					t.Errorf("operation type %s still uses the default account %s: it used %v", code, a, got)
				}
			}
		}
	})
}
