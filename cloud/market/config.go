package market

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"tiltas/cloud/db"
)

// Problems collects what is wrong with an account's config, so that every problem is named
// at once.
type Problems struct {
	kind string
	list []string
}

// Addf notes a problem.
func (p *Problems) Addf(format string, args ...any) {
	p.list = append(p.list, fmt.Sprintf(format, args...))
}

// decode decodes raw into v, refusing unknown fields; when it cannot, it notes why and says
// false.
func (p *Problems) decode(raw json.RawMessage, v any) bool {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		p.Addf("config is not a valid %s config: %v", p.kind, err)
		return false
	}
	return true
}

// Require notes a field left empty.
func (p *Problems) Require(field, v string) {
	if strings.TrimSpace(v) == "" {
		p.Addf("%s is required", field)
	}
}

// URL wants an https URL; plain http only to this machine (a fake server in a demo or test).
// hint says what to give.
func (p *Problems) URL(field, v string, required bool, hint string) {
	if v == "" {
		if required {
			p.Addf("%s is required (%s)", field, hint)
		}
		return
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		p.Addf("%s %q is not an http(s) URL (%s)", field, v, hint)
		return
	}
	if u.Scheme == "http" {
		ip := net.ParseIP(u.Hostname())
		if u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
			p.Addf("%s %q must use https: credentials never travel in the clear", field, v)
		}
	}
}

// CheckConfig refuses an account config that could never pull, naming every problem, so that a
// typo shows when the account is added rather than as an alert at its first pull. It returns a
// *db.InvalidError; a kind no marketplace registered is one too.
func CheckConfig(kind string, raw json.RawMessage) error {
	k, err := Lookup(kind)
	if err != nil {
		return err
	}
	p := &Problems{kind: kind}
	k.check(raw, p)
	if len(p.list) > 0 {
		return &db.InvalidError{Err: fmt.Errorf("%s account config: %s", kind, strings.Join(p.list, "; "))}
	}
	return nil
}

// accounts is where AddAccount stores an account.
type accounts interface {
	CreateMarketAccount(ctx context.Context, tenantID int64, kind, name string, config json.RawMessage, every time.Duration) (int64, error)
}

// fetcher is where FetchNow asks for a pull.
type fetcher interface {
	MarketAccount(ctx context.Context, tenantID, id int64) (db.MarketAccount, error)
	FetchNow(ctx context.Context, tenantID, accountID int64, cooldown time.Duration) error
}

// FetchNow makes an account due now, so that the scheduler pulls it within seconds, unless
// it was pulled within its marketplace's cooldown (a *db.InvalidError saying when to try
// again) or is paused (db.ErrPaused). Every way in (the API, the UI) fetches through here.
func FetchNow(ctx context.Context, st fetcher, tenantID, accountID int64) error {
	a, err := st.MarketAccount(ctx, tenantID, accountID)
	if err != nil {
		return err
	}
	k, err := Lookup(a.Kind)
	if err != nil {
		return fmt.Errorf("account %s cannot be fetched: %v", a.Name, err) // not the person's fault: not an InvalidError
	}
	return st.FetchNow(ctx, tenantID, accountID, k.Cooldown)
}

// AddAccount checks an account's kind and config and, when they pass, stores the account:
// every way in (the API, the UI, the CLI) adds accounts through here.
func AddAccount(ctx context.Context, st accounts, tenantID int64, kind, name string, config json.RawMessage, every time.Duration) (int64, error) {
	if err := CheckConfig(kind, config); err != nil {
		return 0, err
	}
	return st.CreateMarketAccount(ctx, tenantID, kind, name, config, every)
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
