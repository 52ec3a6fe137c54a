package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"tiltas/cloud/db"
	"tiltas/cloud/rates"
)

// Settings is what the settings page reads and its forms change: the company, POS posting,
// closing the books, the chart, operation types, VAT classifiers and the rate tables.
type Settings interface {
	Company(ctx context.Context, tenantID int64) (db.Company, error)
	SetCompany(ctx context.Context, tenantID int64, c db.Company) error
	POSSettings(ctx context.Context, tenantID int64) (db.POSSettings, error)
	SetPOSSettings(ctx context.Context, tenantID int64, p db.POSSettings) error
	SetStorePOSMode(ctx context.Context, tenantID int64, code, mode string) error
	SetStoreStart(ctx context.Context, tenantID int64, code, date string, history bool) error
	BooksClosedUntil(ctx context.Context, tenantID int64) (string, error)
	CloseBooks(ctx context.Context, tenantID int64, until string) error
	Accounts(ctx context.Context, tenantID int64) ([]db.Account, error)
	SaveAccount(ctx context.Context, tenantID int64, a db.Account) error
	OperationTypes(ctx context.Context, tenantID int64) ([]db.OperationType, error)
	SaveOperationType(ctx context.Context, tenantID int64, o db.OperationType) error
	VATClassifiers(ctx context.Context, tenantID int64) ([]db.VATClassifier, error)
	SaveVATClassifier(ctx context.Context, tenantID int64, c db.VATClassifier) error
	VATRates(ctx context.Context, tenantID int64) (map[string]string, error)
	SaveVATRates(ctx context.Context, tenantID int64, rows []rates.Standard) (int, error)
	ReducedRates(ctx context.Context, tenantID int64) ([]db.ReducedRate, error)
	SaveReducedRates(ctx context.Context, tenantID int64, rows []rates.Reduced) (int, error)
	LatestFX(ctx context.Context, tenantID int64) ([]db.FXRate, error)
	SaveFXRates(ctx context.Context, tenantID int64, rows []rates.FX) (int, error)
}

// settingsPage shows the settings, with extra added to (or replacing) what the page shows.
func (u *UI) settingsPage(w http.ResponseWriter, r *http.Request, s *session, extra map[string]any, flash, errMsg string) {
	ctx, t := r.Context(), s.user.TenantID
	// Every section is the books' own: a section that cannot be read fails the page rather
	// than showing empty.
	c, err := u.Store.Company(ctx, t)
	errs := []error{err}
	pos, err := u.Store.POSSettings(ctx, t)
	errs = append(errs, err)
	fails, err := u.Store.PostingFailures(ctx, t)
	errs = append(errs, err)
	accts, err := u.Store.MarketAccounts(ctx, t)
	errs = append(errs, err)
	classes, err := u.Store.VATClassifiers(ctx, t)
	errs = append(errs, err)
	ops, err := u.Store.OperationTypes(ctx, t)
	errs = append(errs, err)
	chart, err := u.Store.Accounts(ctx, t)
	errs = append(errs, err)
	stores, err := u.Store.Stores(ctx, t)
	errs = append(errs, err)
	fx, err := u.Store.LatestFX(ctx, t)
	errs = append(errs, err)
	vat, err := u.Store.VATRates(ctx, t)
	errs = append(errs, err)
	reduced, err := u.Store.ReducedRates(ctx, t)
	errs = append(errs, err)
	apiTokens, err := u.Store.APITokens(ctx, t)
	errs = append(errs, err)
	closed, err := u.Store.BooksClosedUntil(ctx, t)
	errs = append(errs, err)
	users, err := u.Store.Users(ctx, t)
	if err := errors.Join(append(errs, err)...); err != nil {
		u.fail(w, r, err)
		return
	}
	type countryRate struct{ Country, Rate string }
	var rates []countryRate
	for c, r := range vat {
		rates = append(rates, countryRate{c, r})
	}
	slices.SortFunc(rates, func(a, b countryRate) int { return strings.Compare(a.Country, b.Country) })
	data := map[string]any{"Company": c, "POS": pos, "Stores": stores, "MarketForms": marketForms(nil), "ChangeFields": changeFields(), "FX": fx, "VATRates": rates, "Reduced": reduced, "APITokens": apiTokens, "ClosedUntil": closed, "Users": users, "Failures": fails, "Accounts": accts, "Classifiers": classes, "Operations": ops, "Chart": chart}
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
	u.settingsAnswer(w, r, s, err, "Company saved.")
}

