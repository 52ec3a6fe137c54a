package items

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"tiltas/agent/profile"
	"tiltas/internal/testdb"
	"tiltas/possim"
	"tiltas/shared/domain"
)

func card(barcode, name string, active bool) domain.Card {
	return domain.Card{Barcode: barcode, Name: name, Unit: "vnt.", PriceNet: decimal.RequireFromString("1.00"),
		PriceGross: decimal.RequireFromString("1.21"), VATRate: decimal.RequireFromString("21"), Active: active}
}

func TestApplyThroughProfiles(t *testing.T) {
	ctx := context.Background()
	db, err := possim.OpenDB(ctx, testdb.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := possim.EnsureSchema(ctx, db); err != nil {
		t.Fatal(err)
	}
	text, _ := profile.Text(profile.Default)
	withDeactivate, err := profile.Parse(append(text, "\n[[cards.deactivate]]\nsql = \"UPDATE items SET active = 0, name = CONCAT(name, ' (off)') WHERE barcode = ?\"\nparams = [\"barcode\"]\n"...), "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		profile *profile.Profile
		want    string // the name of card B after it is deactivated
	}{
		{"reference (batched upsert)", nil, "B"},
		{"with cards.deactivate", withDeactivate, "B (off)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db.Exec(`DELETE FROM items`)
			w := &Writer{DB: db, Profile: tc.profile}
			failed, err := w.Apply(ctx, []domain.Card{card("A", "A", true), card("B", "B", true), card("C", strings.Repeat("x", 81), true)})
			if err != nil || len(failed) != 1 || failed[0].Barcode != "C" {
				t.Fatalf("first batch: %+v %v", failed, err)
			}
			if failed, err := w.Apply(ctx, []domain.Card{card("B", "B", false)}); err != nil || len(failed) != 0 {
				t.Fatalf("deactivate: %+v %v", failed, err)
			}
			var name string
			var active bool
			if err := db.QueryRow(`SELECT name, active FROM items WHERE barcode = 'B'`).Scan(&name, &active); err != nil || active || name != tc.want {
				t.Fatalf("B is %q active=%v (%v), want %q inactive", name, active, err, tc.want)
			}
			var n int
			db.QueryRow(`SELECT COUNT(*) FROM items`).Scan(&n)
			if n != 2 {
				t.Fatalf("%d cards in items, want 2", n)
			}
		})
	}
}

// Cards pushed by the cloud land in uniCenta's products through the shipped unicenta profile:
// 2,000 of them, in the catalogue, with the tax category of their rate and the net price kept
// as uniCenta keeps it (gross / (1 + rate), so its tills show the gross shelf price); a card at
// a rate uniCenta has no tax for is rejected, naming it; a deactivated card leaves the catalogue.
func TestCardsIntoUnicenta(t *testing.T) {
	ctx := context.Background()
	db, err := possim.OpenDB(ctx, testdb.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := possim.EnsureUnicentaSchema(ctx, db); err != nil {
		t.Fatal(err)
	}
	p, err := profile.Load("unicenta")
	if err != nil {
		t.Fatal(err)
	}
	var cards []domain.Card
	rates := []string{"21", "9", "5", "0"}
	for i := 0; i < 2000; i++ {
		r := decimal.RequireFromString(rates[i%len(rates)])
		gross := decimal.New(int64(100+i), -2)
		cards = append(cards, domain.Card{Barcode: fmt.Sprintf("99%011d", i), Name: fmt.Sprintf("Prekė %d", i), Unit: "vnt.", VATRate: r,
			PriceGross: gross, PriceNet: gross.Div(r.Shift(-2).Add(decimal.NewFromInt(1))).Round(2), Active: true})
	}
	cards = append(cards, domain.Card{Barcode: "bad-rate", Name: "Prekė 12 %", PriceGross: decimal.NewFromInt(1), VATRate: decimal.NewFromInt(12), Active: true})
	w := &Writer{DB: db, Profile: p}
	failed, err := w.Apply(ctx, cards)
	if err != nil {
		t.Fatal(err)
	}
	if len(failed) != 1 || failed[0].Barcode != "bad-rate" || !strings.Contains(failed[0].Message, "taxcat") {
		t.Fatalf("failed: %+v", failed)
	}
	rows, err := db.Query(`SELECT p.code, p.pricesell, x.rate, EXISTS (SELECT 1 FROM products_cat c WHERE c.product = p.id)
		FROM products p JOIN taxes x ON x.category = p.taxcat AND x.parentid IS NULL WHERE p.code LIKE '99%'`)
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]domain.Card{}
	for _, c := range cards {
		byCode[c.Barcode] = c
	}
	n := 0
	for rows.Next() {
		var code string
		var net, rate float64
		var listed bool
		if err := rows.Scan(&code, &net, &rate, &listed); err != nil {
			t.Fatal(err)
		}
		n++
		c := byCode[code]
		if got := decimal.NewFromFloat(rate).Shift(2); !got.Equal(c.VATRate) || !listed {
			t.Fatalf("card %s at %s%% has the tax category of %s%% (in the catalogue: %v)", code, c.VATRate, got, listed)
		}
		if shelf := decimal.NewFromFloat(net * (1 + rate)).Round(2); !shelf.Equal(c.PriceGross) {
			t.Fatalf("card %s: uniCenta's net price %v × (1 + %v) shows %s, not the card's %s", code, net, rate, shelf, c.PriceGross)
		}
	}
	if err := rows.Close(); err != nil || n != 2000 {
		t.Fatalf("%d of 2000 cards in products (%v)", n, err)
	}
	off := cards[0]
	off.Active = false
	if failed, err := w.Apply(ctx, []domain.Card{off, cards[1]}); err != nil || len(failed) != 0 {
		t.Fatalf("deactivate: %+v %v", failed, err)
	}
	if err := db.QueryRow(`SELECT COUNT(*) FROM products_cat c JOIN products p ON p.id = c.product WHERE p.code IN (?, ?)`, off.Barcode, cards[1].Barcode).Scan(&n); err != nil || n != 1 {
		t.Fatalf("after deactivating one of two, %d of them are in the catalogue (%v)", n, err)
	}
}
