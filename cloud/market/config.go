package market

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"tiltas/cloud/db"
	"tiltas/cloud/market/amazon"
)

// amazonStatuses are the OrderStatus values of the Orders v0 model.
var amazonStatuses = []string{"PendingAvailability", "Pending", "Unshipped", "PartiallyShipped", "Shipped", "InvoiceUnconfirmed", "Canceled", "Unfulfillable"}

// CheckConfig refuses an account config that could never pull, naming every problem, so that a
// typo shows when the account is added rather than as an alert at its first pull. It returns a
// *db.InvalidError.
func CheckConfig(kind string, raw json.RawMessage) error {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	strict := func(v any) bool {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			bad("config is not a valid %s config: %v", kind, err)
			return false
		}
		return true
	}
	need := func(field, v string) {
		if strings.TrimSpace(v) == "" {
			bad("%s is required", field)
		}
	}
	switch kind {
	case "amazon":
		var c AmazonConfig
		if !strict(&c) {
			break
		}
		checkURL(bad, "endpoint", c.Endpoint, true, "e.g. "+amazon.Endpoints["eu"])
		checkURL(bad, "token_url", c.TokenURL, false, "leave it out for "+amazon.TokenURL)
		need("client_id", c.ClientID)
		need("client_secret", c.ClientSecret)
		need("refresh_token", c.RefreshToken)
		if len(c.MarketplaceIDs) == 0 {
			bad("marketplace_ids is required: the EU marketplaces to pull, e.g. A1PA6795UKMFR9 (DE)")
		}
		for _, id := range c.MarketplaceIDs {
			if _, ok := amazon.Marketplaces[id]; !ok {
				bad("marketplace id %q is not an EU marketplace this knows (%s)", id, knownMarketplaces())
			}
		}
		for _, st := range c.PostStatuses {
			if !slices.Contains(amazonStatuses, st) {
				bad("post status %q is not an Amazon order status (%s)", st, strings.Join(amazonStatuses, ", "))
			}
		}
	case "allegro":
		var c AllegroConfig
		if !strict(&c) {
			break
		}
		checkURL(bad, "api_url", c.APIURL, true, "e.g. https://api.allegro.pl")
		checkURL(bad, "auth_url", c.AuthURL, true, "e.g. https://allegro.pl")
		need("client_id", c.ClientID)
		need("client_secret", c.ClientSecret)
		need("refresh_token", c.RefreshToken)
	default:
		bad("kind %q: amazon or allegro", kind)
	}
	if len(problems) > 0 {
		return &db.InvalidError{Err: fmt.Errorf("%s account config: %s", kind, strings.Join(problems, "; "))}
	}
	return nil
}

// accounts is where AddAccount stores an account.
type accounts interface {
	CreateMarketAccount(ctx context.Context, tenantID int64, kind, name string, config json.RawMessage, every time.Duration) (int64, error)
}

// AddAccount checks an account's config and, when it passes, stores the account: every way in
// (the API, the UI, the CLI) adds accounts through here.
func AddAccount(ctx context.Context, st accounts, tenantID int64, kind, name string, config json.RawMessage, every time.Duration) (int64, error) {
	if err := CheckConfig(kind, config); err != nil {
		return 0, err
	}
	return st.CreateMarketAccount(ctx, tenantID, kind, name, config, every)
}

// checkURL wants an https URL; plain http only to this machine (a fake server in a demo or test).
func checkURL(bad func(string, ...any), field, v string, required bool, hint string) {
	if v == "" {
		if required {
			bad("%s is required (%s)", field, hint)
		}
		return
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		bad("%s %q is not an http(s) URL (%s)", field, v, hint)
		return
	}
	if u.Scheme == "http" {
		ip := net.ParseIP(u.Hostname())
		if u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
			bad("%s %q must use https: credentials never travel in the clear", field, v)
		}
	}
}

func knownMarketplaces() string {
	var out []string
	for id, country := range amazon.Marketplaces {
		out = append(out, id+" "+country)
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

// MergeConfig lays change's fields over an account's current config, so that a rotated client
// secret or a new refresh token can be given alone; fields given empty or null keep their
// value. The result is checked like a new account's config.
func MergeConfig(kind string, current, change json.RawMessage) (json.RawMessage, error) {
	merged := map[string]json.RawMessage{}
	if err := json.Unmarshal(current, &merged); err != nil {
		return nil, fmt.Errorf("the stored config cannot be read: %w", err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(change, &fields); err != nil {
		return nil, &db.InvalidError{Err: fmt.Errorf("config change is not a JSON object: %v", err)}
	}
	for k, v := range fields {
		if t := strings.TrimSpace(string(v)); t == `""` || t == "null" {
			continue
		}
		merged[k] = v
	}
	out, err := json.Marshal(merged)
	if err != nil {
		return nil, err
	}
	if err := CheckConfig(kind, out); err != nil {
		return nil, err
	}
	return out, nil
}

// NewConfig is an account's config after a change of some of its fields (none: change is
// empty), checked like a new account's. An account whose stored config cannot be read takes
// the change as a whole config.
func NewConfig(a db.MarketAccount, change json.RawMessage) (json.RawMessage, error) {
	switch {
	case a.ConfigErr != nil && len(change) == 0:
		return nil, &db.InvalidError{Err: a.ConfigErr}
	case a.ConfigErr != nil:
		return MergeConfig(a.Kind, json.RawMessage(`{}`), change)
	case len(change) == 0:
		return a.Config, nil
	}
	return MergeConfig(a.Kind, a.Config, change)
}
