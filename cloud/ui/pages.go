package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/cloud/api"
	"tiltas/cloud/catalog"
	"tiltas/cloud/db"
	"tiltas/cloud/isaf"
	"tiltas/cloud/market"
	"tiltas/cloud/market/amazon"
	"tiltas/cloud/rates"
	"tiltas/cloud/report"
	"tiltas/shared/domain"
)

// storeRow and accountRow are the overview's lines: status, and what was sold today.
type storeRow struct {
	db.StoreStatus
	Today db.DaySales
}

type accountRow struct {
	db.MarketAccount
	Open, Errors int
	Today        db.DaySales
}

func (u *UI) overview(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, t := r.Context(), s.user.TenantID
	stores, err := u.Store.Stores(ctx, t)
	if err != nil {
		u.fail(w, err)
		return
	}
	today := time.Now().In(u.zone()).Format(time.DateOnly)
	byStore, byAccount, err := u.Store.SalesOn(ctx, t, today)
	if err != nil {
		u.fail(w, err)
		return
	}
	var rows []storeRow
	total := db.DaySales{}
	for _, st := range stores {
		ss, err := u.Store.StoreStatus(ctx, st)
		if err != nil {
			u.fail(w, err)
			return
		}
		rows = append(rows, storeRow{ss, byStore[st.ID]})
	}
	accts, _ := u.Store.MarketAccounts(ctx, t)
	counts, _ := u.Store.OrderCounts(ctx, t)
	var arows []accountRow
	for _, a := range accts {
		arows = append(arows, accountRow{a, counts[a.ID][db.OrderOpen], counts[a.ID][db.OrderErrors], byAccount[a.ID]})
	}
	for _, m := range []map[int64]db.DaySales{byStore, byAccount} {
		for _, ds := range m {
			total.Docs += ds.Docs
			total.Total = total.Total.Add(ds.Total)
		}
	}
	fails, _ := u.Store.PostingFailures(ctx, t)
	u.render(w, r, s, "overview", "Overview", map[string]any{"Stores": rows, "Accounts": arows, "Day": today,
		"Today": total, "Failures": len(fails)}, r.URL.Query().Get("flash"), "")
}

func (u *UI) receipts(w http.ResponseWriter, r *http.Request, s *session) {
	v := r.URL.Query()
	q := db.Query{TenantID: s.user.TenantID, Limit: 100}
	var errMsg string
	if code := v.Get("store"); code != "" {
		st, err := u.Store.StoreByCode(r.Context(), s.user.TenantID, code)
		if err != nil {
			errMsg = fmt.Sprintf("No store %q.", code)
			st.ID = -1 // matches nothing
		}
		q.StoreID = st.ID
	}
	if t, err := time.ParseInLocation(time.DateOnly, v.Get("from"), u.zone()); err == nil {
		q.From = t
	}
	if t, err := time.ParseInLocation(time.DateOnly, v.Get("to"), u.zone()); err == nil {
		q.To = t.AddDate(0, 0, 1)
	}
	q.AfterID, _ = strconv.ParseInt(v.Get("after"), 10, 64)
	var out []db.ReceiptRecord
	var next string
	// Filter by type while paging on: a page shows up to 100 of the asked type.
	for len(out) < 100 {
		rs, err := u.Store.Receipts(r.Context(), q)
		if err != nil {
			u.fail(w, err)
			return
		}
		for _, rc := range rs {
			if (v.Get("type") == "" || string(rc.Type) == v.Get("type")) && (v.Get("register") == "" || rc.Register == v.Get("register")) {
				out = append(out, rc)
			}
			q.AfterID = rc.ID
		}
		if len(rs) < q.Limit {
			break
		}
	}
	if len(out) >= 100 {
		next = nextPage(v, "after", fmt.Sprint(q.AfterID))
	}
	q2 := map[string]string{"store": v.Get("store"), "register": v.Get("register"), "from": v.Get("from"), "to": v.Get("to"), "type": v.Get("type")}
	u.render(w, r, s, "receipts", "Receipts", map[string]any{"Receipts": out, "Q": q2, "Types": []string{"sale", "return", "invoice"}, "Next": next}, "", errMsg)
}

