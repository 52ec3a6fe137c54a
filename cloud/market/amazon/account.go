package amazon

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"tiltas/cloud/market"
	"tiltas/cloud/posting"
)

// AccountConfig is an Amazon account's stored config: its connection and how its orders are
// booked.
type AccountConfig struct {
	Config
	PostStatuses  []string `json:"post_statuses"` // default Shipped
	CreateMissing bool     `json:"create_missing_cards"`
}

func init() {
	market.Register(market.Spec[AccountConfig]{Name: "amazon", Pull: pull, Check: check, Rules: rules, Cooldown: 2 * time.Minute,
		FromForm: fromForm, Form: form()})
}

// form is the Settings forms' Amazon account, as fromForm reads it.
func form() market.Form {
	var marketplaces []market.Option
	for _, mp := range MarketplaceList {
		marketplaces = append(marketplaces, market.Option{Value: mp.ID, Label: mp.Name + " (" + mp.ID + ", " + strings.ToUpper(mp.Region) + ")"})
	}
	slices.SortFunc(marketplaces, func(a, b market.Option) int { return strings.Compare(a.Label, b.Label) })
	return market.Form{Title: "Add an Amazon seller account (SP-API)", Button: "Add Amazon account", Name: "Amazon EU", Fields: []market.Field{
		{Name: "endpoint", Label: "SP-API endpoint", Input: market.Text, Required: true, Default: Endpoints["eu"], Size: 40, Change: true},
		{Name: "client_id", Label: "LWA client id", Input: market.Text, Required: true, Change: true},
		{Name: "client_secret", Label: "LWA client secret", Input: market.Secret, Required: true, Change: true},
		{Name: "refresh_token", Label: "Refresh token", Input: market.Secret, Required: true, Change: true},
		{Name: "marketplace", Label: "Marketplaces", Input: market.MultiSelect, Options: marketplaces},
		{Name: "post_statuses", Label: "Book orders in status", Input: market.Text, Default: "Shipped", Placeholder: "Shipped"},
		{Name: "create_missing_cards", Label: "create a product card for an unknown SKU", Input: market.Checkbox},
	}}
}

// statuses are the OrderStatus values of the Orders v0 model.
var statuses = []string{"PendingAvailability", "Pending", "Unshipped", "PartiallyShipped", "Shipped", "InvoiceUnconfirmed", "Canceled", "Unfulfillable"}

// check names every problem of an account's config.
func check(c AccountConfig, p *market.Problems) {
	p.URL("endpoint", c.Endpoint, true, "e.g. "+Endpoints["eu"])
	p.URL("token_url", c.TokenURL, false, "leave it out for "+TokenURL)
	p.Require("client_id", c.ClientID)
	p.Require("client_secret", c.ClientSecret)
	p.Require("refresh_token", c.RefreshToken)
	if len(c.MarketplaceIDs) == 0 {
		p.Addf("marketplace_ids is required: the marketplaces to pull, e.g. A1PA6795UKMFR9 (Germany)")
	}
	region := ""
	for r, u := range Endpoints {
		if strings.TrimRight(c.Endpoint, "/") == u {
			region = r
		}
	}
	for _, id := range c.MarketplaceIDs {
		mp, ok := MarketplaceByID(id)
		switch {
		case !ok:
			p.Addf("marketplace id %q is not one of Amazon's marketplaces (%s)", id, knownMarketplaces())
		case region != "" && mp.Region != region:
			p.Addf("marketplace %s (%s) is served by %s, not by the endpoint %s: add it as another account with that endpoint", id, mp.Name, Endpoints[mp.Region], c.Endpoint)
		}
	}
	for _, st := range c.PostStatuses {
		if !slices.Contains(statuses, st) {
			p.Addf("post status %q is not an Amazon order status (%s)", st, strings.Join(statuses, ", "))
		}
	}
}

func knownMarketplaces() string {
	var out []string
	for _, mp := range MarketplaceList {
		out = append(out, mp.ID+" "+mp.Name)
	}
	return strings.Join(out, ", ")
}

// fromForm is the config from the Settings form: marketplace is a checkbox per
// marketplace id, post_statuses a list separated by commas or spaces.
func fromForm(form url.Values) AccountConfig {
	field := func(name string) string { return strings.TrimSpace(form.Get(name)) }
	return AccountConfig{Config: Config{Endpoint: field("endpoint"), ClientID: field("client_id"),
		ClientSecret: field("client_secret"), RefreshToken: field("refresh_token"), MarketplaceIDs: form["marketplace"]},
		PostStatuses: strings.FieldsFunc(form.Get("post_statuses"), func(c rune) bool { return c == ',' || c == ' ' }), CreateMissing: form.Get("create_missing_cards") != ""}
}

// rules books the post statuses (default Shipped) and cancels Canceled.
func rules(cfg AccountConfig) posting.OrderRules {
	r := posting.OrderRules{PostStatuses: map[string]bool{}, CancelStatuses: map[string]bool{"Canceled": true}, CreateMissing: cfg.CreateMissing}
	if len(cfg.PostStatuses) == 0 {
		cfg.PostStatuses = []string{"Shipped"}
	}
	for _, st := range cfg.PostStatuses {
		r.PostStatuses[st] = true
	}
	return r
}
