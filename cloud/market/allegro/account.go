package allegro

import (
	"net/url"
	"strings"
	"time"

	"tiltas/cloud/market"
	"tiltas/cloud/posting"
)

// AccountConfig is an Allegro account's stored config: its connection and how its orders
// are booked.
type AccountConfig struct {
	Config
	CreateMissing bool `json:"create_missing_cards"`
}

func init() {
	market.Register(market.Spec[AccountConfig]{Name: "allegro", Pull: pull, Check: check, Rules: rules, Cooldown: 10 * time.Minute,
		FromForm: fromForm, Form: market.Form{Title: "Add an Allegro account", Button: "Add Allegro account", Name: "Allegro", Fields: []market.Field{
			{Name: "api_url", Label: "API URL", Input: market.Text, Required: true, Default: "https://api.allegro.pl", Change: true},
			{Name: "auth_url", Label: "Authorization URL", Input: market.Text, Required: true, Default: "https://allegro.pl", Change: true},
			{Name: "client_id", Label: "Client id", Input: market.Text, Required: true, Change: true},
			{Name: "client_secret", Label: "Client secret", Input: market.Secret, Required: true, Change: true},
			{Name: "refresh_token", Label: "Refresh token", Input: market.Secret, Required: true, Change: true},
			{Name: "create_missing_cards", Label: "create a product card for an unknown SKU", Input: market.Checkbox},
		}}})
}

// check names every problem of an account's config.
func check(c AccountConfig, p *market.Problems) {
	p.URL("api_url", c.APIURL, true, "e.g. https://api.allegro.pl")
	p.URL("auth_url", c.AuthURL, true, "e.g. https://allegro.pl")
	p.Require("client_id", c.ClientID)
	p.Require("client_secret", c.ClientSecret)
	p.Require("refresh_token", c.RefreshToken)
}

// fromForm is the config from the Settings form.
func fromForm(form url.Values) AccountConfig {
	field := func(name string) string { return strings.TrimSpace(form.Get(name)) }
	return AccountConfig{Config: Config{APIURL: field("api_url"), AuthURL: field("auth_url"),
		ClientID: field("client_id"), ClientSecret: field("client_secret"), RefreshToken: field("refresh_token")},
		CreateMissing: form.Get("create_missing_cards") != ""}
}

// rules books paid orders (READY_FOR_PROCESSING) and cancels CANCELLED.
func rules(cfg AccountConfig) posting.OrderRules {
	return posting.OrderRules{PostStatuses: map[string]bool{"READY_FOR_PROCESSING": true}, CancelStatuses: map[string]bool{"CANCELLED": true, FulfillmentCancelled: true}, CreateMissing: cfg.CreateMissing}
}
