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

// Spec is a marketplace as its package writes it, over its own account config type C: the
// registry decodes an account's stored JSON into a C for it, and encodes a C it gives back.
type Spec[C any] struct {
	Name string // as accounts store it: "amazon"
	// Pull fetches an account's orders changed since cursor and returns them with the new
	// cursor; save stores a changed config (a rotated credential) at once.
	Pull func(ctx context.Context, cfg C, cursor string, save func(C) error) ([]posting.Order, string, error)
	// Check names every problem of a config to p. The config has decoded already, strictly:
	// an unknown field is a problem named before Check is called.
	Check func(cfg C, p *Problems)
	// Rules says which statuses of an account's orders are booked or cancelled.
	Rules func(cfg C) posting.OrderRules
	// Cooldown is how often a person may ask for an extra pull, so the marketplace never
	// blocks us.
	Cooldown time.Duration
	// FromForm is a config from the fields of the Settings form that adds an account.
	FromForm func(form url.Values) C
	// ChangeFields are the config fields the Settings form that changes an account offers,
	// as text; an empty one keeps its value.
	ChangeFields []string
}

// A Kind is a registered marketplace: how its accounts are pulled, checked and booked, and
// how the Settings forms make and change an account's config, all on configs as accounts
// store them (JSON).
type Kind struct {
	Name         string
	Cooldown     time.Duration // how often a person may ask for an extra pull
	ChangeFields []string      // the config fields the Settings form that changes an account offers

	pull  func(ctx context.Context, config json.RawMessage, cursor string, save func(json.RawMessage) error) ([]posting.Order, string, error)
	check func(config json.RawMessage, p *Problems)
	rules func(config json.RawMessage) posting.OrderRules
	form  func(form url.Values) (json.RawMessage, error)
}

// Pull fetches an account's orders changed since cursor and returns them with the new
// cursor; save stores a changed config (a rotated credential) at once.
func (k Kind) Pull(ctx context.Context, config json.RawMessage, cursor string, save func(json.RawMessage) error) ([]posting.Order, string, error) {
	return k.pull(ctx, config, cursor, save)
}

// Rules says which statuses of an account's orders are booked or cancelled.
func (k Kind) Rules(config json.RawMessage) posting.OrderRules { return k.rules(config) }

// FormConfig is the config the Settings form that adds an account gives.
func (k Kind) FormConfig(form url.Values) (json.RawMessage, error) { return k.form(form) }

var kinds = map[string]Kind{}

// Register adds a marketplace; its package calls it from an init, before anything looks kinds
// up. A kind registered twice, or without a Name, Pull, Check, Rules or FromForm, is a
// programming error.
func Register[C any](s Spec[C]) {
	if s.Name == "" || s.Pull == nil || s.Check == nil || s.Rules == nil || s.FromForm == nil {
		panic(fmt.Sprintf("market.Register(%q): a kind needs a Name, Pull, Check, Rules and FromForm", s.Name))
	}
	if _, dup := kinds[s.Name]; dup {
		panic(fmt.Sprintf("market.Register(%q): registered twice", s.Name))
	}
	kinds[s.Name] = Kind{Name: s.Name, Cooldown: s.Cooldown, ChangeFields: s.ChangeFields,
		pull: func(ctx context.Context, raw json.RawMessage, cursor string, save func(json.RawMessage) error) ([]posting.Order, string, error) {
			var cfg C
			if err := json.Unmarshal(raw, &cfg); err != nil {
				return nil, cursor, fmt.Errorf("account config: %w", err)
			}
			return s.Pull(ctx, cfg, cursor, func(cfg C) error {
				b, err := json.Marshal(cfg)
				if err != nil {
					return err
				}
				return save(b)
			})
		},
		check: func(raw json.RawMessage, p *Problems) {
			var cfg C
			if p.decode(raw, &cfg) {
				s.Check(cfg, p)
			}
		},
		rules: func(raw json.RawMessage) posting.OrderRules {
			var cfg C
			_ = json.Unmarshal(raw, &cfg) // an unreadable config books by the defaults; its pull fails and says why
			return s.Rules(cfg)
		},
		form: func(form url.Values) (json.RawMessage, error) { return json.Marshal(s.FromForm(form)) },
	}
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
func RulesFor(a db.MarketAccount) posting.OrderRules {
	k, err := Lookup(a.Kind)
	if err != nil {
		return posting.OrderRules{}
	}
	return k.Rules(a.Config)
}
