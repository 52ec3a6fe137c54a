package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"tiltas/cloud/rates"
	"tiltas/shared/domain"
)

// SaveVATRates sets the standard VAT rates of the countries in rows (read by
// rates.ParseStandard), keeping the other countries'. It returns how many it set.
func (s *DB) SaveVATRates(ctx context.Context, tenantID int64, rows []rates.Standard) (int, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error { return s.saveVATRates(ctx, tx, tenantID, rows) })
	return len(rows), err
}

func (s *DB) saveVATRates(ctx context.Context, tx *sql.Tx, tenantID int64, rows []rates.Standard) error {
	for _, r := range rows {
		bp, err := domain.Cents(r.Rate)
		if err != nil {
			return &InvalidError{fmt.Errorf("VAT rate of %s: %w", r.Country, err)}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO vat_rates (tenant_id, country, rate_bp) VALUES (?, ?, ?)`+s.upsert("tenant_id, country", "rate_bp"),
			tenantID, r.Country, bp); err != nil {
			return fmt.Errorf("store the VAT rate of %s: %w", r.Country, err)
		}
	}
	return nil
}

// SaveFXRates stores exchange rates (read by rates.ParseECB), replacing those of the same
// currency and day. It returns how many it stored.
func (s *DB) SaveFXRates(ctx context.Context, tenantID int64, rows []rates.FX) (int, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, `INSERT INTO fx_rates (tenant_id, currency, rate_date, rate) VALUES (?, ?, ?, ?)`+s.upsert("tenant_id, currency, rate_date", "rate"),
				tenantID, r.Currency, r.Date, r.Rate.String()); err != nil {
				return fmt.Errorf("store the %s rate of %s: %w", r.Currency, r.Date, err)
			}
		}
		return nil
	})
	return len(rows), err
}

// FXRate is the rate of currency on date: the last one the ECB published on or before it.
func (s *DB) fxRate(ctx context.Context, q queryer, tenantID int64, currency, date string) (decimal.Decimal, error) {
	if currency == "EUR" {
		return decimal.NewFromInt(1), nil
	}
	var r string
	err := q.QueryRowContext(ctx, `SELECT rate FROM fx_rates WHERE tenant_id = ? AND currency = ? AND rate_date <= ? ORDER BY rate_date DESC LIMIT 1`, tenantID, currency, date).Scan(&r)
	if errors.Is(err, sql.ErrNoRows) {
		return decimal.Zero, nil
	}
	if err != nil {
		return decimal.Zero, err
	}
	return decimal.NewFromString(r)
}

// VATRates lists the standard rate per country.
func (s *DB) VATRates(ctx context.Context, tenantID int64) (map[string]string, error) {
	m, err := s.marketSettings(ctx, s.db, tenantID)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for c, r := range m.Rates {
		out[c] = r.String()
	}
	return out, nil
}

// FXRate is an exchange rate as imported: units of the currency per euro on a day.
type FXRate struct {
	Currency string `json:"currency"`
	Date     string `json:"date"`
	Rate     string `json:"rate"`
}

// LatestFX lists the newest imported rate of each currency.
func (s *DB) LatestFX(ctx context.Context, tenantID int64) ([]FXRate, error) {
	out, err := queryAll(ctx, s.db, func(sc scanner) (FXRate, error) {
		var r FXRate
		err := sc.Scan(&r.Currency, &r.Date, &r.Rate)
		return r, err
	}, `SELECT f.currency, f.rate_date, f.rate FROM fx_rates f
		JOIN (SELECT currency, MAX(rate_date) AS d FROM fx_rates WHERE tenant_id = ? GROUP BY currency) m ON m.currency = f.currency AND m.d = f.rate_date
		WHERE f.tenant_id = ? ORDER BY f.currency`, tenantID, tenantID)
	if err != nil {
		return nil, fmt.Errorf("latest exchange rates: %w", err)
	}
	return out, nil
}

// ReducedRate is a country's VAT rate for a product category.
type ReducedRate struct {
	Country  string `json:"country"`
	Category string `json:"category"`
	Rate     string `json:"rate"`
}

// SaveReducedRates stores reduced VAT rates by product category (read by rates.ParseReduced),
// adding or replacing those it names. It returns how many it stored.
func (s *DB) SaveReducedRates(ctx context.Context, tenantID int64, rows []rates.Reduced) (int, error) {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, r := range rows {
			bp, err := domain.Cents(r.Rate)
			if err != nil {
				return &InvalidError{fmt.Errorf("VAT rate of %s %s: %w", r.Country, r.Category, err)}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO vat_reduced (tenant_id, country, category, rate_bp) VALUES (?, ?, ?, ?)`+s.upsert("tenant_id, country, category", "rate_bp"),
				tenantID, r.Country, r.Category, bp); err != nil {
				return fmt.Errorf("store the %s rate of %s: %w", r.Category, r.Country, err)
			}
		}
		return nil
	})
	return len(rows), err
}

// ReducedRates lists a tenant's reduced rates by country and category.
func (s *DB) ReducedRates(ctx context.Context, tenantID int64) ([]ReducedRate, error) {
	out, err := queryAll(ctx, s.db, func(sc scanner) (ReducedRate, error) {
		var r ReducedRate
		var bp int64
		err := sc.Scan(&r.Country, &r.Category, &bp)
		r.Rate = domain.FromCents(bp).String()
		return r, err
	}, `SELECT country, category, rate_bp FROM vat_reduced WHERE tenant_id = ? ORDER BY country, category`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("reduced VAT rates: %w", err)
	}
	return orEmpty(out), nil
}
