package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/cloud/posting"
	"tiltas/shared/domain"
)

// POSSettings are the editable posting rules for POS sales.
type POSSettings struct {
	Mode           string            `json:"mode"` // receipt: a document per receipt; dayclose: day sheets per Z report
	AutoWriteOff   bool              `json:"auto_writeoff"`
	ReturnsToStock bool              `json:"returns_to_stock"`
	Warehouse      string            `json:"warehouse"`
	VATAccount     string            `json:"vat_account"`
	Rounding       string            `json:"rounding_account"`
	Services       string            `json:"services_account"`
	Payments       map[string]string `json:"payment_accounts"` // payment code → account
	// Marketplace sales: the account of VAT due under OSS, and the seller's home country (a
	// sale shipped there is domestic). Left empty in a change, they keep their value.
	OSSVATAccount string `json:"oss_vat_account"`
	HomeCountry   string `json:"home_country"`
}

// POSSettings reads them.
func (s *DB) POSSettings(ctx context.Context, tenantID int64) (POSSettings, error) {
	set, err := s.Settings(ctx, tenantID)
	if err != nil {
		return POSSettings{}, err
	}
	p := POSSettings{Mode: set.Mode, AutoWriteOff: set.AutoWriteOff, ReturnsToStock: set.ReturnsToStock, Warehouse: set.Warehouse,
		VATAccount: set.Accounts.VAT, Rounding: set.Accounts.Rounding, Services: set.Accounts.Services, Payments: set.Payments}
	err = s.db.QueryRowContext(ctx, `SELECT oss_vat_account, home_country FROM pos_settings WHERE tenant_id = ?`, tenantID).Scan(&p.OSSVATAccount, &p.HomeCountry)
	return p, err
}

// SetPOSSettings replaces them after checking every account and the warehouse exist. A change
// applies to what is posted from now on; booked documents stay as they are.
func (s *DB) SetPOSSettings(ctx context.Context, tenantID int64, p POSSettings) error {
	if p.Mode != "receipt" && p.Mode != "dayclose" {
		return &InvalidError{fmt.Errorf("mode %q: use receipt (a document per receipt) or dayclose (day sheets per Z report)", p.Mode)}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var missing []string
		check := func(what, code string) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts WHERE tenant_id = ? AND code = ? AND active = 1`, tenantID, code).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				missing = append(missing, fmt.Sprintf("%s %q", what, code))
			}
			return nil
		}
		if p.OSSVATAccount == "" || p.HomeCountry == "" {
			if err := tx.QueryRowContext(ctx, `SELECT CASE WHEN ? = '' THEN oss_vat_account ELSE ? END, CASE WHEN ? = '' THEN home_country ELSE ? END FROM pos_settings WHERE tenant_id = ?`,
				p.OSSVATAccount, p.OSSVATAccount, p.HomeCountry, p.HomeCountry, tenantID).Scan(&p.OSSVATAccount, &p.HomeCountry); err != nil {
				return err
			}
		}
		p.HomeCountry = strings.ToUpper(strings.TrimSpace(p.HomeCountry))
		if !posting.EU[p.HomeCountry] {
			return &InvalidError{fmt.Errorf("home_country %q: give the seller's EU member state as an ISO code, e.g. LT", p.HomeCountry)}
		}
		for what, code := range map[string]string{"vat_account": p.VATAccount, "rounding_account": p.Rounding, "services_account": p.Services, "oss_vat_account": p.OSSVATAccount} {
			if err := check(what, code); err != nil {
				return err
			}
		}
		for pc, code := range p.Payments {
			if strings.TrimSpace(pc) == "" {
				return &InvalidError{errors.New("a payment code is empty")}
			}
			if err := check("payment "+pc, code); err != nil {
				return err
			}
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM warehouses WHERE tenant_id = ? AND code = ?`, tenantID, p.Warehouse).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			missing = append(missing, fmt.Sprintf("warehouse %q", p.Warehouse))
		}
		if len(missing) > 0 {
			return &InvalidError{fmt.Errorf("not in the chart or unknown: %s", strings.Join(missing, ", "))}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE pos_settings SET mode = ?, auto_writeoff = ?, returns_to_stock = ?, warehouse = ?, vat_account = ?, rounding_account = ?, services_account = ?,
			oss_vat_account = ?, home_country = ? WHERE tenant_id = ?`,
			p.Mode, boolInt(p.AutoWriteOff), boolInt(p.ReturnsToStock), p.Warehouse, p.VATAccount, p.Rounding, p.Services, p.OSSVATAccount, p.HomeCountry, tenantID); err != nil {
			return err
		}
		if p.Payments != nil {
			if _, err := tx.ExecContext(ctx, `DELETE FROM payment_accounts WHERE tenant_id = ?`, tenantID); err != nil {
				return err
			}
			for pc, code := range p.Payments {
				if _, err := tx.ExecContext(ctx, `INSERT INTO payment_accounts (tenant_id, payment_code, account) VALUES (?, ?, ?)`, tenantID, pc, code); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// Account is a chart account.
type Account struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Kind   string `json:"kind"` // asset, liability, equity, revenue, expense
	Active bool   `json:"active"`
}

// Accounts lists the chart.
func (s *DB) Accounts(ctx context.Context, tenantID int64) ([]Account, error) {
	return queryAll(ctx, s.db, func(sc scanner) (Account, error) {
		var a Account
		var active int
		err := sc.Scan(&a.Code, &a.Name, &a.Kind, &active)
		a.Active = active != 0
		return a, err
	}, `SELECT code, name, kind, active FROM accounts WHERE tenant_id = ? ORDER BY code`, tenantID)
}

// SaveAccount adds or renames an account; an account with postings keeps its code and kind.
func (s *DB) SaveAccount(ctx context.Context, tenantID int64, a Account) error {
	switch a.Kind {
	case "asset", "liability", "equity", "revenue", "expense":
	default:
		return &InvalidError{fmt.Errorf("kind %q: use asset, liability, equity, revenue or expense", a.Kind)}
	}
	if a.Code == "" || len(a.Code) > 20 || strings.TrimSpace(a.Name) == "" {
		return &InvalidError{errors.New("an account needs a code (up to 20 characters) and a name")}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO accounts (tenant_id, code, name, kind, active) VALUES (?, ?, ?, ?, ?)`+s.upsert("tenant_id, code", "name", "kind", "active"),
			tenantID, a.Code, a.Name, a.Kind, boolInt(a.Active))
		return err
	})
}

