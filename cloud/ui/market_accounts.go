package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"tiltas/cloud/db"
	"tiltas/cloud/market"
)

// Marketplaces is what the marketplace account forms read and change.
type Marketplaces interface {
	MarketAccounts(ctx context.Context, tenantID int64) ([]db.MarketAccount, error)
	MarketAccount(ctx context.Context, tenantID, id int64) (db.MarketAccount, error)
	CreateMarketAccount(ctx context.Context, tenantID int64, kind, name string, config json.RawMessage, every time.Duration) (int64, error)
	UpdateMarketAccount(ctx context.Context, tenantID, id int64, name string, config json.RawMessage, every time.Duration) error
	PauseMarketAccount(ctx context.Context, tenantID, id int64, paused bool) error
	FetchNow(ctx context.Context, tenantID, accountID int64, cooldown time.Duration) error
}

// marketForm is one kind's add-an-account form, as its kind describes it (market.Form),
// filled again (secrets aside) after a refusal.
type marketForm struct {
	Kind                       string
	Title, Button, Placeholder string
	Open                       bool // this form was sent and refused
	Name                       string
	Every                      int
	Fields                     []formField
}

// formField is a kind's field with what it shows: a text's value, whether a checkbox is
// ticked, which choices are selected.
type formField struct {
	market.Field
	Value   string
	Checked bool
	Choices []formChoice
}

type formChoice struct {
	market.Option
	Selected bool
}

// marketForms are the add forms of every kind that has one; the kind posted in r (nil: none)
// comes back open, with what was posted.
func marketForms(r *http.Request) []marketForm {
	var out []marketForm
	for _, k := range market.Kinds() {
		if len(k.Form.Fields) == 0 {
			continue
		}
		sent := r != nil && r.FormValue("kind") == k.Name
		f := marketForm{Kind: k.Name, Title: k.Form.Title, Button: k.Form.Button, Placeholder: k.Form.Name, Open: sent, Every: 15}
		if sent {
			f.Name = r.FormValue("name")
			f.Every, _ = strconv.Atoi(r.FormValue("every"))
		}
		for _, fd := range k.Form.Fields {
			values := []string{fd.Default}
			if fd.Input == market.MultiSelect {
				values = strings.Split(fd.Default, ",")
			}
			if sent {
				values = r.Form[fd.Name]
			}
			ff := formField{Field: fd, Checked: len(values) > 0 && values[0] != ""}
			if fd.Input != market.Secret && len(values) > 0 {
				ff.Value = values[0]
			}
			for _, o := range fd.Options {
				ff.Choices = append(ff.Choices, formChoice{Option: o, Selected: slices.Contains(values, o.Value)})
			}
			f.Fields = append(f.Fields, ff)
		}
		out = append(out, f)
	}
	return out
}

// changeFields are, by kind, the fields the form that changes an account offers.
func changeFields() map[string][]market.Field {
	out := map[string][]market.Field{}
	for _, k := range market.Kinds() {
		for _, fd := range k.Form.Fields {
			if fd.Change {
				out[k.Name] = append(out[k.Name], fd)
			}
		}
	}
	return out
}

// addMarket adds a marketplace account from the settings form, once its config passes the
// same check as the API's and the CLI's.
func (u *UI) addMarket(w http.ResponseWriter, r *http.Request, s *session) {
	kind, name := r.FormValue("kind"), strings.TrimSpace(r.FormValue("name"))
	every, _ := strconv.Atoi(r.FormValue("every"))
	var raw json.RawMessage
	k, err := market.Lookup(kind)
	if err == nil {
		raw, err = k.FormConfig(r.Form)
	}
	if err == nil {
		_, err = market.AddAccount(r.Context(), u.Store, s.user.TenantID, kind, name, raw, time.Duration(every)*time.Minute)
	}
	if err != nil {
		u.refused(w, r, err, func(msg string) { u.settingsPage(w, r, s, map[string]any{"MarketForms": marketForms(r)}, "", msg) })
		return
	}
	back(w, r, "/ui/settings", fmt.Sprintf("Marketplace account %q added: its first pull starts within seconds.", name))
}

// updateMarket changes an account from its settings form: the fields of its kind filled in
// replace theirs in the stored config, the rest stay.
func (u *UI) updateMarket(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	aid, _ := strconv.ParseInt(r.FormValue("id"), 10, 64)
	acct, err := u.Store.MarketAccount(ctx, s.user.TenantID, aid)
	if err != nil {
		u.fail(w, r, err) // another tenant's account is not found
		return
	}
	k, err := market.Lookup(acct.Kind)
	if err != nil {
		u.settingsAnswer(w, r, s, err, "")
		return
	}
	fields := map[string]string{}
	for _, f := range k.ChangeFields {
		if v := strings.TrimSpace(r.FormValue(f)); v != "" {
			fields[f] = v
		}
	}
	var change json.RawMessage
	if len(fields) > 0 {
		change, _ = json.Marshal(fields)
	}
	cfg, err := market.NewConfig(acct, change)
	if err == nil {
		every, _ := strconv.Atoi(r.FormValue("every"))
		err = u.Store.UpdateMarketAccount(ctx, s.user.TenantID, aid, r.FormValue("name"), cfg, time.Duration(every)*time.Minute)
	}
	u.settingsAnswer(w, r, s, err, fmt.Sprintf("Marketplace account %q saved: it is pulled again within seconds.", strings.TrimSpace(r.FormValue("name"))))
}

func (u *UI) pauseMarket(w http.ResponseWriter, r *http.Request, s *session) {
	aid, _ := strconv.ParseInt(r.FormValue("id"), 10, 64)
	paused := r.FormValue("paused") == "1"
	if err := u.Store.PauseMarketAccount(r.Context(), s.user.TenantID, aid, paused); err != nil {
		u.fail(w, r, err)
		return
	}
	msg := "Marketplace account resumed: it is pulled within seconds."
	if paused {
		msg = "Marketplace account paused: it is not pulled until you resume it."
	}
	back(w, r, "/ui/settings", msg)
}

func (u *UI) fetchNow(w http.ResponseWriter, r *http.Request, s *session) {
	aid, _ := strconv.ParseInt(r.FormValue("id"), 10, 64)
	u.settingsAnswer(w, r, s, market.FetchNow(r.Context(), u.Store, s.user.TenantID, aid), "The account will be pulled within seconds.")
}