func (u *UI) receipt(w http.ResponseWriter, r *http.Request, s *session) {
	rid, ok := id(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	rs, err := u.Store.Receipts(r.Context(), db.Query{TenantID: s.user.TenantID, AfterID: rid - 1, Limit: 1})
	if err != nil {
		u.fail(w, err)
		return
	}
	if len(rs) == 0 || rs[0].ID != rid {
		http.NotFound(w, r) // not this tenant's, or no such receipt
		return
	}
	docs, _ := u.Store.Documents(r.Context(), db.DocQuery{TenantID: s.user.TenantID, SourceKind: "receipt", SourceID: rs[0].SourceID, Store: rs[0].Store})
	u.render(w, r, s, "receipt", "Receipt "+rs[0].Number, map[string]any{"Receipt": rs[0], "Documents": docs}, "", "")
}

func (u *UI) documents(w http.ResponseWriter, r *http.Request, s *session) {
	v := r.URL.Query()
	params := url.Values{}
	for k := range v {
		params.Set(k, v.Get(k))
	}
	for _, k := range []string{"min", "max"} {
		params.Set(k, strings.ReplaceAll(params.Get(k), ",", ".")) // people type decimal commas
	}
	params.Del("limit")
	params.Del("operation")
	q, err := api.DocQuery(s.user.TenantID, params)
	q.Limit = 100
	var docs []db.DocSummary
	errMsg := ""
	if err != nil {
		errMsg = err.Error()
	} else if docs, err = u.Store.Documents(r.Context(), q); err != nil {
		u.fail(w, err)
		return
	}
	next := ""
	if len(docs) == q.Limit {
		next = nextPage(v, "after", fmt.Sprint(docs[len(docs)-1].ID))
	}
	qm := map[string]string{}
	for _, k := range []string{"series", "number", "customer", "from", "to", "min", "max", "store", "account"} {
		qm[k] = v.Get(k)
	}
	accts, _ := u.Store.MarketAccounts(r.Context(), s.user.TenantID)
	u.render(w, r, s, "documents", "Documents", map[string]any{"Documents": docs, "Q": qm, "Next": next, "Accounts": accts}, "", errMsg)
}

// nextPage is the query string of the page after this one: the same filters, key set to value.
func nextPage(v url.Values, key, value string) string {
	nv := url.Values{}
	for k := range v {
		nv.Set(k, v.Get(k))
	}
	nv.Set(key, value)
	return nv.Encode()
}

func (u *UI) document(w http.ResponseWriter, r *http.Request, s *session) {
	did, ok := id(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	d, err := u.Store.Document(r.Context(), s.user.TenantID, did)
	if err != nil {
		u.fail(w, err)
		return
	}
	u.render(w, r, s, "document", fmt.Sprintf("%s%d", d.Series, d.Number), map[string]any{"Doc": d}, r.URL.Query().Get("flash"), "")
}

func (u *UI) cancel(w http.ResponseWriter, r *http.Request, s *session) {
	did, ok := id(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if err := u.Books.Cancel(r.Context(), s.user.TenantID, did, s.user.Email); err != nil {
		u.fail(w, err)
		return
	}
	back(w, r, fmt.Sprintf("/ui/documents/%d", did), "Cancelled: the number is kept and a reversal entry was added.")
}

func (u *UI) orders(w http.ResponseWriter, r *http.Request, s *session) {
	state := r.URL.Query().Get("state")
	states := []string{db.OrderOpen, db.OrderPosted, db.OrderErrors, db.OrderCancelled}
	valid := false
	for _, st := range states {
		valid = valid || st == state
	}
	if !valid {
		state = db.OrderErrors
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	os, err := u.Store.MarketOrdersBefore(r.Context(), s.user.TenantID, state, before, 200)
	if err != nil {
		u.fail(w, err)
		return
	}
	next := ""
	if len(os) == 200 {
		next = nextPage(url.Values{"state": {state}}, "before", fmt.Sprint(os[len(os)-1].ID))
	}
	u.render(w, r, s, "orders", "Marketplace orders", map[string]any{"Orders": os, "State": state, "States": states, "Next": next}, r.URL.Query().Get("flash"), "")
}

func (u *UI) retryOrder(w http.ResponseWriter, r *http.Request, s *session) {
	oid, ok := id(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if err := u.Store.RetryOrder(r.Context(), s.user.TenantID, oid); err != nil {
		u.fail(w, err)
		return
	}
	// Book it now rather than at the next pull.
	if accts, err := u.Store.MarketAccounts(r.Context(), s.user.TenantID); err == nil {
		for _, a := range accts {
			_, _ = u.Books.PostOrders(r.Context(), a, market.RulesFor(a))
		}
	}
	back(w, r, "/ui/orders?state=posted", "Retried.")
}

func (u *UI) unresolved(w http.ResponseWriter, r *http.Request, s *session) {
	un, err := u.Store.Unresolved(r.Context(), s.user.TenantID, 0, true)
	if err != nil {
		u.fail(w, err)
		return
	}
	u.render(w, r, s, "unresolved", "Unresolved write-offs", un, r.URL.Query().Get("flash"), r.URL.Query().Get("error"))
}

func (u *UI) resolve(w http.ResponseWriter, r *http.Request, s *session) {
	lid, ok := id(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if _, err := u.Books.Resolve(r.Context(), s.user.TenantID, lid, strings.TrimSpace(r.FormValue("barcode"))); err != nil {
		var inv *db.InvalidError
		if errors.As(err, &inv) {
			http.Redirect(w, r, "/ui/unresolved?error="+url.QueryEscape(err.Error()), http.StatusSeeOther)
			return
		}
		u.fail(w, err)
		return
	}
	back(w, r, "/ui/unresolved", "Written off.")
}

func (u *UI) stock(w http.ResponseWriter, r *http.Request, s *session) {
	bs, err := u.Store.StockBalances(r.Context(), s.user.TenantID, "")
	if err != nil {
		u.fail(w, err)
		return
	}
	t := report.Table{Columns: []string{"Warehouse", "Item", "Quantity", "Value"}}
	for _, b := range bs {
		t.Rows = append(t.Rows, []string{b.Warehouse, b.Barcode, b.Qty.String(), b.Value.StringFixed(2)})
	}
	u.render(w, r, s, "table", "Stock", t, "", "")
}

func (u *UI) trialBalance(w http.ResponseWriter, r *http.Request, s *session) {
	tb, err := u.Store.TrialBalance(r.Context(), s.user.TenantID, r.URL.Query().Get("to"))
	if err != nil {
		u.fail(w, err)
		return
	}
	t := report.Table{Columns: []string{"Account", "Name", "Debit", "Credit", "Balance"}}
	for _, a := range tb {
		t.Rows = append(t.Rows, []string{a.Account, a.Name, a.Debit.StringFixed(2), a.Credit.StringFixed(2), a.Balance.StringFixed(2)})
	}
	u.render(w, r, s, "table", "Trial balance", t, "", "")
}

type importResult struct {
	db.ImportResult
	Errors []catalog.RowError
}

func (u *UI) productsPage(w http.ResponseWriter, r *http.Request, s *session, imp *importResult, errMsg string) {
	ctx, t := r.Context(), s.user.TenantID
	q := r.URL.Query().Get("q")
	cards, err := u.Store.Cards(ctx, t, q, r.URL.Query().Get("after"), 200)
	if err != nil {
		u.fail(w, err)
		return
	}
	next := ""
	if len(cards) == 200 {
		next = nextPage(url.Values{"q": {q}}, "after", cards[len(cards)-1].Barcode)
	}
	stores, _ := u.Store.Stores(ctx, t)
	var push []db.CardStatus
	for _, st := range stores {
		if cs, err := u.Store.CardStatus(ctx, st); err == nil {
			push = append(push, cs)
		}
	}
	u.render(w, r, s, "products", "Products", map[string]any{"Cards": cards, "Q": q, "Push": push, "Import": imp, "Next": next}, "", errMsg)
}

func (u *UI) products(w http.ResponseWriter, r *http.Request, s *session) {
	u.productsPage(w, r, s, nil, "")
}

func (u *UI) importProducts(w http.ResponseWriter, r *http.Request, s *session) {
	f, _, err := r.FormFile("file")
	if err != nil {
		u.productsPage(w, r, s, nil, "Choose a CSV file to import.")
		return
	}
	defer f.Close()
	cards, rowErrs, err := catalog.ParseCSV(f)
	if err != nil {
		u.productsPage(w, r, s, nil, err.Error())
		return
	}
	res, err := u.Store.ImportCards(r.Context(), s.user.TenantID, cards)
	if err != nil {
		u.fail(w, err)
		return
	}
	u.productsPage(w, r, s, &importResult{ImportResult: res, Errors: rowErrs}, "")
}

func (u *UI) reports(w http.ResponseWriter, r *http.Request, s *session) {
	now := time.Now().In(u.zone())
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, u.zone())
	u.render(w, r, s, "reports", "Reports", map[string]any{"From": first.Format(time.DateOnly), "To": now.Format(time.DateOnly),
		"Quarter": report.QuarterOf(now.Format(time.DateOnly)), "Month": now.Format("2006-01")}, "", r.URL.Query().Get("error"))
}

func (u *UI) reportView(w http.ResponseWriter, r *http.Request, s *session) {
	v := r.URL.Query()
	var t report.Table
	var err error
	switch v.Get("name") {
	case "vat-summary":
		t, err = u.Store.VATSummary(r.Context(), s.user.TenantID, v.Get("from"), v.Get("to"))
	case "sales-journal":
		t, err = u.Store.SalesJournal(r.Context(), s.user.TenantID, v.Get("from"), v.Get("to"))
	case "oss":
		t, err = u.Store.OSS(r.Context(), s.user.TenantID, v.Get("quarter"))
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Redirect(w, r, "/ui/reports?error="+url.QueryEscape(err.Error()), http.StatusSeeOther)
		return
	}
	if v.Get("format") == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, v.Get("name")))
		_ = t.WriteCSV(w)
		return
	}
	u.render(w, r, s, "table", t.Title, t, "", "")
}

func (u *UI) isaf(w http.ResponseWriter, r *http.Request, s *session) {
	x, name, err := isaf.Month(r.Context(), u.Store, s.user.TenantID, r.URL.Query().Get("month"), u.Version)
	var inv *db.InvalidError
	switch {
	case errors.As(err, &inv):
		http.Redirect(w, r, "/ui/reports?error="+url.QueryEscape(err.Error()), http.StatusSeeOther)
		return
	case err != nil:
		u.fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	_, _ = w.Write(x)
}

func (u *UI) settingsPage(w http.ResponseWriter, r *http.Request, s *session, extra map[string]any, flash, errMsg string) {
	ctx, t := r.Context(), s.user.TenantID
	c, _ := u.Store.Company(ctx, t)
	pos, _ := u.Store.POSSettings(ctx, t)
	fails, _ := u.Store.PostingFailures(ctx, t)
	accts, _ := u.Store.MarketAccounts(ctx, t)
	classes, _ := u.Store.VATClassifiers(ctx, t)
	ops, _ := u.Store.OperationTypes(ctx, t)
	chart, _ := u.Store.Accounts(ctx, t)
	stores, _ := u.Store.Stores(ctx, t)
	fx, _ := u.Store.LatestFX(ctx, t)
	vat, _ := u.Store.VATRates(ctx, t)
	type countryRate struct{ Country, Rate string }
	var rates []countryRate
	for c, r := range vat {
		rates = append(rates, countryRate{c, r})
	}
	slices.SortFunc(rates, func(a, b countryRate) int { return strings.Compare(a.Country, b.Country) })
	reduced, _ := u.Store.ReducedRates(ctx, t)
	apiTokens, _ := u.Store.APITokens(ctx, t)
	closed, _ := u.Store.BooksClosedUntil(ctx, t)
	users, _ := u.Store.Users(ctx, t)
	data := map[string]any{"Company": c, "POS": pos, "Stores": stores, "MarketForm": newMarketForm(nil), "FX": fx, "VATRates": rates, "Reduced": reduced, "APITokens": apiTokens, "ClosedUntil": closed, "Users": users, "Failures": fails, "Accounts": accts, "Classifiers": classes, "Operations": ops, "Chart": chart}
	for k, v := range extra {
		data[k] = v
	}
	u.render(w, r, s, "settings", "Settings", data, flash, errMsg)
}

func (u *UI) settings(w http.ResponseWriter, r *http.Request, s *session) {
	u.settingsPage(w, r, s, nil, r.URL.Query().Get("flash"), "")
}

func (u *UI) saveCompany(w http.ResponseWriter, r *http.Request, s *session) {
	err := u.Store.SetCompany(r.Context(), s.user.TenantID, db.Company{Name: r.FormValue("name"), Code: r.FormValue("code"), VATCode: r.FormValue("vat_code"), Address: r.FormValue("address")})
	if err != nil {
		u.settingsPage(w, r, s, nil, "", err.Error())
		return
	}
	back(w, r, "/ui/settings", "Company saved.")
}

func (u *UI) savePOS(w http.ResponseWriter, r *http.Request, s *session) {
	p, err := u.Store.POSSettings(r.Context(), s.user.TenantID)
	if err != nil {
		u.fail(w, err)
		return
	}
	p.Mode, p.Warehouse = r.FormValue("mode"), strings.TrimSpace(r.FormValue("warehouse"))
	p.AutoWriteOff, p.ReturnsToStock = r.FormValue("auto_writeoff") != "", r.FormValue("returns_to_stock") != ""
	if err := u.Store.SetPOSSettings(r.Context(), s.user.TenantID, p); err != nil {
		u.settingsPage(w, r, s, nil, "", err.Error())
		return
	}
	back(w, r, "/ui/settings", "POS posting saved: it applies from now on.")
}

func (u *UI) saveStoreMode(w http.ResponseWriter, r *http.Request, s *session) {
	code := r.FormValue("store")
	err := u.Store.SetStorePOSMode(r.Context(), s.user.TenantID, code, r.FormValue("pos_mode"))
	u.settingsAnswer(w, r, s, err, "POS mode of store "+code+" saved: it applies from now on.")
}

func (u *UI) enroll(w http.ResponseWriter, r *http.Request, s *session) {
	code := strings.TrimSpace(r.FormValue("store"))
	tok, err := u.Store.EnrollAgent(r.Context(), s.user.TenantID, code, strings.TrimSpace(r.FormValue("store_name")))
	if err != nil {
		u.settingsPage(w, r, s, nil, "", err.Error())
		return
	}
	u.settingsPage(w, r, s, map[string]any{"Token": tok, "TokenStore": code}, "", "")
}

func (u *UI) closeBooks(w http.ResponseWriter, r *http.Request, s *session) {
	until := r.FormValue("closed_until")
	if err := u.Store.CloseBooks(r.Context(), s.user.TenantID, until); err != nil {
		u.saveSetting(w, r, s, err)
		return
	}
	u.Log.Warn("books closed", "tenant", s.user.TenantID, "until", until, "by", s.user.Email)
	msg := "The books are open."
	if until != "" {
		msg = "The books are closed up to " + until + "."
	}
	back(w, r, "/ui/settings", msg)
}

func (u *UI) addUser(w http.ResponseWriter, r *http.Request, s *session) {
	email := strings.TrimSpace(r.FormValue("email"))
	err := u.Store.CreateUser(r.Context(), s.user.TenantID, email, strings.TrimSpace(r.FormValue("name")), r.FormValue("password"), r.FormValue("role"))
	if err == nil {
		u.Log.Warn("user added", "tenant", s.user.TenantID, "user", email, "role", r.FormValue("role"), "by", s.user.Email)
	}
	u.settingsAnswer(w, r, s, err, fmt.Sprintf("User %s added: give them the first password; they change it under their name.", email))
}

func (u *UI) removeUser(w http.ResponseWriter, r *http.Request, s *session) {
	uid, _ := strconv.ParseInt(r.FormValue("id"), 10, 64)
	if uid == s.user.ID {
		u.settingsPage(w, r, s, nil, "", "You cannot remove yourself: ask another accountant.")
		return
	}
	err := u.Store.RemoveUser(r.Context(), s.user.TenantID, uid)
	if err == nil {
		u.Log.Warn("user removed", "tenant", s.user.TenantID, "user", uid, "by", s.user.Email)
	}
	u.settingsAnswer(w, r, s, err, "User removed; their sign-ins have ended.")
}

func (u *UI) revokeAgent(w http.ResponseWriter, r *http.Request, s *session) {
	code := r.FormValue("store")
	n, err := u.Store.RevokeAgentTokens(r.Context(), s.user.TenantID, code)
	if err != nil {
		u.fail(w, err) // another tenant's store is not found
		return
	}
	u.Log.Warn("agent tokens revoked", "tenant", s.user.TenantID, "store", code, "by", s.user.Email, "tokens", n)
	back(w, r, "/ui/settings", fmt.Sprintf("Revoked %d agent token(s) of store %s: its agent is stopped. Create a new token to enroll it again.", n, code))
}

func (u *UI) createAPIToken(w http.ResponseWriter, r *http.Request, s *session) {
	name := strings.TrimSpace(r.FormValue("name"))
	if name == "" || len(name) > 100 {
		u.settingsPage(w, r, s, nil, "", "An API token needs a name (up to 100 characters) saying what uses it.")
		return
	}
	tok, err := u.Store.CreateAPIToken(r.Context(), s.user.TenantID, name)
	if err != nil {
		u.fail(w, err)
		return
	}
	u.settingsPage(w, r, s, map[string]any{"APIToken": tok, "APITokenName": name}, "", "")
}

func (u *UI) revokeAPIToken(w http.ResponseWriter, r *http.Request, s *session) {
	tid, _ := strconv.ParseInt(r.FormValue("id"), 10, 64)
	err := u.Store.RevokeAPIToken(r.Context(), s.user.TenantID, tid)
	if err == nil {
		u.Log.Warn("API token revoked", "tenant", s.user.TenantID, "id", tid, "by", s.user.Email)
	}
	u.settingsAnswer(w, r, s, err, "API token revoked: it stopped working.")
}

func (u *UI) importVAT(w http.ResponseWriter, r *http.Request, s *session) {
	importRates(u, w, r, s, rates.ParseStandard, u.Store.SaveVATRates, "VAT rates")
}

func (u *UI) importReduced(w http.ResponseWriter, r *http.Request, s *session) {
	importRates(u, w, r, s, rates.ParseReduced, u.Store.SaveReducedRates, "reduced VAT rates")
}

func (u *UI) importFX(w http.ResponseWriter, r *http.Request, s *session) {
	importRates(u, w, r, s, rates.ParseECB, u.Store.SaveFXRates, "exchange rates")
}

// importRates parses the uploaded rates file, then saves its rows; a problem is shown on the
// settings page.
func importRates[T any](u *UI, w http.ResponseWriter, r *http.Request, s *session,
	parse func(io.Reader) ([]T, error), save func(context.Context, int64, []T) (int, error), what string) {
	f, _, err := r.FormFile("file")
	if err != nil {
		u.settingsPage(w, r, s, nil, "", "Choose a file to import.")
		return
	}
	defer f.Close()
	rows, err := parse(f)
	if err != nil {
		u.settingsPage(w, r, s, nil, "", err.Error())
		return
	}
	n, err := save(r.Context(), s.user.TenantID, rows)
	if err != nil {
		u.settingsPage(w, r, s, nil, "", err.Error())
		return
	}
	back(w, r, "/ui/settings", fmt.Sprintf("Imported %d %s.", n, what))
}

func (u *UI) journal(w http.ResponseWriter, r *http.Request, s *session) {
	v := r.URL.Query()
	from, to := v.Get("from"), v.Get("to")
	if from == "" {
		from = time.Now().AddDate(0, 0, -7).Format(time.DateOnly)
	}
	after, _ := strconv.ParseInt(v.Get("after"), 10, 64)
	es, err := u.Store.Journal(r.Context(), s.user.TenantID, from, to, after, 200)
	if err != nil {
		u.fail(w, err)
		return
	}
	next := ""
	if len(es) == 200 {
		next = url.Values{"from": {from}, "to": {to}, "after": {fmt.Sprint(es[len(es)-1].ID)}}.Encode()
	}
	u.render(w, r, s, "journal", "Journal", map[string]any{"Entries": es, "From": from, "To": to, "Next": next}, "", "")
}

// resolveBulk writes off every selected line as its own item; it says which could not.
func (u *UI) resolveBulk(w http.ResponseWriter, r *http.Request, s *session) {
	done := 0
	var failed []string
	for _, v := range r.Form["ids"] {
		lid, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			continue
		}
		if _, err := u.Books.Resolve(r.Context(), s.user.TenantID, lid, ""); err != nil {
			failed = append(failed, fmt.Sprintf("line %d: %v", lid, err))
			continue
		}
		done++
	}
	to := "/ui/unresolved?flash=" + url.QueryEscape(fmt.Sprintf("%d written off.", done))
	if len(failed) > 0 {
		to += "&error=" + url.QueryEscape(strings.Join(failed, "; "))
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func (u *UI) productForm(w http.ResponseWriter, r *http.Request, s *session) {
	data := map[string]any{"Rates": []string{"21", "12", "9", "5", "0"}}
	if bc := r.URL.Query().Get("barcode"); bc != "" {
		c, err := u.Store.Card(r.Context(), s.user.TenantID, bc)
		if err != nil {
			u.fail(w, err) // not found: 404
			return
		}
		data["Card"] = c
		u.render(w, r, s, "product", "Product "+bc, data, "", "")
		return
	}
	data["New"], data["Card"] = true, domain.Card{Unit: "vnt.", VATRate: decimal.NewFromInt(21)}
	u.render(w, r, s, "product", "New product card", data, "", "")
}

func (u *UI) saveProduct(w http.ResponseWriter, r *http.Request, s *session) {
	num := func(name string) decimal.Decimal {
		d, _ := decimal.NewFromString(strings.ReplaceAll(strings.TrimSpace(r.FormValue(name)), ",", "."))
		return d
	}
	c := domain.Card{Barcode: r.FormValue("barcode"), Name: r.FormValue("name"), Group: r.FormValue("group"), Unit: r.FormValue("unit"),
		PriceNet: num("price_net"), PriceGross: num("price_gross"), VATRate: num("vat_rate"), VATCategory: r.FormValue("vat_category"),
		Service: r.FormValue("service") != "", Active: r.FormValue("active") != ""}
	create := r.FormValue("create") != ""
	if _, err := u.Store.SaveCard(r.Context(), s.user.TenantID, c, create); err != nil {
		var inv *db.InvalidError
		if errors.As(err, &inv) || errors.Is(err, db.ErrExists) {
			u.render(w, r, s, "product", "Product "+c.Barcode, map[string]any{"Card": c, "New": create, "Rates": []string{"21", "12", "9", "5", "0"}}, "", err.Error())
			return
		}
		u.fail(w, err)
		return
	}
	http.Redirect(w, r, "/ui/products?q="+url.QueryEscape(c.Barcode), http.StatusSeeOther)
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
	var inv *db.InvalidError
	switch {
	case errors.As(err, &inv):
		u.settingsPage(w, r, s, map[string]any{"MarketForm": newMarketForm(r)}, "", err.Error())
	case err != nil:
		u.fail(w, err)
	default:
		back(w, r, "/ui/settings", fmt.Sprintf("Marketplace account %q added: its first pull starts within seconds.", name))
	}
}

// updateMarket changes an account from its settings form: the fields of its kind filled in
// replace theirs in the stored config, the rest stay.
func (u *UI) updateMarket(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	aid, _ := strconv.ParseInt(r.FormValue("id"), 10, 64)
	acct, err := u.Store.MarketAccount(ctx, s.user.TenantID, aid)
	if err != nil {
		u.fail(w, err) // another tenant's account is not found
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
		u.fail(w, err)
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
	if err := market.FetchNow(r.Context(), u.Store, s.user.TenantID, aid); err != nil {
		u.settingsPage(w, r, s, nil, "", err.Error())
		return
	}
	back(w, r, "/ui/settings", "The account will be pulled within seconds.")
}

func (u *UI) saveClassifier(w http.ResponseWriter, r *http.Request, s *session) {
	u.saveSetting(w, r, s, u.Store.SaveVATClassifier(r.Context(), s.user.TenantID, db.VATClassifier{Rate: r.FormValue("rate"), Code: strings.TrimSpace(r.FormValue("code")), Name: r.FormValue("name")}))
}

func (u *UI) saveOperation(w http.ResponseWriter, r *http.Request, s *session) {
	u.saveSetting(w, r, s, u.Store.SaveOperationType(r.Context(), s.user.TenantID, db.OperationType{Code: r.FormValue("code"), Name: r.FormValue("name"),
		Series: strings.TrimSpace(r.FormValue("series")), Debit: strings.TrimSpace(r.FormValue("debit")), Credit: strings.TrimSpace(r.FormValue("credit"))}))
}

func (u *UI) saveAccount(w http.ResponseWriter, r *http.Request, s *session) {
	u.saveSetting(w, r, s, u.Store.SaveAccount(r.Context(), s.user.TenantID, db.Account{Code: strings.TrimSpace(r.FormValue("code")), Name: r.FormValue("name"),
		Kind: r.FormValue("kind"), Active: r.FormValue("active") != ""}))
}

// settingsAnswer answers a settings form: back to the settings with flash, the page again with
// a refusal a person can act on, or an error page (404 for another tenant's object).
func (u *UI) settingsAnswer(w http.ResponseWriter, r *http.Request, s *session, err error, flash string) {
	var inv *db.InvalidError
	switch {
	case errors.As(err, &inv):
		u.settingsPage(w, r, s, nil, "", err.Error())
	case err != nil:
		u.fail(w, err)
	default:
		back(w, r, "/ui/settings", flash)
	}
}

// saveSetting answers a settings form: back with a note, or the page with the refusal.
func (u *UI) saveSetting(w http.ResponseWriter, r *http.Request, s *session, err error) {
	if err != nil {
		var inv *db.InvalidError
		if errors.As(err, &inv) || errors.Is(err, db.ErrNotFound) {
			u.settingsPage(w, r, s, nil, "", err.Error())
			return
		}
		u.fail(w, err)
		return
	}
	back(w, r, "/ui/settings", "Saved.")
}

func (u *UI) account(w http.ResponseWriter, r *http.Request, s *session) {
	u.render(w, r, s, "account", "Your account", nil, r.URL.Query().Get("flash"), "")
}

func (u *UI) changePassword(w http.ResponseWriter, r *http.Request, s *session) {
	if r.FormValue("new") != r.FormValue("repeat") {
		u.render(w, r, s, "account", "Your account", nil, "", "The two new passwords differ: type the same one twice.")
		return
	}
	err := u.Store.ChangePassword(r.Context(), s.user.ID, r.FormValue("current"), r.FormValue("new"), s.token)
	var inv *db.InvalidError
	switch {
	case errors.As(err, &inv):
		u.render(w, r, s, "account", "Your account", nil, "", err.Error())
	case err != nil:
		u.fail(w, err)
	default:
		back(w, r, "/ui/account", "Password changed; your other sign-ins have ended.")
	}
}
