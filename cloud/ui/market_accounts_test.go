package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"tiltas/cloud/market"
	"tiltas/cloud/posting"
)

// thirdConfig is the config of a marketplace registered only here: the Settings forms must
// show it from its registration alone, with every kind of input.
type thirdConfig struct {
	Shop   string   `json:"shop"`
	Region string   `json:"region"`
	Token  string   `json:"token"`
	Langs  []string `json:"langs"`
	Create bool     `json:"create_missing_cards"`
}

func init() {
	market.Register(market.Spec[thirdConfig]{Name: "third",
		Pull: func(context.Context, thirdConfig, string, func(thirdConfig) error) ([]posting.Order, string, error) {
			return nil, "", nil
		},
		Check: func(c thirdConfig, p *market.Problems) { p.Require("shop", c.Shop) },
		Rules: func(thirdConfig) posting.OrderRules { return posting.OrderRules{} },
		FromForm: func(f url.Values) thirdConfig {
			return thirdConfig{Shop: f.Get("shop"), Region: f.Get("region"), Token: f.Get("token"), Langs: f["langs"], Create: f.Get("create") != ""}
		},
		Form: market.Form{Title: "Add a Third account", Button: "Add Third account", Name: "Third", Fields: []market.Field{
			{Name: "shop", Label: "Shop id", Input: market.Text, Placeholder: "my-shop", Help: "as in the shop's address", Change: true},
			{Name: "region", Label: "Region", Input: market.Select, Default: "eu", Options: []market.Option{{Value: "us", Label: "Americas"}, {Value: "eu", Label: "Europe"}}},
			{Name: "token", Label: "API token", Input: market.Secret, Required: true, Change: true},
			{Name: "langs", Label: "Languages", Input: market.MultiSelect, Default: "lt,pl", Options: []market.Option{{Value: "en", Label: "English"}, {Value: "lt", Label: "Lithuanian"}, {Value: "pl", Label: "Polish"}}},
			{Name: "create", Label: "create a product card for an unknown SKU", Input: market.Checkbox, Default: "on"},
		}}})
}

// A marketplace's Settings forms come from its registration: its add form with its defaults,
// again with what was sent after a refusal (its secret aside), and the fields its change form
// offers.
func TestMarketplaceForms(t *testing.T) {
	e := newWebUI(t)
	acc := e.signIn("acc@alfa.lt")
	_, page, _ := acc.get("/ui/settings")
	form := regexp.MustCompile(`(?s)<summary>Add a Third account</summary>.*?</form>`).FindString(page)
	for _, want := range []string{`<input type="hidden" name="kind" value="third">`, `placeholder="Third"`,
		`<label>Shop id <input name="shop" value="" placeholder="my-shop"></label> <span class="hint">as in the shop&#39;s address</span>`,
		`<select name="region"><option value="us" >Americas</option><option value="eu" selected>Europe</option></select>`,
		`<input name="token" type="password" required>`,
		`name="langs" value="en" >`, `name="langs" value="lt" checked>`, `name="langs" value="pl" checked>`,
		`<input type="checkbox" name="create" checked>`, `<button type="submit">Add Third account</button>`} {
		if !strings.Contains(form, want) {
			t.Errorf("the add form lacks %s:\n%s", want, form)
		}
	}
	code, page, _ := acc.form("/ui/settings/market", url.Values{"kind": {"third"}, "name": {"T"}, "region": {"us"}, "token": {"T-SECRET"}, "langs": {"en"}, "every": {"7"}})
	form = regexp.MustCompile(`(?s)<details open><summary>Add a Third account</summary>.*?</form>`).FindString(page)
	for _, want := range []string{"shop is required", `value="T"`, `<option value="us" selected>`, `name="langs" value="en" checked>`, `name="langs" value="lt" >`,
		`<input type="checkbox" name="create" >`, `value="7"`} {
		if code != 200 || !strings.Contains(form+page, want) {
			t.Errorf("the refused form: %d, lacks %s:\n%s", code, want, form)
		}
	}
	if strings.Contains(page, "T-SECRET") {
		t.Error("a refused form echoes the secret")
	}
	if code, _, _ := acc.form("/ui/settings/market", url.Values{"kind": {"third"}, "name": {"T"}, "shop": {"s1"}, "region": {"us"}, "token": {"tok"}, "langs": {"en", "pl"}}); code != http.StatusSeeOther {
		t.Fatalf("adding a Third account: %d", code)
	}
	accts, err := e.st.MarketAccounts(context.Background(), e.a.TenantID)
	if err != nil || len(accts) != 1 || string(accts[0].Config) != `{"shop":"s1","region":"us","token":"tok","langs":["en","pl"],"create_missing_cards":false}` {
		t.Fatalf("the stored account: %+v %v", accts, err)
	}
	_, page, _ = acc.get("/ui/settings")
	change := regexp.MustCompile(`(?s)action="/ui/settings/market/update".*?</form>`).FindString(page)
	if !strings.Contains(change, `<label>Shop id <input name="shop"></label>`) || !strings.Contains(change, `<label>API token <input name="token" type="password"></label>`) || strings.Contains(change, "region") {
		t.Errorf("the change form offers the fields marked Change, and only them:\n%s", change)
	}
}
