package db_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"tiltas/cloud/db"
	"tiltas/cloud/rates"
	"tiltas/internal/fixture"
	"tiltas/shared/domain"
	"tiltas/shared/protocol"
)

func card(barcode, name string) domain.Card {
	return domain.Card{Barcode: barcode, Name: name, Unit: "vnt.", PriceNet: fixture.D("1.00"), PriceGross: fixture.D("1.21"), VATRate: fixture.D("21"), Active: true}
}

func TestCatalogueVersions(t *testing.T) {
	eachStore(t, func(t *testing.T, s *db.DB, _ string) {
		ctx := context.Background()
		who := fixture.Tenant(t, s, "Shop", "S1")
		other := fixture.Tenant(t, s, "Other", "S1")
		c1, err := s.SaveCard(ctx, who.TenantID, card("1", "Duona"), true)
		if err != nil || c1.Version != 1 {
			t.Fatalf("create: %+v %v", c1, err)
		}
		if _, err := s.SaveCard(ctx, who.TenantID, card("1", "Kita"), true); !errors.Is(err, db.ErrExists) {
			t.Fatalf("duplicate barcode: %v", err)
		}
		if _, err := s.SaveCard(ctx, who.TenantID, card("9", "X"), false); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("update of a missing card: %v", err)
		}
		if c, err := s.Card(ctx, who.TenantID, "1"); err != nil || c.Name != "Duona" {
			t.Fatalf("card 1: %+v %v", c, err)
		}
		if _, err := s.Card(ctx, other.TenantID, "1"); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("another tenant's card: %v", err)
		}
		bad := card("2", "")
		if _, err := s.SaveCard(ctx, who.TenantID, bad, true); err == nil {
			t.Fatal("invalid card saved")
		}
		// Unchanged saves keep the version; changes take the next one.
		if c, _ := s.SaveCard(ctx, who.TenantID, card("1", "Duona"), false); c.Version != 1 {
			t.Fatalf("no-op update moved the version to %d", c.Version)
		}
		if c, _ := s.SaveCard(ctx, who.TenantID, card("1", "Duona balta"), false); c.Version != 2 {
			t.Fatalf("rename version %d", c.Version)
		}
		// The other tenant has its own barcode space and versions.
		if c, err := s.SaveCard(ctx, other.TenantID, card("1", "Svetima"), true); err != nil || c.Version != 1 {
			t.Fatalf("other tenant: %+v %v", c, err)
		}
		var cards []domain.Card
		for i := 0; i < 450; i++ {
			cards = append(cards, card(fmt.Sprint(1000+i), fmt.Sprint("Prekė ", i)))
		}
		cards = append(cards, card("1", "Duona balta")) // unchanged
		res, err := s.ImportCards(ctx, who.TenantID, cards)
		if err != nil || res.Created != 450 || res.Unchanged != 1 || res.Updated != 0 {
			t.Fatalf("import %+v %v", res, err)
		}
		if v, _ := s.CardsVersion(ctx, who.TenantID); v != 452 {
			t.Fatalf("version %d, want 452", v)
		}
		if _, err := s.Deactivate(ctx, who.TenantID, "1000"); err != nil {
			t.Fatal(err)
		}
		since, _ := s.CardsSince(ctx, who.TenantID, 450, 100)
		if len(since) != 3 || since[2].Barcode != "1000" || since[2].Active || since[2].Version != 453 {
			t.Fatalf("since 450: %+v", since)
		}
		// Acks and failures per store.
		st, _ := s.StoreByCode(ctx, who.TenantID, "S1")
		batch, _ := s.CardsSince(ctx, who.TenantID, 0, 500)
		if err := s.AckCards(ctx, st.ID, batch, &protocol.CardsAck{Upto: 453, Failed: []protocol.CardFailure{{Barcode: "1001", Message: "Data too long"}}}); err != nil {
			t.Fatal(err)
		}
		cs, err := s.CardStatus(ctx, st)
		if err != nil || cs.AckedVersion != 453 || cs.Pending != 0 || len(cs.Failures) != 1 || cs.Failures[0].Barcode != "1001" {
			t.Fatalf("card status %+v %v", cs, err)
		}
		fixed, _ := s.SaveCard(ctx, who.TenantID, card("1001", "Trumpas"), false)
		if cs, _ := s.CardStatus(ctx, st); cs.Pending != 1 {
			t.Fatalf("pending after a change: %+v", cs)
		}
		if err := s.AckCards(ctx, st.ID, []domain.Card{fixed}, &protocol.CardsAck{Upto: fixed.Version}); err != nil {
			t.Fatal(err)
		}
		if cs, _ := s.CardStatus(ctx, st); len(cs.Failures) != 0 {
			t.Fatalf("failure not cleared by a good ack: %+v", cs)
		}
		found, _ := s.Cards(ctx, who.TenantID, "balta", "", 10)
		if len(found) != 1 || found[0].Barcode != "1" {
			t.Fatalf("search: %+v", found)
		}
	})
}

