package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/cloud/db"
	"tiltas/internal/fixture"
	"tiltas/possim"
)

func (e *env) api(method, path string, body io.Reader, out any) int {
	e.t.Helper()
	req, _ := http.NewRequest(method, "http://"+e.addr+path, body)
	req.Header.Set("Authorization", "Bearer "+e.apiToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
		}
	}
	return resp.StatusCode
}

// waitCards waits until the store's POS holds the whole catalogue.
func (e *env) waitCards(timeout time.Duration) db.CardStatus {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var cs db.CardStatus
		e.api("GET", "/api/v1/stores/VLN1/cards", nil, &cs)
		if cs.Pending == 0 && cs.AckedVersion == cs.TenantVersion && cs.TenantVersion > 0 {
			return cs
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("the POS did not get the catalogue: %+v", cs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// posItems is the POS items table as barcode → "name|unit|net|gross|rate|group|service|active".
func (e *env) posItems() map[string]string {
	rows, err := e.pos.Query(`SELECT barcode, name, unit, price_net, price_gross, vat_rate, COALESCE(group_name, ''), is_service, active FROM items`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var bc, name, unit, net, gross, rate, group string
		var svc, active bool
		if err := rows.Scan(&bc, &name, &unit, &net, &gross, &rate, &group, &svc, &active); err != nil {
			e.t.Fatal(err)
		}
		out[bc] = fmt.Sprintf("%s|%s|%s|%s|%s|%s|%v|%v", name, unit, fixture.D(net), fixture.D(gross), fixture.D(rate), group, svc, active)
	}
	return out
}

// cloudCards is the catalogue in the same form.
func (e *env) cloudCards() map[string]string {
	out := map[string]string{}
	for after := ""; ; {
		var page struct {
			Products []struct {
				Barcode, Name, Group, Unit string
				Net                        string `json:"price_net"`
				Gross                      string `json:"price_gross"`
				Rate                       string `json:"vat_rate"`
				Service, Active            bool
			}
			NextAfter string `json:"next_after"`
		}
		e.api("GET", "/api/v1/products?limit=5000&after="+after, nil, &page)
		for _, p := range page.Products {
			out[p.Barcode] = fmt.Sprintf("%s|%s|%s|%s|%s|%s|%v|%v", p.Name, p.Unit, fixture.D(p.Net), fixture.D(p.Gross), fixture.D(p.Rate), p.Group, p.Service, p.Active)
		}
		if page.NextAfter == "" {
			return out
		}
		after = page.NextAfter
	}
}

// 10,000 cards imported from CSV reach the POS items table exactly; bad rows never do and are
// reported with their line numbers.
func TestTenThousandCardsReachThePOS(t *testing.T) {
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			e := newEnv(t, kind)
			e.cloudInProcess()
			e.agentProc()
			var csv bytes.Buffer
			csv.WriteString("name;attributeName;groupName;measurementUnitName;priceWithoutVat;priceWithVat;vatRate;barcode\n")
			rates := []struct{ rate, net, gross string }{{"21", "10,00", "12,10"}, {"9", "2,00", "2,18"}, {"5", "3,00", "3,15"}, {"0", "4,00", "4,00"}, {"12", "0,99", "1,11"}}
			for i := 0; i < 10000; i++ {
				r := rates[i%len(rates)]
				attr, unit := "Prekė", "vnt."
				if i%97 == 0 {
					attr, unit = "Paslauga", "val."
				}
				fmt.Fprintf(&csv, "Prekė Nr. %d „Šaltinis“;%s;Grupė %d;%s;%s;%s;%s;%d\n", i, attr, i%40, unit, r.net, r.gross, r.rate, 4770000000000+i)
			}
			csv.WriteString(strings.Repeat("Ž", 81) + ";Prekė;;vnt.;1,00;1,21;21;BAD1\n") // line 10002
			csv.WriteString("Be kainos;Prekė;;vnt.;;1,21;21;BAD2\n")                      // line 10003
			csv.WriteString("Dublikatas;Prekė;;vnt.;1,00;1,21;21;4770000000005\n")        // line 10004
			csv.WriteString("Bloga kaina;Prekė;;vnt.;1,00;1,25;21;BAD3\n")                // line 10005
			var res struct {
				Created, Updated, Unchanged, Rejected int
				Errors                                []struct {
					Line    int
					Message string
				}
			}
			if code := e.api("POST", "/api/v1/products/import", &csv, &res); code != 200 {
				t.Fatalf("import: %d %+v", code, res)
			}
			if res.Created != 10000 || res.Rejected != 4 {
				t.Fatalf("import result %+v", res)
			}
			for i, want := range []string{"81 characters", "priceWithoutVat is empty", "already on line 7", "does not match"} {
				if res.Errors[i].Line != 10002+i || !strings.Contains(res.Errors[i].Message, want) {
					t.Errorf("error %d: %+v, want line %d %q", i, res.Errors[i], 10002+i, want)
				}
			}
			e.waitCards(2 * time.Minute)
			want, got := e.cloudCards(), e.posItems()
			if len(want) != 10000 {
				t.Fatalf("cloud holds %d cards", len(want))
			}
			if diff := diffMaps(want, got); diff != "" {
				t.Fatalf("POS items differ from the catalogue:\n%s", diff)
			}
		})
	}
}

