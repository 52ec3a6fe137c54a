package market_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"tiltas/cloud/db"
	"tiltas/cloud/market"
	_ "tiltas/cloud/market/all"
	"tiltas/cloud/posting"
)

func TestRegistry(t *testing.T) {
	var names []string
	for _, k := range market.Kinds() {
		names = append(names, k.Name)
		if got, err := market.Lookup(k.Name); err != nil || got.Name != k.Name || got.Cooldown <= 0 || len(got.ChangeFields) == 0 {
			t.Errorf("Lookup(%q): %+v, %v", k.Name, got, err)
		}
	}
	if strings.Join(names, " ") != "allegro amazon" {
		t.Fatalf("kinds %v: want allegro and amazon, by name", names)
	}
	_, err := market.Lookup("ebay")
	var inv *db.InvalidError
	if !errors.As(err, &inv) || !strings.Contains(err.Error(), `kind "ebay"`) || !strings.Contains(err.Error(), "allegro or amazon") {
		t.Errorf("an unknown kind: %v", err)
	}
	if r := market.RulesFor(db.MarketAccount{Kind: "ebay"}); len(r.PostStatuses) != 0 {
		t.Errorf("an unknown kind books %v", r.PostStatuses)
	}
	defer func() {
		if p := recover(); !strings.Contains(fmt.Sprint(p), "registered twice") {
			t.Errorf("a kind registered twice: %v", p)
		}
	}()
	market.Register(market.Spec[struct{}]{Name: "amazon",
		Pull: func(context.Context, struct{}, string, func(struct{}) error) ([]posting.Order, string, error) {
			return nil, "", nil
		},
		Check: func(struct{}, *market.Problems) {}, Rules: func(struct{}) posting.OrderRules { return posting.OrderRules{} },
		FromForm: func(url.Values) struct{} { return struct{}{} }})
}
