package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"tiltas/cloud/db"
	"tiltas/cloud/market"
	"tiltas/cloud/rates"
)

// Market is what the marketplace endpoints need.
type Market interface {
	MarketAccounts(ctx context.Context, tenantID int64) ([]db.MarketAccount, error)
	CreateMarketAccount(ctx context.Context, tenantID int64, kind, name string, config json.RawMessage, every time.Duration) (int64, error)
	MarketAccount(ctx context.Context, tenantID, id int64) (db.MarketAccount, error)
	UpdateMarketAccount(ctx context.Context, tenantID, id int64, name string, config json.RawMessage, every time.Duration) error
	PauseMarketAccount(ctx context.Context, tenantID, id int64, paused bool) error
	MarketOrders(ctx context.Context, tenantID int64, state string, limit int) ([]db.MarketOrder, error)
	RetryOrder(ctx context.Context, tenantID, id int64) error
	FetchNow(ctx context.Context, tenantID, accountID int64, cooldown time.Duration) error
	SaveVATRates(ctx context.Context, tenantID int64, rows []rates.Standard) (int, error)
	VATRates(ctx context.Context, tenantID int64) (map[string]string, error)
	SaveReducedRates(ctx context.Context, tenantID int64, rows []rates.Reduced) (int, error)
	ReducedRates(ctx context.Context, tenantID int64) ([]db.ReducedRate, error)
	SaveFXRates(ctx context.Context, tenantID int64, rows []rates.FX) (int, error)
}

func (a *API) registerMarket(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/market/accounts", a.auth(a.marketAccounts))
	mux.Handle("POST /api/v1/market/accounts", a.auth(a.createMarketAccount))
	mux.Handle("PUT /api/v1/market/accounts/{id}", a.auth(a.updateMarketAccount))
	mux.Handle("POST /api/v1/market/accounts/{id}/fetch", a.auth(a.fetchNow))
	mux.Handle("GET /api/v1/market/orders", a.auth(a.marketOrders))
	mux.Handle("POST /api/v1/market/orders/{id}/retry", a.auth(a.retryOrder))
	mux.Handle("GET /api/v1/vat-rates", a.auth(a.vatRates))
	mux.Handle("POST /api/v1/vat-rates/import", a.auth(a.importVATRates))
	mux.Handle("POST /api/v1/vat-rates/reduced/import", a.auth(a.importReducedRates))
	mux.Handle("POST /api/v1/fx-rates/import", a.auth(a.importFX))
}

// accountView adds the alert a person should see.
type accountView struct {
	db.MarketAccount
	Alert string `json:"alert,omitempty"`
}

func (a *API) marketAccounts(w http.ResponseWriter, r *http.Request, tenant int64) error {
	as, err := a.Store.MarketAccounts(r.Context(), tenant)
	if err != nil {
		return err
	}
	out := []accountView{}
	for _, acct := range as {
		v := accountView{MarketAccount: acct}
		if acct.Failures > 0 {
			v.Alert = "pulls are failing (" + strconv.Itoa(acct.Failures) + " in a row), retrying with backoff: " + acct.LastError
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"accounts": out})
	return nil
}

func (a *API) createMarketAccount(w http.ResponseWriter, r *http.Request, tenant int64) error {
	var body struct {
		Kind          string          `json:"kind"`
		Name          string          `json:"name"`
		Config        json.RawMessage `json:"config"`
		PullEveryMins int             `json:"pull_every_minutes"`
	}
	if err := readJSON(r, &body); err != nil {
		return err
	}
	if len(body.Config) == 0 {
		return badRequest("config is required: the account's endpoints and credentials")
	}
	id, err := market.AddAccount(r.Context(), a.Store, tenant, body.Kind, body.Name, body.Config, time.Duration(body.PullEveryMins)*time.Minute)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": id})
	return nil
}