// A card renamed twice while the agent is offline ends with the last name; a deactivated card
// is inactive in the POS; a card the POS refuses is reported per card and clears once fixed.
func TestCardsOfflineAndRefused(t *testing.T) {
	e := newEnv(t, "sqlite")
	e.cloudInProcess()
	agent := e.agentProc()
	put := func(method, path, body string, wantCode int) {
		t.Helper()
		var out map[string]any
		if code := e.api(method, path, strings.NewReader(body), &out); code != wantCode {
			t.Fatalf("%s %s: %d %v", method, path, code, out)
		}
	}
	put("POST", "/api/v1/products", `{"barcode":"A1","name":"Duona","unit":"vnt.","price_net":"1.00","price_gross":"1.21","vat_rate":"21"}`, 201)
	put("POST", "/api/v1/products", `{"barcode":"A2","name":"Pienas","unit":"l","price_net":"1.00","price_gross":"1.09","vat_rate":"9"}`, 201)
	put("POST", "/api/v1/products", `{"barcode":"A1","name":"Kita","unit":"vnt.","price_net":"1.00","price_gross":"1.21","vat_rate":"21"}`, 409)
	put("POST", "/api/v1/products", `{"barcode":"A3","name":"`+strings.Repeat("x", 81)+`","price_net":"1.00","price_gross":"1.21","vat_rate":"21"}`, 422)
	e.waitCards(time.Minute)
	if got := e.posItems()["A1"]; !strings.HasPrefix(got, "Duona|") {
		t.Fatalf("A1 in the POS: %q", got)
	}

	kill(agent) // offline
	put("PUT", "/api/v1/products/A1", `{"name":"Duona juoda","unit":"vnt.","price_net":"1.00","price_gross":"1.21","vat_rate":"21"}`, 200)
	put("PUT", "/api/v1/products/A1", `{"name":"Duona ruginė","unit":"vnt.","price_net":"2.00","price_gross":"2.42","vat_rate":"21"}`, 200)
	put("DELETE", "/api/v1/products/A2", ``, 200)
	e.agentProc()
	e.waitCards(time.Minute)
	items := e.posItems()
	if items["A1"] != "Duona ruginė|vnt.|2|2.42|21||false|true" {
		t.Fatalf("A1 after two offline renames: %q", items["A1"])
	}
	if !strings.HasSuffix(items["A2"], "|false") {
		t.Fatalf("A2 not deactivated in the POS: %q", items["A2"])
	}

	// The POS keeps shorter names than the cloud allows: it refuses the long one, the rest lands.
	if _, err := e.pos.Exec(`ALTER TABLE items MODIFY name VARCHAR(20) NOT NULL`); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("name;attributeName;groupName;measurementUnitName;priceWithoutVat;priceWithVat;vatRate;barcode\n")
	b.WriteString("Trumpas;Prekė;;vnt.;1,00;1,21;21;B1\nLabai labai ilgas prekės pavadinimas;Prekė;;vnt.;1,00;1,21;21;B2\nKitas;Prekė;;vnt.;1,00;1,21;21;B3\n")
	e.api("POST", "/api/v1/products/import", strings.NewReader(b.String()), nil)
	cs := e.waitCards(time.Minute)
	if len(cs.Failures) != 1 || cs.Failures[0].Barcode != "B2" || !strings.Contains(cs.Failures[0].Message, "Data too long") {
		t.Fatalf("failures %+v", cs.Failures)
	}
	items = e.posItems()
	if _, ok := items["B2"]; ok || items["B1"] == "" || items["B3"] == "" {
		t.Fatalf("POS items after a refused card: B1 %q B2 %q B3 %q", items["B1"], items["B2"], items["B3"])
	}
	put("PUT", "/api/v1/products/B2", `{"name":"Ilgas pavadinimas","unit":"vnt.","price_net":"1.00","price_gross":"1.21","vat_rate":"21"}`, 200)
	if cs := e.waitCards(time.Minute); len(cs.Failures) != 0 {
		t.Fatalf("failure not cleared after the fix: %+v", cs.Failures)
	}
	if !strings.HasPrefix(e.posItems()["B2"], "Ilgas pavadinimas|") {
		t.Fatal("fixed card did not reach the POS")
	}

}

