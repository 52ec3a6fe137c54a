package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"tiltas/cloud/books"
)

func do(t *testing.T, srv *httptest.Server, token, method, path, body string) (int, map[string]any) {
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

func TestBooksAPI(t *testing.T) {
	ctx := context.Background()
	st, srv := newServer(t)
	tokA := seed(t, st, "A", "A1", 2)
	tokB := seed(t, st, "B", "B1", 1)
	if _, err := books.New(st).PostPending(ctx, 100); err != nil {
		t.Fatal(err)
	}

	_, docsA := do(t, srv, tokA, "GET", "/api/v1/documents", "")
	listA := docsA["documents"].([]any)
	if len(listA) != 2 {
		t.Fatalf("A's documents: %v", docsA)
	}
	aDoc := int(listA[0].(map[string]any)["id"].(float64))
	_, docsB := do(t, srv, tokB, "GET", "/api/v1/documents", "")
	if n := len(docsB["documents"].([]any)); n != 1 {
		t.Fatalf("B sees %d documents", n)
	}
	// A report as a download.
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/reports/sales-journal?from=2026-11-01&to=2026-11-30&format=csv", nil)
	req.Header.Set("Authorization", "Bearer "+tokA)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	csvBody, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, `sales-journal_20261101_20261130.csv`) ||
		!strings.HasPrefix(string(csvBody), "date;series;number;") || strings.Count(string(csvBody), "\n") != 3 {
		t.Fatalf("CSV download: %q\n%s", cd, csvBody)
	}
	defer func() {
		// The i.SAF download, once the company is set by the table below.
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/reports/isaf?month=2026-11", nil)
		req.Header.Set("Authorization", "Bearer "+tokA)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		x, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "isaf_304123456_202611.xml") || !strings.Contains(string(x), "<iSAFFile xmlns=\"http://www.vmi.lt/cms/imas/isaf\"") {
			t.Fatalf("i.SAF download: %d %q\n%s", resp.StatusCode, resp.Header.Get("Content-Disposition"), x)
		}
	}()
	runCases(t, srv, []apiCase{
		{"detail", tokA, "GET", fmt.Sprintf("/api/v1/documents/%d", aDoc), "", 200, func(m map[string]any) bool {
			return m["series"] == "KVT" && len(m["entries"].([]any)) == 1 && m["source"] != nil && len(m["lines"].([]any)) == 1
		}},
		{"search by series and amount", tokA, "GET", "/api/v1/documents?series=KVT&min=2.42&max=2.42&from=2026-11-01&to=2026-11-30", "", 200, func(m map[string]any) bool { return len(m["documents"].([]any)) == 2 }},
		{"search by number", tokA, "GET", "/api/v1/documents?series=KVT&number=2", "", 200, func(m map[string]any) bool { return len(m["documents"].([]any)) == 1 }},
		{"search, every bad parameter named", tokA, "GET", "/api/v1/documents?from=yesterday&number=x&min=2,42", "", 400, func(m map[string]any) bool {
			e := m["error"].(string)
			return strings.Contains(e, `from="yesterday"`) && strings.Contains(e, `number="x"`) && strings.Contains(e, `min="2,42"`)
		}},
		{"journal", tokA, "GET", "/api/v1/journal", "", 200, func(m map[string]any) bool { return len(m["entries"].([]any)) == 2 }},
		{"journal, a page of one", tokA, "GET", "/api/v1/journal?limit=1", "", 200, func(m map[string]any) bool { return len(m["entries"].([]any)) == 1 }},
		{"journal, a limit over the cap", tokA, "GET", "/api/v1/journal?limit=5001", "", 400, func(m map[string]any) bool { return m["error"] == `limit="5001": use 1-5000` }},
		{"orders, a limit that is no number", tokA, "GET", "/api/v1/market/orders?limit=all", "", 400, nil},
		{"products, a limit over the cap", tokA, "GET", "/api/v1/products?limit=9999", "", 400, nil},
		{"documents, a limit over the cap", tokA, "GET", "/api/v1/documents?limit=9999", "", 400, nil},
		{"trial balance", tokA, "GET", "/api/v1/trial-balance", "", 200, func(m map[string]any) bool {
			// 2410 is moved through (4.84 in, 4.84 out), 2712 holds the card payments, 4492 and 5000 the sale.
			accts := m["accounts"].([]any)
			first := accts[0].(map[string]any)
			return len(accts) == 4 && first["account"] == "2410" && first["balance"] == "0" && first["debit"] == "4.84"
		}},
		{"unresolved: no stock yet", tokA, "GET", "/api/v1/unresolved", "", 200, func(m map[string]any) bool { return len(m["unresolved"].([]any)) == 2 }},
		{"goods in", tokA, "POST", "/api/v1/stock/receipts", `{"date":"2026-11-01","key":"d1","lines":[{"barcode":"1","name":"Duona","quantity":"5","unit_cost":"1.00"}]}`, 201, func(m map[string]any) bool { return m["series"] == "PAJ" }},
		{"goods in without a key", tokA, "POST", "/api/v1/stock/receipts", `{"date":"2026-11-01","lines":[]}`, 400, nil},
		{"goods in, bad line", tokA, "POST", "/api/v1/stock/receipts", `{"date":"2026-11-01","key":"d2","lines":[{"barcode":"1","quantity":"-5","unit_cost":"1"}]}`, 422, nil},
		{"stock", tokA, "GET", "/api/v1/stock", "", 200, func(m map[string]any) bool { return len(m["stock"].([]any)) == 1 }},
		{"settings", tokA, "GET", "/api/v1/settings/pos", "", 200, func(m map[string]any) bool { return m["mode"] == "receipt" }},
		{"settings: bad mode", tokA, "PUT", "/api/v1/settings/pos", `{"mode":"weekly","warehouse":"MAIN","vat_account":"4492","rounding_account":"5009","services_account":"5001"}`, 422, nil},
		{"settings: unknown account", tokA, "PUT", "/api/v1/settings/pos", `{"mode":"receipt","warehouse":"MAIN","vat_account":"9999","rounding_account":"5009","services_account":"5001"}`, 422, func(m map[string]any) bool {
			return strings.Contains(m["error"].(string), `vat_account "9999"`)
		}},
		{"store POS mode", tokA, "PUT", "/api/v1/stores/A1/pos-mode", `{"pos_mode":"dayclose"}`, 200, func(m map[string]any) bool { return m["pos_mode"] == "dayclose" && m["code"] == "A1" }},
		{"store POS mode listed", tokA, "GET", "/api/v1/stores", "", 200, func(m map[string]any) bool {
			return m["stores"].([]any)[0].(map[string]any)["pos_mode"] == "dayclose"
		}},
		{"store POS mode: bad mode", tokA, "PUT", "/api/v1/stores/A1/pos-mode", `{"pos_mode":"weekly"}`, 422, func(m map[string]any) bool { return strings.Contains(m["error"].(string), "weekly") }},
		{"store POS mode: no mode", tokA, "PUT", "/api/v1/stores/A1/pos-mode", `{}`, 400, nil},
		{"store POS mode: unknown store", tokA, "PUT", "/api/v1/stores/ZZ/pos-mode", `{"pos_mode":"receipt"}`, 404, nil},
		{"B sets A's store POS mode", tokB, "PUT", "/api/v1/stores/A1/pos-mode", `{"pos_mode":"receipt"}`, 404, nil},
		{"store POS mode back to the tenant's", tokA, "PUT", "/api/v1/stores/A1/pos-mode", `{"pos_mode":""}`, 200, func(m map[string]any) bool { return m["pos_mode"] == "" }},
		{"store start date", tokA, "PUT", "/api/v1/stores/A1/start", `{"start_date":"2026-01-01","history":true}`, 200, func(m map[string]any) bool { return m["start_date"] == "2026-01-01" && m["start_history"] == true }},
		{"store start date: not a day", tokA, "PUT", "/api/v1/stores/A1/start", `{"start_date":"2026-02-30"}`, 422, func(m map[string]any) bool { return strings.Contains(m["error"].(string), "YYYY-MM-DD") }},
		{"store start date: history without a date", tokA, "PUT", "/api/v1/stores/A1/start", `{"start_date":"","history":true}`, 422, func(m map[string]any) bool {
			return strings.Contains(m["error"].(string), "history needs a start date")
		}},
		{"store start date: none", tokA, "PUT", "/api/v1/stores/A1/start", `{}`, 400, nil},
		{"B sets A's store start date", tokB, "PUT", "/api/v1/stores/A1/start", `{"start_date":"2026-01-01"}`, 404, nil},
		{"store start date cleared", tokA, "PUT", "/api/v1/stores/A1/start", `{"start_date":""}`, 200, func(m map[string]any) bool { return m["start_date"] == "" && m["start_history"] == false }},
		{"close the books", tokA, "PUT", "/api/v1/settings/books", `{"closed_until":"2026-10-31"}`, 200, func(m map[string]any) bool { return m["closed_until"] == "2026-10-31" }},
		{"close the books: a bad day", tokA, "PUT", "/api/v1/settings/books", `{"closed_until":"31.10.2026"}`, 422, func(m map[string]any) bool { return strings.Contains(m["error"].(string), "YYYY-MM-DD") }},
		{"close the books: no day", tokA, "PUT", "/api/v1/settings/books", `{}`, 400, nil},
		{"B's books are open", tokB, "GET", "/api/v1/settings/books", "", 200, func(m map[string]any) bool { return m["closed_until"] == "" }},
		{"open the books again", tokA, "PUT", "/api/v1/settings/books", `{"closed_until":""}`, 200, func(m map[string]any) bool { return m["closed_until"] == "" }},
		{"accounts", tokA, "GET", "/api/v1/accounts", "", 200, func(m map[string]any) bool { return len(m["accounts"].([]any)) == 15 }},
		{"add an account", tokA, "PUT", "/api/v1/accounts/2722", `{"name":"Kasa 2","kind":"asset","active":true}`, 200, nil},
		{"operation types", tokA, "GET", "/api/v1/operation-types", "", 200, func(m map[string]any) bool { return len(m["operation_types"].([]any)) == 8 }},
		{"classifiers", tokA, "GET", "/api/v1/vat-classifiers", "", 200, func(m map[string]any) bool { return len(m["vat_classifiers"].([]any)) == 5 }},
		{"set a classifier", tokA, "PUT", "/api/v1/vat-classifiers/12", `{"code":"PVM58","name":"12% (accommodation)"}`, 200, nil},
		{"bad classifier rate", tokA, "PUT", "/api/v1/vat-classifiers/abc", `{"code":"X"}`, 422, nil},
		{"reconciliation", tokA, "GET", "/api/v1/reconciliation", "", 200, nil},
		{"posting failures", tokA, "GET", "/api/v1/posting-failures", "", 200, func(m map[string]any) bool { return len(m["failures"].([]any)) == 0 }},
		{"VAT summary", tokA, "GET", "/api/v1/reports/vat-summary?from=2026-11-01&to=2026-11-30", "", 200, func(m map[string]any) bool {
			rows := m["rows"].([]any)
			return len(rows) == 2 && rows[0].([]any)[2] == "PVM1" && rows[1].([]any)[6] == "0.84"
		}},
		{"VAT summary without a period", tokA, "GET", "/api/v1/reports/vat-summary", "", 400, nil},
		{"OSS", tokA, "GET", "/api/v1/reports/oss?quarter=2026Q4", "", 200, func(m map[string]any) bool { return len(m["rows"].([]any)) == 1 }},
		{"OSS, bad quarter", tokA, "GET", "/api/v1/reports/oss?quarter=Q9", "", 422, nil},
		{"sales journal", tokA, "GET", "/api/v1/reports/sales-journal?from=2026-11-01&to=2026-11-30", "", 200, func(m map[string]any) bool { return len(m["rows"].([]any)) == 2 }},
		{"B's VAT summary is its own", tokB, "GET", "/api/v1/reports/vat-summary?from=2026-11-01&to=2026-11-30", "", 200, func(m map[string]any) bool {
			rows := m["rows"].([]any)
			return len(rows) == 2 && rows[1].([]any)[6] == "0.42"
		}},
		{"B's sales journal is its own", tokB, "GET", "/api/v1/reports/sales-journal?from=2026-11-01&to=2026-11-30", "", 200, func(m map[string]any) bool { return len(m["rows"].([]any)) == 1 }},
		{"i.SAF without the company code", tokA, "GET", "/api/v1/reports/isaf?month=2026-11", "", 422, func(m map[string]any) bool {
			return strings.Contains(m["error"].(string), "registration code")
		}},
		{"set the company", tokA, "PUT", "/api/v1/company", `{"name":"UAB A","code":"304123456","vat_code":"LT100012345678","address":"Vilnius"}`, 200, nil},
		{"bad company code", tokA, "PUT", "/api/v1/company", `{"name":"UAB A","code":"12","vat_code":"","address":""}`, 422, nil},
		{"company", tokA, "GET", "/api/v1/company", "", 200, func(m map[string]any) bool { return m["code"] == "304123456" }},
		{"i.SAF, bad month", tokA, "GET", "/api/v1/reports/isaf?month=November", "", 400, nil},
		// Tenant B never reaches A's books.
		{"B reads A's document", tokB, "GET", fmt.Sprintf("/api/v1/documents/%d", aDoc), "", 404, nil},
		{"B cancels A's document", tokB, "POST", fmt.Sprintf("/api/v1/documents/%d/cancel", aDoc), "", 404, nil},
		{"B's stock is its own", tokB, "GET", "/api/v1/stock", "", 200, func(m map[string]any) bool { return len(m["stock"].([]any)) == 0 }},
		{"B's journal is its own", tokB, "GET", "/api/v1/journal", "", 200, func(m map[string]any) bool { return len(m["entries"].([]any)) == 1 }},
		{"B resolves A's line", tokB, "POST", "/api/v1/unresolved/1/resolve", "", 404, nil},
		{"B retries A's failure", tokB, "POST", "/api/v1/posting-failures/receipts/1/retry", "", 404, nil},
		// A cancels its own: the number stays, a reversal is added.
		{"cancel", tokA, "POST", fmt.Sprintf("/api/v1/documents/%d/cancel", aDoc), "", 200, func(m map[string]any) bool {
			return m["status"] == "cancelled" && len(m["entries"].([]any)) == 2 && m["number"].(float64) == 1 && m["cancelled_by"] == "API" && m["cancel_date"] != nil
		}},
		{"cancel twice", tokA, "POST", fmt.Sprintf("/api/v1/documents/%d/cancel", aDoc), "", 422, nil},
	})
}
