package db

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/cloud/posting"
	"tiltas/shared/domain"
)

// ImportVATRates replaces the standard VAT rates of the countries in a "country;standard_rate"
// CSV (the format of testdata/vat/eu-rates.csv). It returns how many it set.
func (s *DB) ImportVATRates(ctx context.Context, tenantID int64, r io.Reader) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = s.importVATRates(ctx, tx, tenantID, r)
		return err
	})
	return n, err
}

func (s *DB) importVATRates(ctx context.Context, tx *sql.Tx, tenantID int64, r io.Reader) (int, error) {
	sc := bufio.NewScanner(r)
	n, line := 0, 0
	for sc.Scan() {
		line++
		f := strings.FieldsFunc(strings.TrimSpace(sc.Text()), func(r rune) bool { return r == ';' || r == ',' || r == '\t' })
		if len(f) == 0 || line == 1 && strings.EqualFold(f[0], "country") {
			continue
		}
		if len(f) != 2 || len(f[0]) != 2 {
			return 0, &InvalidError{fmt.Errorf("line %d: want country;standard_rate, got %q", line, sc.Text())}
		}
		rate, err := decimal.NewFromString(strings.ReplaceAll(f[1], ",", "."))
		if err != nil || rate.IsNegative() || rate.GreaterThanOrEqual(decimal.NewFromInt(100)) {
			return 0, &InvalidError{fmt.Errorf("line %d: rate %q is not a percentage", line, f[1])}
		}
		bp, _ := domain.Cents(rate)
		if _, err := tx.ExecContext(ctx, `INSERT INTO vat_rates (tenant_id, country, rate_bp) VALUES (?, ?, ?)`+s.upsert("tenant_id, country", "rate_bp"),
			tenantID, strings.ToUpper(f[0]), bp); err != nil {
			return 0, err
		}
		n++
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, &InvalidError{errors.New("no VAT rates in the file: want lines of country;standard_rate, e.g. DE;19")}
	}
	return n, nil
}