// 2,000 cards imported into the cloud reach a uniCenta database's products through the shipped
// unicenta profile, in the catalogue, each with the tax category of its rate and the net price
// uniCenta's tills turn back into the card's gross price.
func TestTwoThousandCardsReachUnicenta(t *testing.T) {
	e := newEnvOn(t, "sqlite", possim.ProfileUnicenta)
	e.cloudInProcess()
	e.agentProc()
	var csv bytes.Buffer
	csv.WriteString("name;attributeName;groupName;measurementUnitName;priceWithoutVat;priceWithVat;vatRate;barcode\n")
	rates := []struct{ rate, net, gross string }{{"21", "10,00", "12,10"}, {"9", "2,00", "2,18"}, {"5", "3,00", "3,15"}, {"0", "4,00", "4,00"}}
	for i := 0; i < 2000; i++ {
		r := rates[i%len(rates)]
		fmt.Fprintf(&csv, "Prekė Nr. %d;Prekė;Grupė %d;vnt.;%s;%s;%s;%d\n", i, i%40, r.net, r.gross, r.rate, 4770000000000+i)
	}
	var res struct{ Created, Rejected int }
	if code := e.api("POST", "/api/v1/products/import", &csv, &res); code != 200 || res.Created != 2000 {
		t.Fatalf("import: %d %+v", code, res)
	}
	e.waitCards(2 * time.Minute)
	want := map[string]string{}
	for bc, c := range e.cloudCards() {
		f := strings.Split(c, "|") // name|unit|net|gross|rate|group|service|active
		want[bc] = f[0] + "|" + f[3] + "|" + f[4] + "|true"
	}
	got := map[string]string{}
	rows, err := e.pos.Query(`SELECT p.code, p.name, p.pricesell, x.rate, EXISTS (SELECT 1 FROM products_cat c WHERE c.product = p.id)
		FROM products p JOIN taxes x ON x.category = p.taxcat AND x.parentid IS NULL WHERE p.code LIKE '4770%'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var code, name string
		var net, rate float64
		var listed bool
		if err := rows.Scan(&code, &name, &net, &rate, &listed); err != nil {
			t.Fatal(err)
		}
		r := decimal.NewFromFloat(rate).Shift(2)
		got[code] = fmt.Sprintf("%s|%s|%s|%v", name, decimal.NewFromFloat(net*(1+rate)).Round(2), r, listed)
	}
	if len(want) != 2000 {
		t.Fatalf("cloud holds %d cards", len(want))
	}
	if diff := diffMaps(want, got); diff != "" {
		t.Fatalf("uniCenta's products differ from the catalogue:\n%s", diff)
	}
}