// OperationType is a kind of document with its series and default accounts.
type OperationType struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Series string `json:"series"`
	Debit  string `json:"debit_account"`
	Credit string `json:"credit_account"`
}

// OperationTypes lists them.
func (s *DB) OperationTypes(ctx context.Context, tenantID int64) ([]OperationType, error) {
	return queryAll(ctx, s.db, func(sc scanner) (OperationType, error) {
		var o OperationType
		err := sc.Scan(&o.Code, &o.Name, &o.Series, &o.Debit, &o.Credit)
		return o, err
	}, `SELECT code, name, series, debit_account, credit_account FROM operation_types WHERE tenant_id = ? ORDER BY code`, tenantID)
}

// SaveOperationType changes an operation type's name, series or accounts. A new series starts
// at number 1; the old series keeps its numbers.
func (s *DB) SaveOperationType(ctx context.Context, tenantID int64, o OperationType) error {
	if o.Series == "" || len(o.Series) > 20 {
		return &InvalidError{errors.New("series must be 1-20 characters")}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, code := range []string{o.Debit, o.Credit} {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts WHERE tenant_id = ? AND code = ?`, tenantID, code).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return &InvalidError{fmt.Errorf("account %q is not in the chart", code)}
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE operation_types SET name = ?, series = ?, debit_account = ?, credit_account = ? WHERE tenant_id = ? AND code = ?`,
			o.Name, o.Series, o.Debit, o.Credit, tenantID, o.Code)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("operation type %q: %w", o.Code, ErrNotFound)
		}
		return nil
	})
}

// VATClassifier maps a VAT rate to the code tax reports use.
type VATClassifier struct {
	Rate string `json:"rate"`
	Code string `json:"code"`
	Name string `json:"name"`
}

// VATClassifiers lists them.
func (s *DB) VATClassifiers(ctx context.Context, tenantID int64) ([]VATClassifier, error) {
	return queryAll(ctx, s.db, func(sc scanner) (VATClassifier, error) {
		var c VATClassifier
		var bp int64
		err := sc.Scan(&bp, &c.Code, &c.Name)
		c.Rate = domain.FromCents(bp).String()
		return c, err
	}, `SELECT rate_bp, code, name FROM vat_classifiers WHERE tenant_id = ? ORDER BY rate_bp DESC`, tenantID)
}

