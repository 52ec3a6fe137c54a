package db

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"tiltas"
	"tiltas/cloud/posting"
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
	_, err := s.importVATRates(ctx, tx, tenantID, strings.NewReader(tiltas.EUVATRates))
	return err
}

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

func (s *DB) marketSettings(ctx context.Context, q queryer, tenantID int64) (posting.MarketSettings, error) {
	m := posting.MarketSettings{Home: "LT", Clearing: "2413", OSSVAT: "4493", Rates: map[string]decimal.Decimal{}, Classes: marketClasses,
		Reduced: map[string]map[string]decimal.Decimal{}}
	reduced, err := q.QueryContext(ctx, `SELECT country, category, rate_bp FROM vat_reduced WHERE tenant_id = ?`, tenantID)
	if err != nil {
		return m, err
	}
	for reduced.Next() {
		var c, cat string
		var bp int64
		if err := reduced.Scan(&c, &cat, &bp); err != nil {
			reduced.Close()
			return m, err
		}
		if m.Reduced[c] == nil {
			m.Reduced[c] = map[string]decimal.Decimal{}
		}
		m.Reduced[c][cat] = domain.FromCents(bp)
	}
	reduced.Close()
	if err := reduced.Err(); err != nil {
		return m, err
	}
	rows, err := q.QueryContext(ctx, `SELECT country, rate_bp FROM vat_rates WHERE tenant_id = ?`, tenantID)
	if err != nil {
		return m, err
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		var bp int64
		if err := rows.Scan(&c, &bp); err != nil {
			return m, err
		}
		m.Rates[c] = domain.FromCents(bp)
	}
	return m, rows.Err()
}

// MarketAccount is one marketplace seller account of a tenant.
type MarketAccount struct {
	ID        int64           `json:"id"`
	TenantID  int64           `json:"-"`
	Kind      string          `json:"kind"` // amazon, allegro
	Name      string          `json:"name"`
	Config    json.RawMessage `json:"-"` // endpoints and credentials: never shown
	ConfigErr error           `json:"-"` // why Config could not be read (the wrong secrets key)
	Cursor    string          `json:"cursor"`
	EveryS    int             `json:"pull_every_seconds"`
	LastPull  *time.Time      `json:"last_pull"`
	NextPull  *time.Time      `json:"next_pull"`
	Failures  int             `json:"failures"`
	LastError string          `json:"last_error"`
	Paused    bool            `json:"paused"` // by a person: not pulled until resumed
}

