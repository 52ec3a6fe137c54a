package items

import (
	"context"
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