// A card's VAT category is kept, changes its version, and reduced rates for categories are
// imported per tenant with every bad line named.
func TestVATCategoriesAndReducedRates(t *testing.T) {
	eachStore(t, func(t *testing.T, s *db.DB, _ string) {
		ctx := context.Background()
		who := fixture.Tenant(t, s, "Shop", "S1")
		other := fixture.Tenant(t, s, "Other", "S1")
		book := card("B1", "Knyga")
		book.VATRate, book.PriceGross = fixture.D("9"), fixture.D("1.09")
		c, err := s.SaveCard(ctx, who.TenantID, book, true)
		if err != nil {
			t.Fatal(err)
		}
		book.VATCategory = " Books "
		c2, err := s.SaveCard(ctx, who.TenantID, book, false)
		if err != nil || c2.Version == c.Version || c2.VATCategory != "books" {
			t.Fatalf("a new category is a change: %+v %v", c2, err)
		}
		if cards, _ := s.Cards(ctx, who.TenantID, "", "", 10); len(cards) != 1 || cards[0].VATCategory != "books" {
			t.Fatalf("stored card %+v", cards)
		}
		book.VATCategory = "knygos ir žurnalai"
		if _, err := s.SaveCard(ctx, who.TenantID, book, false); err == nil {
			t.Fatal("a malformed category was saved")
		}

		n, err := s.SaveReducedRates(ctx, who.TenantID, []rates.Reduced{{Country: "DE", Category: "books", Rate: fixture.D("7")}, {Country: "FR", Category: "books", Rate: fixture.D("5.5")},
			{Country: "PL", Category: "food", Rate: fixture.D("5")}})
		if err != nil || n != 3 {
			t.Fatalf("save: %d %v", n, err)
		}
		fixture.ReducedRates(t, s, who.TenantID, "DE;books;8\n") // replaces DE books
		got, _ := s.ReducedRates(ctx, who.TenantID)
		if fmt.Sprint(got) != "[{DE books 8} {FR books 5.5} {PL food 5}]" {
			t.Fatalf("reduced rates %v", got)
		}
		if theirs, _ := s.ReducedRates(ctx, other.TenantID); len(theirs) != 0 {
			t.Fatalf("another tenant sees %v", theirs)
		}
		if _, err := s.SaveReducedRates(ctx, who.TenantID, []rates.Reduced{{Country: "IT", Category: "books", Rate: fixture.D("4")}, {Country: "ES", Category: "books", Rate: fixture.D("4.125")}}); err == nil {
			t.Error("a rate with three decimals was saved")
		}
		if again, _ := s.ReducedRates(ctx, who.TenantID); fmt.Sprint(again) != fmt.Sprint(got) {
			t.Errorf("a refused save changed the rates: %v", again)
		}
	})
}
