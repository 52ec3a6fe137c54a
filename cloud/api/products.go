package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"tiltas/cloud/catalog"
	"tiltas/cloud/db"
	"tiltas/shared/domain"
)

// Catalogue is what the product endpoints need.
type Catalogue interface {
	Cards(ctx context.Context, tenantID int64, q, afterBarcode string, limit int) ([]domain.Card, error)
	SaveCard(ctx context.Context, tenantID int64, c domain.Card, create bool) (domain.Card, error)
	Deactivate(ctx context.Context, tenantID int64, barcode string) (domain.Card, error)
	ImportCards(ctx context.Context, tenantID int64, cards []domain.Card) (db.ImportResult, error)
	CardStatus(ctx context.Context, st db.StoreRef) (db.CardStatus, error)
}

// MaxImportBytes bounds a CSV upload.
const MaxImportBytes = 64 << 20

func (a *API) registerProducts(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/products", a.auth(a.listCards))
	mux.Handle("POST /api/v1/products", a.auth(a.createCard))
	mux.Handle("PUT /api/v1/products/{barcode}", a.auth(a.updateCard))
	mux.Handle("DELETE /api/v1/products/{barcode}", a.auth(a.deactivateCard))
	mux.Handle("POST /api/v1/products/import", a.auth(a.importCards))
	mux.Handle("GET /api/v1/stores/{store}/cards", a.auth(a.cardStatus))
}

func (a *API) listCards(w http.ResponseWriter, r *http.Request, tenant int64) error {
	limit, err := limitParam(r)
	if err != nil {
		return err
	}
	cards, err := a.Store.Cards(r.Context(), tenant, r.URL.Query().Get("q"), r.URL.Query().Get("after"), limit)
	if err != nil {
		return err
	}
	out := map[string]any{"products": cards}
	if cards == nil {
		out["products"] = []domain.Card{}
	}
	if len(cards) == db.PageLimit(limit) {
		out["next_after"] = cards[len(cards)-1].Barcode
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// cardBody is a card as sent to the API: active defaults to true.
type cardBody struct {
	domain.Card
	Active *bool `json:"active"`
}

func readCard(r *http.Request) (domain.Card, error) {
	var b cardBody
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return b.Card, badRequest("the body must be a product card as JSON: %v", err)
	}
	b.Card.Active = b.Active == nil || *b.Active
	b.Card.Version = 0
	return b.Card, nil
}

func (a *API) saveCard(w http.ResponseWriter, r *http.Request, tenant int64, c domain.Card, create bool) error {
	saved, err := a.Store.SaveCard(r.Context(), tenant, c, create)
	if err != nil {
		return err
	}
	code := http.StatusOK
	if create {
		code = http.StatusCreated
	}
	writeJSON(w, code, saved)
	return nil
}

func (a *API) createCard(w http.ResponseWriter, r *http.Request, tenant int64) error {
	c, err := readCard(r)
	if err != nil {
		return err
	}
	return a.saveCard(w, r, tenant, c, true)
}

func (a *API) updateCard(w http.ResponseWriter, r *http.Request, tenant int64) error {
	c, err := readCard(r)
	if err != nil {
		return err
	}
	barcode := r.PathValue("barcode")
	if c.Barcode != "" && c.Barcode != barcode {
		return unprocessable(fmt.Errorf("a card's barcode cannot change (%s → %s): deactivate it and create a new card", barcode, c.Barcode))
	}
	c.Barcode = barcode
	return a.saveCard(w, r, tenant, c, false)
}

func (a *API) deactivateCard(w http.ResponseWriter, r *http.Request, tenant int64) error {
	c, err := a.Store.Deactivate(r.Context(), tenant, r.PathValue("barcode"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// importCards takes a CSV file as the body, or as the form field "file" of a multipart upload.
func (a *API) importCards(w http.ResponseWriter, r *http.Request, tenant int64) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxImportBytes)
	var body io.Reader = r.Body
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		f, _, err := r.FormFile("file")
		if err != nil {
			return badRequest("multipart upload without a \"file\" field: %v", err)
		}
		defer f.Close()
		body = f
	}
	cards, rowErrs, err := catalog.ParseCSV(body)
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return &httpErr{http.StatusRequestEntityTooLarge, fmt.Sprintf("the file is over %d MiB: split it", MaxImportBytes>>20)}
		}
		return unprocessable(err)
	}
	res, err := a.Store.ImportCards(r.Context(), tenant, cards)
	if err != nil {
		return err
	}
	if rowErrs == nil {
		rowErrs = []catalog.RowError{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"created": res.Created, "updated": res.Updated, "unchanged": res.Unchanged, "rejected": len(rowErrs), "errors": rowErrs})
	return nil
}

func (a *API) cardStatus(w http.ResponseWriter, r *http.Request, tenant int64) error {
	st, err := a.Store.StoreByCode(r.Context(), tenant, r.PathValue("store"))
	if err != nil {
		return err
	}
	cs, err := a.Store.CardStatus(r.Context(), st)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cs)
	return nil
}