// SaveVATClassifier sets the classifier code of a VAT rate (adding the rate if new).
func (s *DB) SaveVATClassifier(ctx context.Context, tenantID int64, c VATClassifier) error {
	rate, err := decimal.NewFromString(c.Rate)
	if err != nil || rate.IsNegative() || rate.GreaterThanOrEqual(decimal.NewFromInt(100)) {
		return &InvalidError{fmt.Errorf("rate %q: a percentage from 0 to 99.99", c.Rate)}
	}
	bp, err := domain.Cents(rate)
	if err != nil {
		return &InvalidError{err}
	}
	if c.Code == "" || len(c.Code) > 40 {
		return &InvalidError{errors.New("code must be 1-40 characters, e.g. PVM1")}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO vat_classifiers (tenant_id, rate_bp, code, name) VALUES (?, ?, ?, ?)`+s.upsert("tenant_id, rate_bp", "code", "name"),
			tenantID, bp, c.Code, c.Name)
		return err
	})
}

// BooksClosedUntil is the last day of a tenant's closed books, or "".
func (s *DB) BooksClosedUntil(ctx context.Context, tenantID int64) (string, error) {
	return booksClosedUntil(ctx, s.db, tenantID)
}

func booksClosedUntil(ctx context.Context, q queryer, tenantID int64) (string, error) {
	var d string
	if err := q.QueryRowContext(ctx, `SELECT books_closed_until FROM pos_settings WHERE tenant_id = ?`, tenantID).Scan(&d); err != nil {
		return "", fmt.Errorf("read when the books are closed: %w", err)
	}
	return d, nil
}

// CloseBooks closes the books up to a day (YYYY-MM-DD), typically the last day of a filed VAT
// period; "" opens them all. From then on nothing is dated on or before it: late receipts and
// orders are booked on the first open day, cancellations too, and goods receipts dated into
// it are refused. Booked documents stay as they are. by is recorded in the log by the caller.
func (s *DB) CloseBooks(ctx context.Context, tenantID int64, until string) error {
	until = strings.TrimSpace(until)
	if until != "" {
		if _, err := time.Parse(time.DateOnly, until); err != nil {
			return &InvalidError{fmt.Errorf("date %q: use YYYY-MM-DD, e.g. 2026-10-31, or empty to open the books", until)}
		}
	}
	_, err := s.db.ExecContext(ctx, `UPDATE pos_settings SET books_closed_until = ? WHERE tenant_id = ?`, until, tenantID)
	return err
}

// Settings reads a tenant's posting settings.
func (s *DB) Settings(ctx context.Context, tenantID int64) (posting.Settings, error) {
	return s.settings(ctx, s.db, tenantID)
}

func (s *DB) settings(ctx context.Context, q queryer, tenantID int64) (posting.Settings, error) {
	set := posting.Settings{Zone: s.zone, Payments: map[string]string{}, Classifiers: map[string]string{}, Ops: map[string]posting.OpType{}, StoreModes: map[int64]string{}, StoreStarts: map[int64]string{}}
	var auto, back int
	err := q.QueryRowContext(ctx, `SELECT mode, auto_writeoff, returns_to_stock, warehouse, vat_account, rounding_account, services_account, books_closed_until FROM pos_settings WHERE tenant_id = ?`, tenantID).
		Scan(&set.Mode, &auto, &back, &set.Warehouse, &set.Accounts.VAT, &set.Accounts.Rounding, &set.Accounts.Services, &set.ClosedUntil)
	if err != nil {
		return set, fmt.Errorf("read POS settings: %w", err)
	}
	set.AutoWriteOff, set.ReturnsToStock = auto != 0, back != 0
	err = queryEach(ctx, q, func(sc scanner) error {
		var code string
		var o posting.OpType
		if err := sc.Scan(&code, &o.Series, &o.Debit, &o.Credit); err != nil {
			return err
		}
		set.Ops[code] = o
		return nil
	}, `SELECT code, series, debit_account, credit_account FROM operation_types WHERE tenant_id = ?`, tenantID)
	if err != nil {
		return set, err
	}
	err = queryEach(ctx, q, func(sc scanner) error {
		var code, acct string
		if err := sc.Scan(&code, &acct); err != nil {
			return err
		}
		set.Payments[code] = acct
		return nil
	}, `SELECT payment_code, account FROM payment_accounts WHERE tenant_id = ?`, tenantID)
	if err != nil {
		return set, err
	}
	err = queryEach(ctx, q, func(sc scanner) error {
		var id int64
		var mode string
		if err := sc.Scan(&id, &mode); err != nil {
			return err
		}
		set.StoreModes[id] = mode
		return nil
	}, `SELECT id, pos_mode FROM stores WHERE tenant_id = ? AND pos_mode IS NOT NULL`, tenantID)
	if err != nil {
		return set, err
	}
	err = queryEach(ctx, q, func(sc scanner) error {
		var id int64
		var start string
		if err := sc.Scan(&id, &start); err != nil {
			return err
		}
		set.StoreStarts[id] = start
		return nil
	}, `SELECT id, start_date FROM stores WHERE tenant_id = ? AND start_date <> ''`, tenantID)
	if err != nil {
		return set, err
	}
	err = queryEach(ctx, q, func(sc scanner) error {
		var bp int64
		var code string
		if err := sc.Scan(&bp, &code); err != nil {
			return err
		}
		set.Classifiers[domain.FromCents(bp).String()] = code
		return nil
	}, `SELECT rate_bp, code FROM vat_classifiers WHERE tenant_id = ?`, tenantID)
	return set, err
}
