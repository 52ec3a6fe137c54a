// Package possim behaves like a shop's cash registers writing into a Raso-style POS database:
// receipts open, get lines and payments, then close inside one transaction; days close with Z
// reports that equal their receipts.
package possim

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"tiltas"
	"tiltas/internal/dbtx"
	"tiltas/shared/domain"
)

// EnsureSchema creates the POS tables if they are missing.
func EnsureSchema(ctx context.Context, db *sql.DB) error {
	for _, stmt := range SplitSQL(tiltas.POSSchema) {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("create POS schema: %w (statement: %.60s...)", err, stmt)
		}
	}
	return nil
}

// SplitSQL splits a script of ';'-terminated statements, dropping '--' comment lines.
func SplitSQL(script string) []string {
	var b strings.Builder
	for _, line := range strings.Split(script, "\n") {
		if t := strings.TrimSpace(line); strings.HasPrefix(t, "--") {
			continue
		}
		if i := strings.Index(line, "--"); i >= 0 {
			line = line[:i]
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	var out []string
	for _, s := range strings.Split(b.String(), ";") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Options say how much to sell and how fast.
type Options struct {
	Registers int     // cash registers selling at once
	Receipts  int     // receipts to write in all; 0 means until ctx ends
	Rate      float64 // receipts per second over all registers; 0 means as fast as possible
	CloseDay  bool    // close every register's day (Z report) at the end
	DayEvery  int     // also close a register's day after this many of its receipts; 0 never
	Seed      uint64
	Profile   string // the POS schema to sell into: ProfileReference (also "") or ProfileUnicenta
}

// Stats is what a run wrote.
type Stats struct {
	mu        sync.Mutex
	Receipts  int
	DayCloses int
	Total     decimal.Decimal
}

func (s *Stats) add(receipts, closes int, total decimal.Decimal) {
	s.mu.Lock()
	s.Receipts += receipts
	s.DayCloses += closes
	s.Total = s.Total.Add(total)
	s.mu.Unlock()
}

// Run sells until opts.Receipts are written or ctx ends. It creates the schema, the registers
// and a catalogue of items when they are missing. opts.Profile picks the POS schema; the
// reference one is the default.
func Run(ctx context.Context, db *sql.DB, opts Options, log *slog.Logger) (*Stats, error) {
	if opts.Registers <= 0 {
		opts.Registers = 1
	}
	if log == nil {
		log = slog.Default()
	}
	switch opts.Profile {
	case "", ProfileReference:
	case ProfileUnicenta:
		return runUnicenta(ctx, db, opts, log)
	default:
		return nil, fmt.Errorf("unknown POS profile %q: use %q or %q", opts.Profile, ProfileReference, ProfileUnicenta)
	}
	if err := EnsureSchema(ctx, db); err != nil {
		return nil, err
	}
	items, err := ensureCatalogue(ctx, db)
	if err != nil {
		return nil, err
	}
	return sellAt(ctx, opts, func(r int) (seller, string, error) {
		reg, err := openRegister(ctx, db, fmt.Sprintf("R%02d", r+1))
		if err != nil {
			return nil, "", err
		}
		reg.items = items
		reg.rng = rand.New(rand.NewPCG(opts.Seed, uint64(r+1)))
		reg.log = log
		return reg, "register " + reg.code, nil
	})
}

// seller is one register (or till) selling its share of the receipts.
// seller is one register or till: it sells one receipt at a time and closes its day.
type seller interface {
	sellOne(ctx context.Context) (total decimal.Decimal, err error)
	closeDay(ctx context.Context) error
}

// sell has s sell quota receipts (0: until ctx ends), one every every (0: as fast as it can),
// closing its day every opts.DayEvery receipts and, with opts.CloseDay, at the end.
func sell(ctx context.Context, s seller, quota int, every time.Duration, opts Options, stats *Stats) error {
	var tick *time.Ticker
	if every > 0 {
		tick = time.NewTicker(every)
		defer tick.Stop()
	}
	sinceZ := 0
	for n := 0; quota == 0 || n < quota; n++ {
		if tick != nil {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-tick.C:
			}
		} else if ctx.Err() != nil {
			return ctx.Err()
		}
		total, err := s.sellOne(ctx)
		if err != nil {
			return err
		}
		stats.add(1, 0, total)
		sinceZ++
		if opts.DayEvery > 0 && sinceZ >= opts.DayEvery {
			if err := s.closeDay(ctx); err != nil {
				return err
			}
			stats.add(0, 1, decimal.Zero)
			sinceZ = 0
		}
	}
	if opts.CloseDay {
		if err := s.closeDay(context.WithoutCancel(ctx)); err != nil {
			return err
		}
		stats.add(0, 1, decimal.Zero)
	}
	return nil
}

// sellAt opens opts.Registers sellers with open (by index, from 0; it names each for errors)
// and has them sell at once: each its share of opts.Receipts (0: until ctx ends), together at
// opts.Rate receipts a second. It returns when all have stopped, with the first error.
func sellAt(ctx context.Context, opts Options, open func(r int) (seller, string, error)) (*Stats, error) {
	stats := &Stats{Total: decimal.Zero}
	var wg sync.WaitGroup
	errs := make(chan error, opts.Registers)
	for r := 0; r < opts.Registers; r++ {
		quota := 0
		if opts.Receipts > 0 {
			quota = opts.Receipts / opts.Registers
			if r < opts.Receipts%opts.Registers {
				quota++
			}
			if quota == 0 {
				continue
			}
		}
		s, name, err := open(r)
		if err != nil {
			return nil, err
		}
		var every time.Duration
		if opts.Rate > 0 {
			every = time.Duration(float64(opts.Registers) / opts.Rate * float64(time.Second))
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := sell(ctx, s, quota, every, opts, stats); err != nil && !errors.Is(err, context.Canceled) {
				errs <- fmt.Errorf("%s: %w", name, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	return stats, <-errs
}

type item struct {
	barcode, name, unit string
	price, rate         decimal.Decimal
	weighed             bool
}

// ensureCatalogue returns the active items, seeding 300 when the table has none.
func ensureCatalogue(ctx context.Context, db *sql.DB) ([]item, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM items WHERE active = 1`).Scan(&n); err != nil {
		return nil, fmt.Errorf("count POS items: %w", err)
	}
	if n == 0 {
		rng := rand.New(rand.NewPCG(7, 7))
		rates := []int64{21, 21, 21, 21, 9, 5, 0}
		nouns := []string{"Duona", "Pienas", "Sūris", "Obuoliai", "Kava", "Arbata", "Vanduo", "Sultys", "Dešra", "Kiaušiniai", "Knyga", "Vaistai", "Muilas", "Bananai"}
		var b strings.Builder
		b.WriteString(`INSERT IGNORE INTO items (barcode, name, unit, price_net, price_gross, vat_rate, group_name) VALUES `)
		args := []any{}
		for i := 0; i < 300; i++ {
			rate := decimal.NewFromInt(rates[rng.IntN(len(rates))])
			gross := decimal.New(int64(19+rng.IntN(4980)), -2)
			unit := "vnt."
			if i%10 == 3 {
				unit = "kg"
			}
			net := gross.Sub(domain.LineVAT(gross, rate))
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("(?,?,?,?,?,?,?)")
			args = append(args, fmt.Sprintf("47700%08d", 1000+i), fmt.Sprintf("%s %d", nouns[i%len(nouns)], i+1), unit, net.StringFixed(2), gross.StringFixed(2), rate.StringFixed(2), nouns[i%len(nouns)])
		}
		if _, err := db.ExecContext(ctx, b.String(), args...); err != nil {
			return nil, fmt.Errorf("seed POS items: %w", err)
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT barcode, name, unit, price_gross, vat_rate FROM items WHERE active = 1 ORDER BY id LIMIT 2000`)
	if err != nil {
		return nil, fmt.Errorf("read POS items: %w", err)
	}
	defer rows.Close()
	var items []item
	for rows.Next() {
		var it item
		if err := rows.Scan(&it.barcode, &it.name, &it.unit, &it.price, &it.rate); err != nil {
			return nil, fmt.Errorf("read POS items: %w", err)
		}
		it.weighed = it.unit == "kg"
		items = append(items, it)
	}
	return items, rows.Err()
}

type register struct {
	db      *sql.DB
	id      int64
	code    string
	session int64
	zNumber int
	seq     int // receipt numbers
	items   []item
	rng     *rand.Rand
	log     *slog.Logger
	sales   []soldReceipt // recent sales, for returns
}

type soldReceipt struct {
	id    int64
	lines []domain.Line
}

// openRegister finds or creates the register and its open cash session.
func openRegister(ctx context.Context, db *sql.DB, code string) (*register, error) {
	r := &register{db: db, code: code}
	err := retryTx(ctx, db, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT IGNORE INTO registers (code, name, fiscal_no) VALUES (?, ?, ?)`, code, "Kasa "+code, "FN-"+code); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT id FROM registers WHERE code = ?`, code).Scan(&r.id); err != nil {
			return err
		}
		var z sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(z_number) FROM cash_sessions WHERE register_id = ?`, r.id).Scan(&z); err != nil {
			return err
		}
		r.zNumber = int(z.Int64)
		err := tx.QueryRowContext(ctx, `SELECT id FROM cash_sessions WHERE register_id = ? AND status = 'open' ORDER BY id DESC LIMIT 1 FOR UPDATE`, r.id).Scan(&r.session)
		if errors.Is(err, sql.ErrNoRows) {
			res, err := tx.ExecContext(ctx, `INSERT INTO cash_sessions (register_id, opened_at) VALUES (?, NOW(3))`, r.id)
			if err != nil {
				return err
			}
			r.session, err = res.LastInsertId()
			return err
		}
		if err != nil {
			return err
		}
		var n sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM receipts WHERE register_id = ?`, r.id).Scan(&n); err != nil {
			return err
		}
		r.seq = int(n.Int64)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open register %s: %w", code, err)
	}
	return r, nil
}

// sellOne writes the register's next receipt and returns its total.
func (r *register) sellOne(ctx context.Context) (decimal.Decimal, error) {
	rc := r.nextReceipt()
	if err := r.write(ctx, rc); err != nil {
		return decimal.Zero, err
	}
	return rc.Total, nil
}

var cashStep = decimal.New(5, -2)

// nextReceipt makes a realistic receipt: mostly sales, some SF invoices, some returns of an
// earlier sale; discounts, weighed goods, mixed VAT rates, cash rounded to 5 cents.
func (r *register) nextReceipt() *domain.Receipt {
	rc := &domain.Receipt{Type: domain.Sale, Register: r.code}
	roll := r.rng.IntN(100)
	switch {
	case roll < 4 && len(r.sales) > 0:
		orig := r.sales[r.rng.IntN(len(r.sales))]
		rc.Type = domain.Return
		rc.OriginalSourceID = fmt.Sprint(orig.id)
		for _, l := range orig.lines[:1+r.rng.IntN(len(orig.lines))] {
			l.No = len(rc.Lines) + 1
			l.Quantity = l.Quantity.Neg()
			l.Discount = l.Discount.Neg()
			l.Total = l.Total.Neg()
			l.VAT = l.VAT.Neg()
			rc.Lines = append(rc.Lines, l)
		}
	default:
		if roll >= 95 {
			rc.Type = domain.Invoice
			c := 300000000 + r.rng.IntN(1000)
			rc.Buyer = &domain.Buyer{Code: fmt.Sprint(c), VATCode: fmt.Sprintf("LT%d", 100000000+c), Name: fmt.Sprintf("UAB Pirkėjas %d", c%1000), Address: "Vilnius"}
		}
		for i, n := 0, 1+r.rng.IntN(8); i < n; i++ {
			it := r.items[r.rng.IntN(len(r.items))]
			qty := decimal.NewFromInt(int64(1 + r.rng.IntN(3)))
			if it.weighed {
				qty = decimal.New(int64(100+r.rng.IntN(2400)), -3)
			}
			disc := decimal.Zero
			if r.rng.IntN(10) == 0 {
				disc = qty.Mul(it.price).Mul(decimal.New(int64(5+r.rng.IntN(26)), -2)).Round(2)
			}
			total := qty.Mul(it.price).Sub(disc).Round(2)
			rc.Lines = append(rc.Lines, domain.Line{No: i + 1, Barcode: it.barcode, Name: it.name, Unit: it.unit,
				Quantity: qty, UnitPrice: it.price, Discount: disc, VATRate: it.rate, Total: total, VAT: domain.LineVAT(total, it.rate)})
		}
	}
	sum, vat := decimal.Zero, decimal.Zero
	for _, l := range rc.Lines {
		sum, vat = sum.Add(l.Total), vat.Add(l.VAT)
	}
	rc.VAT = vat
	switch p := r.rng.IntN(10); {
	case p < 5: // cash, rounded to 5 cents
		rc.Total = sum.Div(cashStep).Round(0).Mul(cashStep)
		rc.Rounding = rc.Total.Sub(sum)
		rc.Payments = []domain.Payment{{Code: "CASH", Amount: rc.Total}}
	case p < 9:
		rc.Total = sum
		rc.Payments = []domain.Payment{{Code: "CARD", Amount: sum}}
	default: // part voucher, rest card
		v := sum.Div(decimal.NewFromInt(3)).Round(0)
		rc.Total = sum
		rc.Payments = []domain.Payment{{Code: "VOUCHER", Amount: v}, {Code: "CARD", Amount: sum.Sub(v)}}
	}
	return rc
}

// write stores one receipt the way a register does: open, lines, payments, close, commit.
func (r *register) write(ctx context.Context, rc *domain.Receipt) error {
	var id int64
	err := retryTx(ctx, r.db, func(tx *sql.Tx) error {
		var orig any
		if rc.OriginalSourceID != "" {
			orig = rc.OriginalSourceID
		}
		var bc, bv, bn, ba any
		if rc.Buyer != nil {
			bc, bv, bn, ba = rc.Buyer.Code, rc.Buyer.VATCode, rc.Buyer.Name, rc.Buyer.Address
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO receipts (register_id, session_id, type, status, opened_at, cashier,
			buyer_code, buyer_vat_code, buyer_name, buyer_address, original_receipt_id)
			VALUES (?, ?, ?, 'open', NOW(3), ?, ?, ?, ?, ?, ?)`,
			r.id, r.session, string(rc.Type), "Kasininkė "+r.code, bc, bv, bn, ba, orig)
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		var b strings.Builder
		args := []any{}
		b.WriteString(`INSERT INTO receipt_lines (receipt_id, line_no, barcode, name, unit, quantity, unit_price, discount, vat_rate, line_total, vat_amount) VALUES `)
		for i, l := range rc.Lines {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("(?,?,?,?,?,?,?,?,?,?,?)")
			args = append(args, id, l.No, l.Barcode, l.Name, l.Unit, l.Quantity.String(), l.UnitPrice.String(), l.Discount.String(), l.VATRate.String(), l.Total.String(), l.VAT.String())
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
		for i, p := range rc.Payments {
			if _, err := tx.ExecContext(ctx, `INSERT INTO payments (receipt_id, line_no, payment_code, amount) VALUES (?, ?, ?, ?)`, id, i+1, p.Code, p.Amount.String()); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE receipts SET status = 'closed', closed_at = NOW(3), number = ?, total = ?, vat_total = ?, rounding = ? WHERE id = ?`,
			fmt.Sprintf("%s-%06d", r.code, r.seq+1), rc.Total.String(), rc.VAT.String(), rc.Rounding.String(), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("write receipt: %w", err)
	}
	r.seq++
	if rc.Type != domain.Return {
		r.sales = append(r.sales, soldReceipt{id: id, lines: rc.Lines})
		if len(r.sales) > 50 {
			r.sales = r.sales[1:]
		}
	}
	return nil
}

// closeDay writes the Z report of the register's open session from its closed receipts and
// opens the next session, all in one transaction.
func (r *register) closeDay(ctx context.Context) error {
	var next int64
	err := retryTx(ctx, r.db, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO session_vat_totals (session_id, vat_rate, net, vat, gross)
			SELECT r.session_id, l.vat_rate, SUM(l.line_total) - SUM(l.vat_amount), SUM(l.vat_amount), SUM(l.line_total)
			FROM receipts r JOIN receipt_lines l ON l.receipt_id = r.id
			WHERE r.session_id = ? AND r.status = 'closed' GROUP BY r.session_id, l.vat_rate`, r.session); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO session_payment_totals (session_id, payment_code, amount)
			SELECT r.session_id, p.payment_code, SUM(p.amount)
			FROM receipts r JOIN payments p ON p.receipt_id = r.id
			WHERE r.session_id = ? AND r.status = 'closed' GROUP BY r.session_id, p.payment_code`, r.session); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cash_sessions s SET status = 'closed', closed_at = NOW(3), z_number = ?,
			receipts_count = (SELECT COUNT(*) FROM receipts WHERE session_id = s.id AND status = 'closed'),
			total = (SELECT COALESCE(SUM(total), 0) FROM receipts WHERE session_id = s.id AND status = 'closed'),
			rounding = (SELECT COALESCE(SUM(rounding), 0) FROM receipts WHERE session_id = s.id AND status = 'closed')
			WHERE id = ?`, r.zNumber+1, r.session); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO cash_sessions (register_id, opened_at) VALUES (?, NOW(3))`, r.id)
		if err != nil {
			return err
		}
		next, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return fmt.Errorf("close day: %w", err)
	}
	r.zNumber++
	r.session = next
	r.log.Info("day closed", "register", r.code, "z", r.zNumber)
	return nil
}

// retryTx runs fn in a transaction, retrying deadlocks and lock wait timeouts as a register would.
func retryTx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	return dbtx.Run(ctx, db, 10, fn)
}