// updateMarketAccount changes an account: {"name", "config", "pull_every_minutes", "paused"},
// each optional. config holds only the fields that change (a rotated client_secret, say); the rest
// of the stored config stays.
func (a *API) updateMarketAccount(w http.ResponseWriter, r *http.Request, tenant int64) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var body struct {
		Name          string          `json:"name"`
		Config        json.RawMessage `json:"config"`
		PullEveryMins int             `json:"pull_every_minutes"`
		Paused        *bool           `json:"paused"`
	}
	if err := readJSON(r, &body); err != nil {
		return err
	}
	acct, err := a.Store.MarketAccount(r.Context(), tenant, id)
	if err != nil {
		return err
	}
	cfg, err := market.NewConfig(acct, body.Config)
	if err != nil {
		return err
	}
	name := acct.Name
	if body.Name != "" {
		name = body.Name
	}
	if err := a.Store.UpdateMarketAccount(r.Context(), tenant, id, name, cfg, time.Duration(body.PullEveryMins)*time.Minute); err != nil {
		return err
	}
	if body.Paused != nil {
		if err := a.Store.PauseMarketAccount(r.Context(), tenant, id, *body.Paused); err != nil {
			return err
		}
	}
	updated, err := a.Store.MarketAccount(r.Context(), tenant, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, accountView{MarketAccount: updated})
	return nil
}

func (a *API) fetchNow(w http.ResponseWriter, r *http.Request, tenant int64) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	if err := market.FetchNow(r.Context(), a.Store, tenant, id); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "the account will be pulled within seconds"})
	return nil
}

func (a *API) marketOrders(w http.ResponseWriter, r *http.Request, tenant int64) error {
	state := r.URL.Query().Get("state")
	switch state {
	case "", db.OrderOpen, db.OrderPosted, db.OrderErrors, db.OrderCancelled:
	default:
		return badRequest("state=%q: use open, posted, errors or cancelled", state)
	}
	limit, err := limitParam(r)
	if err != nil {
		return err
	}
	os, err := a.Store.MarketOrders(r.Context(), tenant, state, limit)
	return list(w, "orders", os, err)
}

func (a *API) retryOrder(w http.ResponseWriter, r *http.Request, tenant int64) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	if err := a.Store.RetryOrder(r.Context(), tenant, id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "back in Open: booked on the next pull"})
	return nil
}

func (a *API) vatRates(w http.ResponseWriter, r *http.Request, tenant int64) error {
	rs, err := a.Store.VATRates(r.Context(), tenant)
	if err != nil {
		return err
	}
	reduced, err := a.Store.ReducedRates(r.Context(), tenant)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"standard_rates": rs, "reduced_rates": reduced})
	return nil
}

// importReducedRates takes lines of country;category;rate (DE;books;7).
func (a *API) importReducedRates(w http.ResponseWriter, r *http.Request, tenant int64) error {
	return importRates(w, r, tenant, 1<<20, rates.ParseReduced, a.Store.SaveReducedRates)
}

// importVATRates takes lines of country;standard_rate (DE;19).
func (a *API) importVATRates(w http.ResponseWriter, r *http.Request, tenant int64) error {
	return importRates(w, r, tenant, 1<<20, rates.ParseStandard, a.Store.SaveVATRates)
}

// importFX takes the ECB's daily or history CSV.
func (a *API) importFX(w http.ResponseWriter, r *http.Request, tenant int64) error {
	return importRates(w, r, tenant, 64<<20, rates.ParseECB, a.Store.SaveFXRates)
}

// importRates parses a rates file of up to limit bytes from the body, then saves its rows. A
// file with bad lines is refused (422) naming them, and nothing is saved.
func importRates[T any](w http.ResponseWriter, r *http.Request, tenant int64, limit int64,
	parse func(io.Reader) ([]T, error), save func(context.Context, int64, []T) (int, error)) error {
	rows, err := parse(http.MaxBytesReader(w, r.Body, limit))
	var bad *rates.Error
	var big *http.MaxBytesError
	switch {
	case errors.As(err, &bad):
		return unprocessable(err)
	case errors.As(err, &big):
		return &httpErr{http.StatusRequestEntityTooLarge, fmt.Sprintf("the file is larger than %d MiB: split it", big.Limit>>20)}
	case err != nil:
		return err
	}
	n, err := save(r.Context(), tenant, rows)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"imported": n})
	return nil
}