// ImportECB stores exchange rates from the ECB's CSV files: the daily one ("Date, USD, ...",
// "21 November 2026, 1.0543, ...") or the history ("Date,USD,...", "2026-11-21,1.0543,...").
// Rates are units of the currency per euro. It returns how many rates it stored.
func (s *DB) ImportECB(ctx context.Context, tenantID int64, r io.Reader) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var header []string
	n := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for line := 1; sc.Scan(); line++ {
			f := strings.Split(strings.TrimSpace(sc.Text()), ",")
			for i := range f {
				f[i] = strings.TrimSpace(f[i])
			}
			if len(f) < 2 {
				continue
			}
			if header == nil {
				if !strings.EqualFold(f[0], "Date") {
					return &InvalidError{errors.New("not an ECB rates file: the first line must start with Date")}
				}
				for i, cur := range f[1:] {
					if cur != "" && !isCurrencyCode(cur) {
						return &InvalidError{fmt.Errorf("line %d, column %d: %q is not a currency code like USD", line, i+2, cur)}
					}
				}
				header = f
				continue
			}
			var day time.Time
			var err error
			for _, layout := range []string{time.DateOnly, "2 January 2006", "02 January 2006"} {
				if day, err = time.Parse(layout, f[0]); err == nil {
					break
				}
			}
			if err != nil {
				return &InvalidError{fmt.Errorf("line %d: date %q", line, f[0])}
			}
			for i := 1; i < len(f) && i < len(header); i++ {
				if header[i] == "" || f[i] == "" || f[i] == "N/A" {
					continue
				}
				rate, err := decimal.NewFromString(f[i])
				if err != nil || !rate.IsPositive() {
					return &InvalidError{fmt.Errorf("line %d: %s rate %q", line, header[i], f[i])}
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO fx_rates (tenant_id, currency, rate_date, rate) VALUES (?, ?, ?, ?)`+s.upsert("tenant_id, currency, rate_date", "rate"),
					tenantID, strings.ToUpper(header[i]), day.Format(time.DateOnly), rate.String()); err != nil {
					return err
				}
				n++
			}
		}
		if err := sc.Err(); err != nil {
			return err
		}
		if n == 0 {
			return &InvalidError{errors.New("no exchange rates in the file: want the ECB's CSV, a line \"Date,USD,JPY,...\" then a line of rates per day")}
		}
		return nil
	})
	return n, err
}

func isCurrencyCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, c := range s {
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') {
			return false
		}
	}
	return true
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
	rows, err := s.db.QueryContext(ctx, `SELECT f.currency, f.rate_date, f.rate FROM fx_rates f
		JOIN (SELECT currency, MAX(rate_date) AS d FROM fx_rates WHERE tenant_id = ? GROUP BY currency) m ON m.currency = f.currency AND m.d = f.rate_date
		WHERE f.tenant_id = ? ORDER BY f.currency`, tenantID, tenantID)
	if err != nil {
		return nil, fmt.Errorf("latest exchange rates: %w", err)
	}
	defer rows.Close()
	var out []FXRate
	for rows.Next() {
		var r FXRate
		if err := rows.Scan(&r.Currency, &r.Date, &r.Rate); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReducedRate is a country's VAT rate for a product category.
type ReducedRate struct {
	Country  string `json:"country"`
	Category string `json:"category"`
	Rate     string `json:"rate"`
}

// ImportReducedRates stores reduced VAT rates by product category from lines of
// country;category;rate (DE;books;7), adding or replacing those it names. A header line is
// skipped; every bad line is named, and then nothing is stored.
func (s *DB) ImportReducedRates(ctx context.Context, tenantID int64, r io.Reader) (int, error) {
	type row struct {
		country, category string
		bp                int64
	}
	var rows []row
	var problems []string
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		sep := ";"
		if !strings.Contains(text, ";") {
			sep = "\t"
		}
		f := strings.Split(text, sep)
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		if text == "" || line == 1 && strings.EqualFold(f[0], "country") {
			continue
		}
		if len(f) != 3 {
			problems = append(problems, fmt.Sprintf("line %d: want country;category;rate, got %q", line, text))
			continue
		}
		country, category := strings.ToUpper(f[0]), strings.ToLower(f[1])
		if !posting.EU[country] {
			problems = append(problems, fmt.Sprintf("line %d: %q is not an EU member state (ISO code, GR for Greece)", line, f[0]))
		}
		if category == "" || !domain.ValidVATCategory(category) {
			problems = append(problems, fmt.Sprintf("line %d: category %q: up to 40 lowercase letters, digits, - or _", line, f[1]))
		}
		rate, err := decimal.NewFromString(strings.ReplaceAll(f[2], ",", "."))
		if err != nil || rate.IsNegative() || rate.GreaterThanOrEqual(decimal.NewFromInt(100)) {
			problems = append(problems, fmt.Sprintf("line %d: rate %q is not a percentage", line, f[2]))
			continue
		}
		bp, err := domain.Cents(rate)
		if err != nil {
			problems = append(problems, fmt.Sprintf("line %d: rate %q has more than two decimals", line, f[2]))
			continue
		}
		rows = append(rows, row{country, category, bp})
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	if len(problems) > 0 {
		return 0, &InvalidError{errors.New(strings.Join(problems, "; "))}
	}
	if len(rows) == 0 {
		return 0, &InvalidError{errors.New("no reduced rates in the file: want lines of country;category;rate, e.g. DE;books;7")}
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, `INSERT INTO vat_reduced (tenant_id, country, category, rate_bp) VALUES (?, ?, ?, ?)`+s.upsert("tenant_id, country, category", "rate_bp"),
				tenantID, r.country, r.category, r.bp); err != nil {
				return err
			}
		}
		return nil
	})
	return len(rows), err
}

// ReducedRates lists a tenant's reduced rates by country and category.
func (s *DB) ReducedRates(ctx context.Context, tenantID int64) ([]ReducedRate, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT country, category, rate_bp FROM vat_reduced WHERE tenant_id = ? ORDER BY country, category`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("reduced VAT rates: %w", err)
	}
	defer rows.Close()
	out := []ReducedRate{}
	for rows.Next() {
		var r ReducedRate
		var bp int64
		if err := rows.Scan(&r.Country, &r.Category, &bp); err != nil {
			return nil, err
		}
		r.Rate = domain.FromCents(bp).String()
		out = append(out, r)
	}
	return out, rows.Err()
}
