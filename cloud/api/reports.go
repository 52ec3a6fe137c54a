package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"tiltas/cloud/db"
	"tiltas/cloud/isaf"
	"tiltas/cloud/report"
)

// Reports is what the report endpoints need.
type Reports interface {
	VATSummary(ctx context.Context, tenantID int64, from, to string) (report.Table, error)
	OSS(ctx context.Context, tenantID int64, quarter string) (report.Table, error)
	SalesJournal(ctx context.Context, tenantID int64, from, to string) (report.Table, error)
	ISAFInvoices(ctx context.Context, tenantID int64, from, to string) ([]db.ISAFInvoice, error)
	Company(ctx context.Context, tenantID int64) (db.Company, error)
	SetCompany(ctx context.Context, tenantID int64, c db.Company) error
}

func (a *API) registerReports(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/reports/isaf", a.auth(a.isaf))
	mux.Handle("GET /api/v1/company", a.auth(func(w http.ResponseWriter, r *http.Request, tenant int64) error {
		c, err := a.Store.Company(r.Context(), tenant)
		if err == nil {
			writeJSON(w, http.StatusOK, c)
		}
		return err
	}))
	mux.Handle("PUT /api/v1/company", a.auth(func(w http.ResponseWriter, r *http.Request, tenant int64) error {
		return put(w, r, tenant, func(*db.Company) {}, a.Store.SetCompany)
	}))
	mux.Handle("GET /api/v1/reports/vat-summary", a.auth(a.report("vat-summary", func(r *http.Request, tenant int64) (report.Table, error) {
		from, to, err := period(r)
		if err != nil {
			return report.Table{}, err
		}
		return a.Store.VATSummary(r.Context(), tenant, from, to)
	})))
	mux.Handle("GET /api/v1/reports/sales-journal", a.auth(a.report("sales-journal", func(r *http.Request, tenant int64) (report.Table, error) {
		from, to, err := period(r)
		if err != nil {
			return report.Table{}, err
		}
		return a.Store.SalesJournal(r.Context(), tenant, from, to)
	})))
	mux.Handle("GET /api/v1/reports/oss", a.auth(a.report("oss", func(r *http.Request, tenant int64) (report.Table, error) {
		q := r.URL.Query().Get("quarter")
		if q == "" {
			return report.Table{}, badRequest("quarter is required, e.g. quarter=2026Q4")
		}
		return a.Store.OSS(r.Context(), tenant, q)
	})))
}

// isaf answers the i.SAF register of issued invoices for ?month=2026-11 as an XML download.
func (a *API) isaf(w http.ResponseWriter, r *http.Request, tenant int64) error {
	month := r.URL.Query().Get("month")
	if _, err := time.Parse("2006-01", month); err != nil {
		return badRequest("month=%q: give it as 2026-11", month)
	}
	x, name, err := isaf.Month(r.Context(), a.Store, tenant, month, a.Version)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	_, err = w.Write(x)
	return err
}

// period reads from and to (dates, both required, inclusive).
func period(r *http.Request) (string, string, error) {
	from, err := dateParam(r, "from")
	if err != nil {
		return "", "", err
	}
	to, err := dateParam(r, "to")
	if err != nil {
		return "", "", err
	}
	if from == "" || to == "" || to < from {
		return "", "", badRequest("give the period as from=2026-11-01&to=2026-11-30")
	}
	return from, to, nil
}

// report answers a table as JSON, or as a CSV download with format=csv.
func (a *API) report(name string, build func(*http.Request, int64) (report.Table, error)) handler {
	return func(w http.ResponseWriter, r *http.Request, tenant int64) error {
		t, err := build(r, tenant)
		if err != nil {
			return err
		}
		if t.Rows == nil {
			t.Rows = [][]string{}
		}
		if r.URL.Query().Get("format") != "csv" {
			writeJSON(w, http.StatusOK, t)
			return nil
		}
		file := name
		for _, p := range []string{"from", "to", "quarter"} {
			if v := r.URL.Query().Get(p); v != "" {
				file += "_" + strings.ReplaceAll(v, "-", "")
			}
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, file))
		return t.WriteCSV(w)
	}
}