// CreateMarketAccount adds an account; config holds its endpoints and credentials.
func (s *DB) CreateMarketAccount(ctx context.Context, tenantID int64, kind, name string, config json.RawMessage, every time.Duration) (int64, error) {
	if kind != "amazon" && kind != "allegro" {
		return 0, &InvalidError{fmt.Errorf("kind %q: amazon or allegro", kind)}
	}
	if name = strings.TrimSpace(name); name == "" || len(name) > 100 {
		return 0, &InvalidError{errors.New("an account needs a name (up to 100 characters), e.g. Amazon EU")}
	}
	if every < time.Minute {
		every = 15 * time.Minute
	}
	stored, err := s.sealConfig(tenantID, config)
	if err != nil {
		return 0, err
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO market_accounts (tenant_id, kind, name, config, every_s, last_error, created_ms) VALUES (?, ?, ?, ?, ?, '', ?)`,
		tenantID, kind, name, stored, int(every.Seconds()), s.nowMS())
	if err != nil {
		if isDuplicate(err) {
			return 0, &InvalidError{fmt.Errorf("an account named %q exists already", name)}
		}
		return 0, err
	}
	return res.LastInsertId()
}

// scanAccount reads an account row. A config that cannot be opened leaves Config empty and
// ConfigErr set, so one account with a bad key never hides the others.
func (s *DB) scanAccount(sc interface{ Scan(...any) error }) (MarketAccount, error) {
	var a MarketAccount
	var cfg string
	var last, next int64
	var paused int
	if err := sc.Scan(&a.ID, &a.TenantID, &a.Kind, &a.Name, &cfg, &a.Cursor, &a.EveryS, &last, &next, &a.Failures, &a.LastError, &paused); err != nil {
		return a, err
	}
	a.LastPull, a.NextPull, a.Paused = msTime(last), msTime(next), paused != 0
	a.Config, a.ConfigErr = s.openConfig(a.TenantID, a.Name, cfg)
	return a, nil
}

const accountCols = "id, tenant_id, kind, name, config, `cursor`, every_s, last_pull_ms, next_pull_ms, failures, last_error, paused"

// MarketAccount reads one of a tenant's accounts.
func (s *DB) MarketAccount(ctx context.Context, tenantID, id int64) (MarketAccount, error) {
	a, err := s.scanAccount(s.db.QueryRowContext(ctx, `SELECT `+s.quoteCursor(accountCols)+` FROM market_accounts WHERE tenant_id = ? AND id = ?`, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("marketplace account %d: %w", id, ErrNotFound)
	}
	return a, err
}

// UpdateMarketAccount renames an account, replaces its config (sealed like a new one's) and
// sets how often it is pulled (every 0 keeps it). Its failures are forgotten and it is pulled
// again within seconds, so new credentials show at once.
func (s *DB) UpdateMarketAccount(ctx context.Context, tenantID, id int64, name string, config json.RawMessage, every time.Duration) error {
	if name = strings.TrimSpace(name); name == "" || len(name) > 100 {
		return &InvalidError{errors.New("an account needs a name (up to 100 characters), e.g. Amazon EU")}
	}
	if every != 0 && every < time.Minute {
		return &InvalidError{fmt.Errorf("pull every %s: at least a minute", every)}
	}
	stored, err := s.sealConfig(tenantID, config)
	if err != nil {
		return err
	}
	q, args := `UPDATE market_accounts SET name = ?, config = ?, failures = 0, last_error = '', next_pull_ms = 0`, []any{name, stored}
	if every != 0 {
		q, args = q+`, every_s = ?`, append(args, int(every.Seconds()))
	}
	res, err := s.db.ExecContext(ctx, q+` WHERE tenant_id = ? AND id = ?`, append(args, tenantID, id)...)
	if err != nil {
		if isDuplicate(err) {
			return &InvalidError{fmt.Errorf("an account named %q exists already", name)}
		}
		return fmt.Errorf("update marketplace account %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("marketplace account %d: %w", id, ErrNotFound)
	}
	return nil
}

// ErrPaused refuses a fetch of a paused account.
var ErrPaused = errors.New("the account is paused: resume it first")

// PauseMarketAccount stops (true) or resumes (false) an account's pulls. Its orders stay as
// they are; a resumed account is pulled within seconds and carries on from its cursor.
func (s *DB) PauseMarketAccount(ctx context.Context, tenantID, id int64, paused bool) error {
	res, err := s.db.ExecContext(ctx, `UPDATE market_accounts SET paused = ?, next_pull_ms = 0 WHERE tenant_id = ? AND id = ?`, boolInt(paused), tenantID, id)
	if err != nil {
		return fmt.Errorf("pause marketplace account %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("marketplace account %d: %w", id, ErrNotFound)
	}
	return nil
}

// MarketAccounts lists a tenant's accounts (tenantID 0: every tenant's, for the scheduler).
func (s *DB) MarketAccounts(ctx context.Context, tenantID int64) ([]MarketAccount, error) {
	q, args := `SELECT `+s.quoteCursor(accountCols)+` FROM market_accounts`, []any{}
	if tenantID != 0 {
		q, args = q+` WHERE tenant_id = ?`, append(args, tenantID)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []MarketAccount
	for rows.Next() {
		a, err := s.scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// quoteCursor quotes the column named cursor, a reserved word in MySQL, for SQLite too.
func (s *DB) quoteCursor(cols string) string {
	if s.dialect == SQLite {
		return strings.ReplaceAll(cols, "`cursor`", `"cursor"`)
	}
	return cols
}

// PullDone records a pull: the new cursor and when to pull next, or the failure with backoff.
func (s *DB) PullDone(ctx context.Context, accountID int64, cursor string, next time.Time, pullErr error) error {
	now := s.nowMS()
	if pullErr != nil {
		_, err := s.db.ExecContext(ctx, `UPDATE market_accounts SET failures = failures + 1, last_error = ?, next_pull_ms = ? WHERE id = ?`, pullErr.Error(), next.UnixMilli(), accountID)
		return err
	}
	_, err := s.db.ExecContext(ctx, s.quoteCursor("UPDATE market_accounts SET `cursor` = ?, failures = 0, last_error = '', last_pull_ms = ?, next_pull_ms = ? WHERE id = ?"),
		cursor, now, next.UnixMilli(), accountID)
	return err
}

// Order states.
const (
	OrderOpen      = "open"      // fetched, waiting for a status that is booked
	OrderPosted    = "posted"    // booked
	OrderErrors    = "errors"    // could not be booked: reason and fix
	OrderCancelled = "cancelled" // cancelled after booking: reversed
)

// SaveOrders stores fetched orders; a re-fetched order replaces the stored one only when it
// changed. Booking happens in PostOrders.
func (s *DB) SaveOrders(ctx context.Context, acct MarketAccount, orders []posting.Order) (int, error) {
	changed := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		changed = 0
		for _, o := range orders {
			b, err := json.Marshal(o)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			hash := hex.EncodeToString(sum[:])
			var held, state string
			err = tx.QueryRowContext(ctx, `SELECT content_hash, state FROM market_orders WHERE account_id = ? AND order_id = ?`, acct.ID, o.ID).Scan(&held, &state)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if _, err := tx.ExecContext(ctx, `INSERT INTO market_orders (tenant_id, account_id, order_id, status, state, reason, fix, payload, content_hash, updated_ms) VALUES (?, ?, ?, ?, ?, '', '', ?, ?, ?)`,
					acct.TenantID, acct.ID, o.ID, o.Status, OrderOpen, string(b), hash, s.nowMS()); err != nil {
					return err
				}
				changed++
			case err != nil:
				return err
			case held != hash:
				// An errored order is tried again when it changes; a posted one is looked at for cancellation.
				next := state
				if state == OrderErrors {
					next = OrderOpen
				}
				if _, err := tx.ExecContext(ctx, `UPDATE market_orders SET status = ?, state = ?, payload = ?, content_hash = ?, updated_ms = ? WHERE account_id = ? AND order_id = ?`,
					o.Status, next, string(b), hash, s.nowMS(), acct.ID, o.ID); err != nil {
					return err
				}
				changed++
			}
		}
		return nil
	})
	return changed, err
}

// MarketRules say which statuses are booked and which mean cancelled, per marketplace.
type MarketRules struct {
	PostStatuses   map[string]bool // e.g. Amazon Shipped (or Unshipped+Shipped); Allegro READY_FOR_PROCESSING
	CancelStatuses map[string]bool // Amazon Canceled; Allegro CANCELLED
	CreateMissing  bool            // a SKU without a product card gets one
}

// PostOrders books an account's orders whose status says so, exactly once per (account,
// order, document type), and reverses booked orders that were cancelled since.
func (s *DB) PostOrders(ctx context.Context, acct MarketAccount, rules MarketRules) (PostResult, error) {
	var res PostResult
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM market_orders WHERE account_id = ? AND (state = ? OR state = ?) ORDER BY id`, acct.ID, OrderOpen, OrderPosted)
	if err != nil {
		return res, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return res, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	set, err := s.Settings(ctx, acct.TenantID)
	if err != nil {
		return res, err
	}
	for _, id := range ids {
		var problem *posting.Error
		err := s.inTx(ctx, func(tx *sql.Tx) error { return s.postOrder(ctx, tx, acct, id, set, rules, &res) })
		switch {
		case err == nil:
		case errors.As(err, &problem):
			res.Failed++
			if _, err := s.db.ExecContext(ctx, `UPDATE market_orders SET state = ?, reason = ?, fix = ? WHERE id = ?`, OrderErrors, problem.Msg, fixFor(problem.Msg), id); err != nil {
				return res, err
			}
		default:
			return res, fmt.Errorf("book order %d: %w", id, err)
		}
	}
	return res, nil
}

// fixFor suggests what a person can do about a refusal.
func fixFor(reason string) string {
	switch {
	case strings.Contains(reason, "has no SKU"):
		return "give the offer its external id (your SKU) on the marketplace, then Retry"
	case strings.Contains(reason, "no product card"):
		return "create the product card with this SKU as its barcode (or allow creating missing cards on the account), then Retry"
	case strings.Contains(reason, "exchange rate"):
		return "import the ECB rates for that date (Settings → FX rates), then Retry"
	case strings.Contains(reason, "cannot be read"):
		return "look at the order on the marketplace: it is read again as soon as it changes there, or press Retry to try the stored copy again"
	case strings.Contains(reason, "VAT rate"):
		return "import the EU VAT rate table (Settings → VAT rates), then Retry"
	}
	return "correct the setting named in the reason, then Retry"
}

func (s *DB) postOrder(ctx context.Context, tx *sql.Tx, acct MarketAccount, rowID int64, set posting.Settings, rules MarketRules, res *PostResult) error {
	var payload, state string
	q := `SELECT payload, state FROM market_orders WHERE id = ?`
	if s.dialect == MySQL {
		q += ` FOR UPDATE`
	}
	if err := tx.QueryRowContext(ctx, q, rowID).Scan(&payload, &state); err != nil {
		return err
	}
	var o posting.Order
	if err := json.Unmarshal([]byte(payload), &o); err != nil {
		return &posting.Error{Msg: "stored order unreadable: " + err.Error()}
	}
	if o.Unreadable != "" {
		return &posting.Error{Msg: "the marketplace sent this order in a form that cannot be read: " + o.Unreadable}
	}
	key := orderDocKey(acct.ID, o.ID)
	docID, _, err := s.docByKey(ctx, tx, acct.TenantID, key)
	if err != nil {
		return err
	}
	switch {
	case rules.CancelStatuses[o.Status] && docID != 0:
		if err := s.cancelTx(ctx, tx, acct.TenantID, docID, fmt.Sprintf("%s: the order was cancelled (%s)", acct.Name, o.Status)); err != nil {
			var inv *InvalidError
			if errors.As(err, &inv) {
				return &posting.Error{Msg: "cancelled by the buyer, but " + inv.Error()}
			}
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE market_orders SET state = ? WHERE id = ?`, OrderCancelled, rowID)
		return err
	case rules.CancelStatuses[o.Status]:
		_, err := tx.ExecContext(ctx, `UPDATE market_orders SET state = ? WHERE id = ?`, OrderCancelled, rowID) // never booked
		return err
	case docID != 0:
		if state != OrderPosted {
			_, err = tx.ExecContext(ctx, `UPDATE market_orders SET state = ?, reason = '', fix = '' WHERE id = ?`, OrderPosted, rowID)
		}
		return err // booked already
	case !rules.PostStatuses[o.Status]:
		return nil // open: not at a booked status yet
	}
	m, err := s.marketSettings(ctx, tx, acct.TenantID)
	if err != nil {
		return err
	}
	date := o.PurchasedAt.In(s.zone).Format(time.DateOnly)
	if m.FX, err = s.fxRate(ctx, tx, acct.TenantID, o.Currency, date); err != nil {
		return err
	}
	items := map[string]posting.Item{}
	for _, l := range o.Lines {
		if l.Kind == posting.LineGoods && l.SKU == "" {
			return &posting.Error{Msg: fmt.Sprintf("line %q has no SKU (the offer has no external id / seller SKU)", l.Name)}
		}
		if l.Kind == posting.LineShipping || l.Kind == posting.LineService || l.SKU == "" {
			continue
		}
		if _, done := items[l.SKU]; done {
			continue
		}
		var svc int
		var bp int64
		var cat string
		err := tx.QueryRowContext(ctx, `SELECT is_service, vat_rate_bp, vat_category FROM products WHERE tenant_id = ? AND barcode = ?`, acct.TenantID, l.SKU).Scan(&svc, &bp, &cat)
		if errors.Is(err, sql.ErrNoRows) {
			if !rules.CreateMissing {
				return &posting.Error{Msg: fmt.Sprintf("SKU %s (%s) has no product card", l.SKU, l.Name)}
			}
			if err := s.createCardForSKU(ctx, tx, acct.TenantID, l, m.Rates[m.Home]); err != nil {
				return err
			}
			items[l.SKU] = posting.Item{Rate: m.Rates[m.Home]}
			continue
		}
		if err != nil {
			return err
		}
		items[l.SKU] = posting.Item{Service: svc != 0, Rate: domain.FromCents(bp), Category: cat}
	}
	doc, err := posting.OrderDoc(&o, set, m, func(sku string) (posting.Item, bool) { it, ok := items[sku]; return it, ok })
	if err != nil {
		return err
	}
	custID, err := s.customerFor(ctx, tx, acct.TenantID, &domain.Buyer{Code: o.Buyer.Key, VATCode: o.Buyer.VATNumber, Name: firstNonEmpty(o.Buyer.Company, o.Buyer.Name, o.Buyer.Key)})
	if err != nil {
		return err
	}
	docID, err = s.insertDoc(ctx, tx, set, newDoc{tenantID: acct.TenantID, doc: doc.Doc, key: key, sourceKind: "order", sourceID: acct.Name + ":" + o.ID,
		customerID: custID, currency: doc.Currency, fx: doc.FX, totalCurrency: doc.TotalCurrency})
	if err != nil {
		return err
	}
	if set.AutoWriteOff {
		wh := set.Warehouse
		if o.FBA {
			if wh, err = s.ensureWarehouse(ctx, tx, acct.TenantID, "AMZ-"+strings.ToUpper(o.Marketplace), "Amazon FBA "+strings.ToUpper(o.Marketplace)); err != nil {
				return err
			}
		}
		var lines []stockLine
		for i, l := range o.Lines {
			if l.Kind == posting.LineGoods && !items[l.SKU].Service && l.Qty.IsPositive() {
				lines = append(lines, stockLine{no: i + 1, barcode: l.SKU, name: l.Name, qty: l.Qty})
			}
		}
		if len(lines) > 0 {
			whSet := set
			whSet.Warehouse = wh
			if _, err := s.writeOff(ctx, tx, whSet, acct.TenantID, 0, docID, doc.Date, posting.Key("stock", fmt.Sprint(docID)), lines, false); err != nil {
				return err
			}
		}
	}
	res.Posted++
	_, err = tx.ExecContext(ctx, `UPDATE market_orders SET state = ?, reason = '', fix = '' WHERE id = ?`, OrderPosted, rowID)
	return err
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func (s *DB) ensureWarehouse(ctx context.Context, tx *sql.Tx, tenantID int64, code, name string) (string, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM warehouses WHERE tenant_id = ? AND code = ?`, tenantID, code).Scan(&n); err != nil || n > 0 {
		return code, err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO warehouses (tenant_id, code, name) VALUES (?, ?, ?)`, tenantID, code, name)
	return code, err
}

// createCardForSKU adds a product card for a marketplace SKU, priced from the order line at the
// home VAT rate.
func (s *DB) createCardForSKU(ctx context.Context, tx *sql.Tx, tenantID int64, l posting.OrderLine, rate decimal.Decimal) error {
	name := l.Name
	if r := []rune(name); len(r) > domain.MaxNameLen {
		name = string(r[:domain.MaxNameLen])
	}
	gross := l.UnitGross.Round(2)
	c := domain.Card{Barcode: l.SKU, Name: name, Unit: "vnt.", PriceGross: gross, PriceNet: gross.Sub(domain.LineVAT(gross, rate)), VATRate: rate, Active: true}
	if err := c.Validate(); err != nil {
		return &posting.Error{Msg: fmt.Sprintf("SKU %s cannot become a product card: %v", l.SKU, err)}
	}
	v, err := s.nextVersions(ctx, tx, tenantID, 1)
	if err != nil {
		return err
	}
	c.Version = v
	return s.writeCards(ctx, tx, tenantID, []domain.Card{c})
}

// orderDocKey is the idempotency key of an order's sales document. It holds the account's id,
// which stays when the account is renamed: SalesOn and the document search by account read it.
func orderDocKey(accountID int64, orderID string) string {
	return posting.Key("mkt", fmt.Sprint(accountID), orderID, "sale")
}

// orderDocKeyPrefix starts the keys of an account's order documents.
func orderDocKeyPrefix(accountID int64) string { return posting.Key("mkt", fmt.Sprint(accountID), "") }

// orderDocAccount reads the account's id back from an order document's key.
func orderDocAccount(key string) (int64, bool) {
	parts := strings.SplitN(key, ":", 3)
	var id int64
	if len(parts) < 3 || parts[0] != "mkt" {
		return 0, false
	}
	_, err := fmt.Sscan(parts[1], &id)
	return id, err == nil
}

// MarketOrder is a fetched order as the accountant sees it.
type MarketOrder struct {
	ID       int64           `json:"id"`
	Account  string          `json:"account"`
	OrderID  string          `json:"order_id"`
	Status   string          `json:"status"`
	State    string          `json:"state"`
	Reason   string          `json:"reason,omitempty"`
	Fix      string          `json:"suggested_fix,omitempty"`
	Order    json.RawMessage `json:"order"`
	Document int64           `json:"document,omitempty"`
}

// MarketOrders lists a tenant's orders in a state (empty: all), newest first.
func (s *DB) MarketOrders(ctx context.Context, tenantID int64, state string, limit int) ([]MarketOrder, error) {
	return s.MarketOrdersBefore(ctx, tenantID, state, 0, limit)
}

// MarketOrdersBefore is a page of MarketOrders older than order row beforeID (0: the newest).
func (s *DB) MarketOrdersBefore(ctx context.Context, tenantID int64, state string, beforeID int64, limit int) ([]MarketOrder, error) {
	if limit <= 0 || limit > 5000 {
		limit = 500
	}
	q, args := `SELECT o.id, a.name, a.id, o.order_id, o.status, o.state, o.reason, o.fix, o.payload FROM market_orders o JOIN market_accounts a ON a.id = o.account_id WHERE o.tenant_id = ?`, []any{tenantID}
	if beforeID > 0 {
		q, args = q+` AND o.id < ?`, append(args, beforeID)
	}
	if state != "" {
		q, args = q+` AND o.state = ?`, append(args, state)
	}
	rows, err := s.db.QueryContext(ctx, q+fmt.Sprintf(` ORDER BY o.id DESC LIMIT %d`, limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []MarketOrder
	for rows.Next() {
		var o MarketOrder
		var acctID int64
		var p string
		if err := rows.Scan(&o.ID, &o.Account, &acctID, &o.OrderID, &o.Status, &o.State, &o.Reason, &o.Fix, &p); err != nil {
			return nil, err
		}
		o.Order = json.RawMessage(p)
		o.Document, _, _ = s.docByKey(ctx, s.db, tenantID, orderDocKey(acctID, o.OrderID))
		out = append(out, o)
	}
	return out, rows.Err()
}

// RetryOrder puts an order in Errors back to Open for the next booking pass.
func (s *DB) RetryOrder(ctx context.Context, tenantID, id int64) error {
	res, err := s.db.ExecContext(ctx, `UPDATE market_orders SET state = ?, reason = '', fix = '' WHERE tenant_id = ? AND id = ? AND state = ?`, OrderOpen, tenantID, id, OrderErrors)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("order %d in Errors: %w", id, ErrNotFound)
	}
	return nil
}

// CreateWarehouse adds a warehouse (no-op when it exists).
func (s *DB) CreateWarehouse(ctx context.Context, tenantID int64, code, name string) error {
	if code == "" || len(code) > 40 {
		return &InvalidError{errors.New("a warehouse code must be 1-40 characters")}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := s.ensureWarehouse(ctx, tx, tenantID, code, name)
		return err
	})
}

// SaveMarketConfig replaces an account's config at once (Allegro rotates refresh tokens: the
// new one must be stored before anything else happens).
func (s *DB) SaveMarketConfig(ctx context.Context, accountID int64, config json.RawMessage) error {
	var tenantID int64
	if err := s.db.QueryRowContext(ctx, `SELECT tenant_id FROM market_accounts WHERE id = ?`, accountID).Scan(&tenantID); err != nil {
		return fmt.Errorf("marketplace account %d: %w", accountID, err)
	}
	stored, err := s.sealConfig(tenantID, config)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `UPDATE market_accounts SET config = ? WHERE id = ?`, stored, accountID)
	return err
}

// Cooldowns: how often a person may ask for an extra pull, so the marketplace never blocks us.
var Cooldowns = map[string]time.Duration{"allegro": 10 * time.Minute, "amazon": 2 * time.Minute}

// FetchNow makes an account due now, unless it was pulled within its cooldown.
func (s *DB) FetchNow(ctx context.Context, tenantID, accountID int64) error {
	var kind string
	var last, paused int64
	err := s.db.QueryRowContext(ctx, `SELECT kind, last_pull_ms, paused FROM market_accounts WHERE tenant_id = ? AND id = ?`, tenantID, accountID).Scan(&kind, &last, &paused)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("marketplace account %d: %w", accountID, ErrNotFound)
	}
	if err != nil {
		return err
	}
	if paused != 0 {
		return &InvalidError{ErrPaused}
	}
	if wait := time.UnixMilli(last).Add(Cooldowns[kind]).Sub(s.now()); wait > 0 {
		return &InvalidError{fmt.Errorf("%s was fetched at %s and allows a fetch every %s: try again in %s",
			kind, time.UnixMilli(last).In(s.zone).Format("15:04:05"), Cooldowns[kind], wait.Round(time.Second))}
	}
	_, err = s.db.ExecContext(ctx, `UPDATE market_accounts SET next_pull_ms = 0 WHERE id = ?`, accountID)
	return err
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
