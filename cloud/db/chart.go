package db

import (
	"context"
	"database/sql"
	"strings"

	"tiltas/cloud/posting"
)

// The Lithuanian sample chart every new tenant starts with; all of it is editable.
var sampleAccounts = []struct{ code, name, kind string }{
	{"2040", "Prekės, skirtos perparduoti (goods for resale)", "asset"},
	{"2410", "Pirkėjų skolos (trade receivables)", "asset"},
	{"2711", "Sąskaita banke (bank)", "asset"},
	{"2712", "Mokėjimo kortelių įplaukos pakeliui (card settlements)", "asset"},
	{"2721", "Kasa (cash)", "asset"},
	{"4430", "Skolos tiekėjams (trade payables)", "liability"},
	{"4480", "Dovanų kuponai (vouchers issued)", "liability"},
	{"4492", "Mokėtinas PVM (VAT payable)", "liability"},
	{"5000", "Prekių pardavimo pajamos (sales of goods)", "revenue"},
	{"5001", "Paslaugų pardavimo pajamos (sales of services)", "revenue"},
	{"5009", "Grynųjų apvalinimas (cash rounding)", "revenue"},
	{"5090", "Grąžinimai ir nuolaidos (returns and discounts)", "revenue"},
	{"6000", "Parduotų prekių savikaina (cost of goods sold)", "expense"},
}

var sampleOps = []struct{ code, name, series, debit, credit string }{
	{posting.OpSale, "Pardavimas kasoje (receipt sale)", "KVT", "2410", "5000"},
	{posting.OpInvoice, "PVM sąskaita faktūra (SF invoice)", "SF", "2410", "5000"},
	{posting.OpReturn, "Grąžinimas (credit note)", "GRZ", "5090", "2410"},
	{posting.OpDaySheet, "Dienos žiniaraštis (day sheet)", "DKZ", "2410", "5000"},
	{posting.OpWriteOff, "Nurašymas (write-off)", "NUR", "6000", "2040"},
	{posting.OpStockIn, "Pajamavimas (goods received)", "PAJ", "2040", "4430"},
}

var sampleClassifiers = []struct {
	bp         int64
	code, name string
}{{2100, "PVM1", "Standard rate 21%"}, {900, "PVM2", "Reduced rate 9%"}, {500, "PVM3", "Reduced rate 5%"}, {1200, "PVM58", "Reduced rate 12%"}, {0, "PVM5", "0% rate"}}

// seedBooks gives a new tenant the sample chart, operation types with series, VAT classifiers,
// payment accounts, POS settings and a MAIN warehouse.
func (s *DB) seedBooks(ctx context.Context, tx *sql.Tx, tenantID int64) error {
	for _, a := range sampleAccounts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO accounts (tenant_id, code, name, kind) VALUES (?, ?, ?, ?)`, tenantID, a.code, a.name, a.kind); err != nil {
			return err
		}
	}
	for _, o := range sampleOps {
		if _, err := tx.ExecContext(ctx, `INSERT INTO operation_types (tenant_id, code, name, series, debit_account, credit_account) VALUES (?, ?, ?, ?, ?, ?)`,
			tenantID, o.code, o.name, o.series, o.debit, o.credit); err != nil {
			return err
		}
	}
	for _, c := range sampleClassifiers {
		if _, err := tx.ExecContext(ctx, `INSERT INTO vat_classifiers (tenant_id, rate_bp, code, name) VALUES (?, ?, ?, ?)`, tenantID, c.bp, c.code, c.name); err != nil {
			return err
		}
	}
	for code, acct := range map[string]string{"CASH": "2721", "CARD": "2712", "VOUCHER": "4480"} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO payment_accounts (tenant_id, payment_code, account) VALUES (?, ?, ?)`, tenantID, code, acct); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO pos_settings (tenant_id, mode, auto_writeoff, returns_to_stock, warehouse, vat_account, rounding_account, services_account)
		VALUES (?, 'receipt', 1, 1, 'MAIN', '4492', '5009', '5001')`, tenantID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO warehouses (tenant_id, code, name) VALUES (?, 'MAIN', 'Main warehouse')`, tenantID); err != nil {
		return err
	}
	return s.seedMarket(ctx, tx, tenantID)
}

// rowsOf is the VALUES list for n rows of cols placeholders: (?,?),(?,?)...
func rowsOf(cols, n int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	return strings.TrimSuffix(strings.Repeat(row+",", n), ",")
}
