package db

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/shopspring/decimal"

	"tiltas/cloud/posting"
	"tiltas/cloud/rates"
	"tiltas/shared/domain"
)

// Marketplace bookkeeping codes: i.SAF classifiers for 0 % sales and the OSS marker.
var marketClasses = map[string]string{posting.OSS: "OSS", posting.IntraEU: "PVM13", posting.Export: "PVM12"}

// seedMarket adds the accounts, operation type and EU VAT rates marketplace sales need.
func (s *DB) seedMarket(ctx context.Context, tx *sql.Tx, tenantID int64) error {
	for _, a := range []struct{ code, name, kind string }{
		{"2413", "Prekyvietės (marketplace receivables)", "asset"},
		{"4493", "Mokėtinas PVM pagal OSS (VAT payable under OSS)", "liability"},
	} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO accounts (tenant_id, code, name, kind) VALUES (?, ?, ?, ?)`, tenantID, a.code, a.name, a.kind); err != nil {
			return err
		}
	}
	for _, o := range []struct{ code, name, series string }{
		{posting.OpMarket, "Pardavimas prekyvietėje (marketplace sale)", "MKT"},
		{posting.OpMarketInvoice, "Sąskaita prekyvietės pirkėjui (marketplace sale with invoice)", "MSF"},
	} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO operation_types (tenant_id, code, name, series, debit_account, credit_account) VALUES (?, ?, ?, ?, '2413', '5000')`,
			tenantID, o.code, o.name, o.series); err != nil {
			return err
		}
	}
	return s.saveVATRates(ctx, tx, tenantID, rates.EU())
}

func (s *DB) marketSettings(ctx context.Context, q queryer, tenantID int64) (posting.MarketSettings, error) {
	m := posting.MarketSettings{Rates: map[string]decimal.Decimal{}, Classes: marketClasses, Reduced: map[string]map[string]decimal.Decimal{}}
	if err := q.QueryRowContext(ctx, `SELECT home_country, oss_vat_account FROM pos_settings WHERE tenant_id = ?`, tenantID).Scan(&m.Home, &m.OSSVAT); err != nil {
		return m, fmt.Errorf("read marketplace settings: %w", err)
	}
	err := queryEach(ctx, q, func(sc scanner) error {
		var c, cat string
		var bp int64
		if err := sc.Scan(&c, &cat, &bp); err != nil {
			return err
		}
		if m.Reduced[c] == nil {
			m.Reduced[c] = map[string]decimal.Decimal{}
		}
		m.Reduced[c][cat] = domain.FromCents(bp)
		return nil
	}, `SELECT country, category, rate_bp FROM vat_reduced WHERE tenant_id = ?`, tenantID)
	if err != nil {
		return m, err
	}
	err = queryEach(ctx, q, func(sc scanner) error {
		var c string
		var bp int64
		if err := sc.Scan(&c, &bp); err != nil {
			return err
		}
		m.Rates[c] = domain.FromCents(bp)
		return nil
	}, `SELECT country, rate_bp FROM vat_rates WHERE tenant_id = ?`, tenantID)
	return m, err
}