func (u *UI) savePOS(w http.ResponseWriter, r *http.Request, s *session) {
	p, err := u.Store.POSSettings(r.Context(), s.user.TenantID)
	if err != nil {
		u.fail(w, r, err)
		return
	}
	p.Mode, p.Warehouse = r.FormValue("mode"), strings.TrimSpace(r.FormValue("warehouse"))
	p.AutoWriteOff, p.ReturnsToStock = r.FormValue("auto_writeoff") != "", r.FormValue("returns_to_stock") != ""
	u.settingsAnswer(w, r, s, u.Store.SetPOSSettings(r.Context(), s.user.TenantID, p), "POS posting saved: it applies from now on.")
}

func (u *UI) saveStoreMode(w http.ResponseWriter, r *http.Request, s *session) {
	code := r.FormValue("store")
	err := u.Store.SetStorePOSMode(r.Context(), s.user.TenantID, code, r.FormValue("pos_mode"))
	u.settingsAnswer(w, r, s, err, "POS mode of store "+code+" saved: it applies from now on.")
}

func (u *UI) saveStoreStart(w http.ResponseWriter, r *http.Request, s *session) {
	code, date, history := r.FormValue("store"), strings.TrimSpace(r.FormValue("start_date")), r.FormValue("history") != ""
	err := u.Store.SetStoreStart(r.Context(), s.user.TenantID, code, date, history)
	msg := "Store " + code + " is booked from its whole history."
	switch {
	case date != "" && history:
		msg = "Store " + code + " is booked from " + date + "; its agent ships older receipts as history, never booked (told within seconds)."
	case date != "":
		msg = "Store " + code + " is booked from " + date + "; its agent leaves older receipts in the POS (told within seconds)."
	}
	if err == nil {
		u.Log.Info("store start date set", "tenant", s.user.TenantID, "store", code, "start_date", date, "history", history, "by", s.user.Email)
	}
	u.settingsAnswer(w, r, s, err, msg)
}

func (u *UI) closeBooks(w http.ResponseWriter, r *http.Request, s *session) {
	until := r.FormValue("closed_until")
	err := u.Store.CloseBooks(r.Context(), s.user.TenantID, until)
	if err == nil {
		u.Log.Warn("books closed", "tenant", s.user.TenantID, "until", until, "by", s.user.Email)
	}
	msg := "The books are open."
	if until != "" {
		msg = "The books are closed up to " + until + "."
	}
	u.settingsAnswer(w, r, s, err, msg)
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
	u.settingsAnswer(w, r, s, err, fmt.Sprintf("Imported %d %s.", n, what))
}

func (u *UI) saveClassifier(w http.ResponseWriter, r *http.Request, s *session) {
	u.settingsAnswer(w, r, s, u.Store.SaveVATClassifier(r.Context(), s.user.TenantID, db.VATClassifier{Rate: r.FormValue("rate"), Code: strings.TrimSpace(r.FormValue("code")), Name: r.FormValue("name")}), "Saved.")
}

func (u *UI) saveOperation(w http.ResponseWriter, r *http.Request, s *session) {
	u.settingsAnswer(w, r, s, u.Store.SaveOperationType(r.Context(), s.user.TenantID, db.OperationType{Code: r.FormValue("code"), Name: r.FormValue("name"),
		Series: strings.TrimSpace(r.FormValue("series")), Debit: strings.TrimSpace(r.FormValue("debit")), Credit: strings.TrimSpace(r.FormValue("credit"))}), "Saved.")
}

func (u *UI) saveAccount(w http.ResponseWriter, r *http.Request, s *session) {
	u.settingsAnswer(w, r, s, u.Store.SaveAccount(r.Context(), s.user.TenantID, db.Account{Code: strings.TrimSpace(r.FormValue("code")), Name: r.FormValue("name"),
		Kind: r.FormValue("kind"), Active: r.FormValue("active") != ""}), "Saved.")
}

// settingsAnswer answers a settings form: back to the settings with flash, the page again with
// a refusal the person can act on, or an error page (404 for another tenant's object).
func (u *UI) settingsAnswer(w http.ResponseWriter, r *http.Request, s *session, err error, flash string) {
	if err != nil {
		u.refused(w, r, err, func(msg string) { u.settingsPage(w, r, s, nil, "", msg) })
		return
	}
	back(w, r, "/ui/settings", flash)
}
