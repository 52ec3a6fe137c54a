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
	"tiltas/cloud/market/amazon"
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

// marketForm is the add-an-account form, filled again (secrets aside) after a refusal.
type marketForm struct {
	Open                                   bool
	Name, Endpoint, ClientID, PostStatuses string
	CreateMissing                          bool
	Every                                  int
	Marketplaces                           []marketplaceOption
}

type marketplaceOption struct {
	ID, Country string
	Checked     bool
}

// newMarketForm is the Amazon form, from what was posted (nil: the defaults).
func newMarketForm(r *http.Request) marketForm {
	f := marketForm{Endpoint: amazon.Endpoints["eu"], PostStatuses: "Shipped", Every: 15}
	checked := map[string]bool{}
	if r != nil && r.FormValue("kind") == "amazon" {
		f.Open, f.Name, f.Endpoint, f.ClientID, f.PostStatuses = true, r.FormValue("name"), r.FormValue("endpoint"), r.FormValue("client_id"), r.FormValue("post_statuses")
		f.CreateMissing = r.FormValue("create_missing_cards") != ""
		f.Every, _ = strconv.Atoi(r.FormValue("every"))
		for _, id := range r.Form["marketplace"] {
			checked[id] = true
		}
	}
	for id, country := range amazon.Marketplaces {
		f.Marketplaces = append(f.Marketplaces, marketplaceOption{ID: id, Country: country, Checked: checked[id]})
	}
	slices.SortFunc(f.Marketplaces, func(a, b marketplaceOption) int { return strings.Compare(a.Country, b.Country) })
	return f
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
		u.refused(w, r, err, func(msg string) { u.settingsPage(w, r, s, map[string]any{"MarketForm": newMarketForm(r)}, "", msg) })
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
