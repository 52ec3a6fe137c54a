// Package market pulls marketplace orders into the books. A scheduler pulls each account when
// it is due, saves what changed and has it booked, each order once. Every marketplace is a
// Kind in one registry, in its own package (amazon, allegro) that registers itself; a program
// imports tiltas/cloud/market/all to have them all. Accounts are added through AddAccount and
// changed through NewConfig, which check a config by its kind, and fetched sooner through
// FetchNow, which asks for a pull within the kind's cooldown.
package market

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"tiltas/cloud/db"
	"tiltas/cloud/posting"
)

// A Kind is one marketplace: how its accounts are pulled, checked and booked, and how the
// Settings form makes an account's config. Each marketplace's package registers its Kind in
// an init; a program imports tiltas/cloud/market/all to have them all.
type Kind struct {
	Name string // as accounts store it: "amazon"
	// Pull fetches an account's orders changed since cursor and returns them with the new
	// cursor; save stores a changed config (a rotated credential) at once.
	Pull func(ctx context.Context, config json.RawMessage, cursor string, save func(json.RawMessage) error) ([]posting.Order, string, error)
	// Check names every problem of a config (given strictly decoded) to p.
	Check func(config json.RawMessage, p *Problems)
	// Rules says which statuses of an account's orders are booked or cancelled.
	Rules func(config json.RawMessage) db.MarketRules
	// Cooldown is how often a person may ask for an extra pull, so the marketplace never
	// blocks us.
	Cooldown time.Duration
	// FormConfig makes a config from the fields of the Settings form that adds an account.
	FormConfig func(form url.Values) (json.RawMessage, error)
	// ChangeFields are the config fields the Settings form that changes an account offers,
	// as text; an empty one keeps its value.
	ChangeFields []string
}

var kinds = map[string]Kind{}

// Register adds a marketplace; it is called from its package's init, before anything looks
// kinds up. A kind registered twice, or without a name or a Pull, is a programming error.
func Register(k Kind) {
	if k.Name == "" || k.Pull == nil || k.Check == nil || k.Rules == nil || k.FormConfig == nil {
		panic(fmt.Sprintf("market.Register(%q): a kind needs a Name, Pull, Check, Rules and FormConfig", k.Name))
	}
	if _, dup := kinds[k.Name]; dup {
		panic(fmt.Sprintf("market.Register(%q): registered twice", k.Name))
	}
	kinds[k.Name] = k
}

// Lookup finds a marketplace by name; an unknown one is a *db.InvalidError naming those
// there are.
func Lookup(name string) (Kind, error) {
	if k, ok := kinds[name]; ok {
		return k, nil
	}
	var names []string
	for _, k := range Kinds() {
		names = append(names, k.Name)
	}
	known := "none is registered (import tiltas/cloud/market/all)"
	if n := len(names); n > 0 {
		known = strings.Join(names[:n-1], ", ")
		if n > 1 {
			known += " or "
		}
		known += names[n-1]
	}
	return Kind{}, &db.InvalidError{Err: fmt.Errorf("marketplace kind %q is not one this cloud knows: %s", name, known)}
}

// Kinds are the registered marketplaces, by name.
func Kinds() []Kind {
	out := make([]Kind, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b Kind) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// RulesFor says which statuses of an account's orders are booked or cancelled. An account
// of a kind this cloud does not know has none: nothing of it is booked.
func RulesFor(a db.MarketAccount) db.MarketRules {
	k, err := Lookup(a.Kind)
	if err != nil {
		return db.MarketRules{}
	}
	return k.Rules(a.Config)
}
