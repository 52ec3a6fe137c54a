// Package market pulls marketplace orders into the books. A scheduler pulls each account when
// it is due, saves what changed and has it booked, each order once. Every marketplace is a
// Kind in one registry, in its own package (amazon, allegro) that registers itself; a program
// imports tiltas/cloud/market/all to have them all. Accounts are added through AddAccount and
// changed through NewConfig, which check a config by its kind, and fetched sooner through
// FetchNow, which asks for a pull within the kind's cooldown. A kind describes its own fields
// of the Settings forms (Form), so that the UI shows every kind from the registry alone.
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
	// Form is how the Settings forms that add and change an account show this kind.
	Form Form
}

// Form is how the Settings forms show a kind: the add form's heading, a name suggested for an
// account, and the kind's own fields, in order. The forms add the account's name and how often
// it is pulled themselves. A kind without Fields is added through the API or the CLI only.
type Form struct {
	Title  string // the add form's heading: "Add an Amazon seller account (SP-API)"
	Button string // its button: "Add Amazon account"
	Name   string // a name suggested for an account (a placeholder): "Amazon EU"
	Fields []Field
}

// Input is the kind of input a form field is.
type Input string

// The inputs a field may be.
const (
	Text        Input = "text"
	Secret      Input = "password" // never shown again, nor filled in again after a refusal
	Checkbox    Input = "checkbox" // posted "on" when ticked
	Select      Input = "select"   // one of Options
	MultiSelect Input = "multi"    // any of Options, each posted under the field's name
)

// Field is one input of the Settings forms. Name is what FromForm reads it as.
type Field struct {
	Name        string
	Label       string
	Input       Input
	Required    bool   // the add form needs it
	Default     string // what the add form starts with: "on" ticks a checkbox; a multi's values are separated by commas
	Placeholder string
	Help        string   // a hint shown with it
	Size        int      // a text input's width in characters; 0 for the browser's
	Options     []Option // of a Select or MultiSelect, in the order shown
	// Change offers the field, empty, in the form that changes an account: what is filled in
	// replaces the config field of the same name, the rest keep their value. Text and Secret
	// fields only.
	Change bool
}

// Option is one choice of a Select or MultiSelect.
type Option struct{ Value, Label string }

// check panics on a form a kind could not be shown with: a programming error.
func (f Form) check(kind string) {
	seen := map[string]bool{"kind": true, "name": true, "every": true, "id": true, "csrf": true} // the forms' own
	for _, fd := range f.Fields {
		problem := ""
		switch {
		case fd.Name == "" || fd.Label == "":
			problem = "needs a Name and a Label"
		case seen[fd.Name]:
			problem = "is named twice, or as one of the forms' own fields (kind, name, every, id, csrf)"
		case !slices.Contains([]Input{Text, Secret, Checkbox, Select, MultiSelect}, fd.Input):
			problem = fmt.Sprintf("has input %q, not text, password, checkbox, select or multi", fd.Input)
		case (fd.Input == Select || fd.Input == MultiSelect) != (len(fd.Options) > 0):
			problem = "has Options, or lacks them: a select or multi needs them, no other input takes any"
		case fd.Change && fd.Input != Text && fd.Input != Secret:
			problem = "is offered for a change, which only text and password fields can be"
		}
		if problem != "" {
			panic(fmt.Sprintf("market.Register(%q): form field %q %s", kind, fd.Name, problem))
		}
		seen[fd.Name] = true
	}
	if len(f.Fields) > 0 && (f.Title == "" || f.Button == "") {
		panic(fmt.Sprintf("market.Register(%q): a form with fields needs a Title and a Button", kind))
	}
}

// A Kind is a registered marketplace: how its accounts are pulled, checked and booked, and
// how the Settings forms make and change an account's config, all on configs as accounts
// store them (JSON).
type Kind struct {
	Name         string
	Cooldown     time.Duration // how often a person may ask for an extra pull
	Form         Form          // how the Settings forms show it
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
// up. A kind registered twice, without a Name, Pull, Check, Rules or FromForm, or with a form
// that cannot be shown, is a programming error.
func Register[C any](s Spec[C]) {
	if s.Name == "" || s.Pull == nil || s.Check == nil || s.Rules == nil || s.FromForm == nil {
		panic(fmt.Sprintf("market.Register(%q): a kind needs a Name, Pull, Check, Rules and FromForm", s.Name))
	}
	if _, dup := kinds[s.Name]; dup {
		panic(fmt.Sprintf("market.Register(%q): registered twice", s.Name))
	}
	s.Form.check(s.Name)
	var change []string
	for _, f := range s.Form.Fields {
		if f.Change {
			change = append(change, f.Name)
		}
	}
	kinds[s.Name] = Kind{Name: s.Name, Cooldown: s.Cooldown, Form: s.Form, ChangeFields: change,
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
