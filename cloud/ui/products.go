package ui

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/shopspring/decimal"

	"tiltas/cloud/catalog"
	"tiltas/cloud/db"
	"tiltas/shared/domain"
)

// Catalogue is what the products pages read and change.
type Catalogue interface {
	Cards(ctx context.Context, tenantID int64, q, afterBarcode string, limit int) ([]domain.Card, error)
	Card(ctx context.Context, tenantID int64, barcode string) (domain.Card, error)
	SaveCard(ctx context.Context, tenantID int64, c domain.Card, create bool) (domain.Card, error)
	ImportCards(ctx context.Context, tenantID int64, cards []domain.Card) (db.ImportResult, error)
	CardStatus(ctx context.Context, st db.StoreRef) (db.CardStatus, error)
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
		u.fail(w, r, err)
		return
	}
	next := ""
	if len(cards) == 200 {
		next = nextPage(url.Values{"q": {q}}, "after", cards[len(cards)-1].Barcode)
	}
	// How far the stores' POS have the cards is shown below them: what cannot be read of it is
	// said there, and the cards still show.
	var push []db.CardStatus
	var pushErrs []string
	stores, err := u.Store.Stores(ctx, t)
	if err != nil {
		pushErrs = append(pushErrs, u.unread(r, "The stores", err))
	}
	for _, st := range stores {
		cs, err := u.Store.CardStatus(ctx, st)
		if err != nil {
			pushErrs = append(pushErrs, u.unread(r, "How far store "+st.Code+" has the cards", err))
			continue
		}
		push = append(push, cs)
	}
	u.render(w, r, s, "products", "Products", map[string]any{"Cards": cards, "Q": q, "Push": push, "PushErrors": pushErrs, "Import": imp, "Next": next}, "", errMsg)
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
		u.refused(w, r, err, func(msg string) { u.productsPage(w, r, s, nil, msg) })
		return
	}
	u.productsPage(w, r, s, &importResult{ImportResult: res, Errors: rowErrs}, "")
}

func (u *UI) productForm(w http.ResponseWriter, r *http.Request, s *session) {
	data := map[string]any{"Rates": []string{"21", "12", "9", "5", "0"}}
	if bc := r.URL.Query().Get("barcode"); bc != "" {
		c, err := u.Store.Card(r.Context(), s.user.TenantID, bc)
		if err != nil {
			u.fail(w, r, err) // not found: 404
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
		u.refused(w, r, err, func(msg string) {
			u.render(w, r, s, "product", "Product "+c.Barcode, map[string]any{"Card": c, "New": create, "Rates": []string{"21", "12", "9", "5", "0"}}, "", msg)
		})
		return
	}
	http.Redirect(w, r, "/ui/products?q="+url.QueryEscape(c.Barcode), http.StatusSeeOther)
}
