// Package capture reads closed receipts and closed day sessions from the POS database into
// the outbox.
//
// Receipt ids are given when a receipt opens and closed_at is set inside the register's
// transaction, so a receipt can become visible after a later one was already read. Capture
// therefore rereads everything closed since (watermark − lookback) each time and lets the
// outbox's seen set drop what it already has. Only ids are reread; full rows are fetched for
// new ones only.
package capture

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/agent/outbox"
	"tiltas/shared/domain"
	"tiltas/shared/protocol"
)

// Outbox is where captures go.
type Outbox interface {
	Watermark(kind string) (time.Time, error)
	Unseen(kind string, ids []string) ([]string, error)
	Capture(kind string, items []outbox.Captured, wm time.Time) (int, error)
	PruneSeen(kind string, before time.Time) (int, error)
}

// Reader captures from one POS database.
type Reader struct {
	DB       *sql.DB
	Outbox   Outbox
	Lookback time.Duration // how far before the watermark to reread; default 10 min
	Batch    int           // rows fetched in full at a time; default 500
	scans    int
}

// Result is what one pass captured.
type Result struct {
	Receipts, DayCloses int
}

// Once runs one capture pass: receipts, then day closes.
func (r *Reader) Once(ctx context.Context) (Result, error) {
	var res Result
	var err error
	if res.Receipts, err = r.pass(ctx, protocol.KindReceipt, r.receipts); err != nil {
		return res, err
	}
	if res.DayCloses, err = r.pass(ctx, protocol.KindDayClose, r.dayCloses); err != nil {
		return res, err
	}
	r.scans++
	return res, nil
}

type fetchFn func(ctx context.Context, ids []string) ([]outbox.Captured, error)

func (r *Reader) lookback() time.Duration {
	if r.Lookback <= 0 {
		return 10 * time.Minute
	}
	return r.Lookback
}

func (r *Reader) pass(ctx context.Context, kind string, fetch fetchFn) (int, error) {
	wm, err := r.Outbox.Watermark(kind)
	if err != nil {
		return 0, err
	}
	since := time.Time{}
	if !wm.IsZero() {
		since = wm.Add(-r.lookback())
	}
	table := "receipts"
	if kind == protocol.KindDayClose {
		table = "cash_sessions"
	}
	batch := r.Batch
	if batch <= 0 {
		batch = 500
	}
	total := 0
	// Keyset pages over (closed_at, id), ids only.
	lastAt, lastID := since, int64(-1)
	for {
		rows, err := r.DB.QueryContext(ctx, `SELECT id, closed_at FROM `+table+`
			WHERE status = 'closed' AND closed_at IS NOT NULL AND (closed_at > ? OR (closed_at = ? AND id > ?))
			ORDER BY closed_at, id LIMIT 5000`, lastAt, lastAt, lastID)
		if err != nil {
			return total, fmt.Errorf("scan closed %s: %w", table, err)
		}
		var ids []string
		closed := map[string]time.Time{}
		n := 0
		for rows.Next() {
			var id int64
			var at time.Time
			if err := rows.Scan(&id, &at); err != nil {
				rows.Close()
				return total, fmt.Errorf("scan closed %s: %w", table, err)
			}
			n++
			lastAt, lastID = at, id
			sid := fmt.Sprint(id)
			ids = append(ids, sid)
			closed[sid] = at
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return total, fmt.Errorf("scan closed %s: %w", table, err)
		}
		fresh, err := r.Outbox.Unseen(kind, ids)
		if err != nil {
			return total, err
		}
		for start := 0; start < len(fresh); start += batch {
			chunk := fresh[start:min(start+batch, len(fresh))]
			items, err := fetch(ctx, chunk)
			if err != nil {
				return total, err
			}
			// The watermark is the newest closing time in this chunk: everything up to it is
			// in the outbox once this transaction commits.
			wm := time.Time{}
			for _, id := range chunk {
				if closed[id].After(wm) {
					wm = closed[id]
				}
			}
			c, err := r.Outbox.Capture(kind, items, wm)
			if err != nil {
				return total, err
			}
			total += c
		}
		if n < 5000 {
			break
		}
	}
	// Rows marked closed without a closing time fall outside every window: ship them too, so
	// the cloud reports them instead of them being lost in silence.
	broken, err := r.closedWithoutTime(ctx, kind, table)
	if err != nil {
		return total, err
	}
	if len(broken) > 0 {
		items, err := fetch(ctx, broken)
		if err != nil {
			return total, err
		}
		c, err := r.Outbox.Capture(kind, items, time.Time{})
		if err != nil {
			return total, err
		}
		total += c
	}
	if r.scans%100 == 0 && !wm.IsZero() {
		if _, err := r.Outbox.PruneSeen(kind, wm.Add(-3*r.lookback())); err != nil {
			return total, err
		}
	}
	return total, nil
}

func (r *Reader) closedWithoutTime(ctx context.Context, kind, table string) ([]string, error) {
	rows, err := r.DB.QueryContext(ctx, `SELECT id FROM `+table+` WHERE status = 'closed' AND closed_at IS NULL LIMIT 1000`)
	if err != nil {
		return nil, fmt.Errorf("scan closed %s: %w", table, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, fmt.Sprint(id))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return r.Outbox.Unseen(kind, ids)
}

// ns is a nullable column; problems collects what is wrong with a row.
type ns = sql.NullString

type problems []string

func (p *problems) dec(what string, v ns) decimal.Decimal {
	if !v.Valid {
		*p = append(*p, what+" is NULL")
		return decimal.Zero
	}
	d, err := decimal.NewFromString(v.String)
	if err != nil {
		*p = append(*p, fmt.Sprintf("%s %q is not a number", what, v.String))
		return decimal.Zero
	}
	return d
}

func (p *problems) str(what string, v ns) string {
	if !v.Valid {
		*p = append(*p, what+" is NULL")
	}
	return v.String
}

func placeholders(n int) string { return "?" + strings.Repeat(",?", n-1) }

func anys(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

func (r *Reader) receipts(ctx context.Context, ids []string) ([]outbox.Captured, error) {
	type row struct {
		rc       domain.Receipt
		p        problems
		raw      map[string]any
		closedAt time.Time
	}
	byID := map[string]*row{}
	rows, err := r.DB.QueryContext(ctx, `SELECT r.id, g.code, r.session_id, r.number, r.type, r.opened_at, r.closed_at, r.cashier,
		r.buyer_code, r.buyer_vat_code, r.buyer_name, r.buyer_address, r.original_receipt_id, r.total, r.vat_total, r.rounding
		FROM receipts r JOIN registers g ON g.id = r.register_id WHERE r.id IN (`+placeholders(len(ids))+`)`, anys(ids)...)
	if err != nil {
		return nil, fmt.Errorf("read receipts: %w", err)
	}
	for rows.Next() {
		var id, session int64
		var reg string
		var number, typ, cashier, bc, bv, bn, ba, orig, total, vat, rounding ns
		var opened time.Time
		var closed sql.NullTime
		if err := rows.Scan(&id, &reg, &session, &number, &typ, &opened, &closed, &cashier, &bc, &bv, &bn, &ba, &orig, &total, &vat, &rounding); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read receipt: %w", err)
		}
		w := &row{raw: map[string]any{"id": id, "register": reg, "number": number.String, "type": typ.String, "total": total.String, "vat_total": vat.String, "rounding": rounding.String}}
		rc := &w.rc
		rc.SourceID, rc.Register, rc.SessionID = fmt.Sprint(id), reg, fmt.Sprint(session)
		rc.Number = w.p.str("number", number)
		rc.Type = domain.ReceiptType(typ.String)
		rc.OpenedAt, rc.ClosedAt = opened.UTC(), closed.Time.UTC()
		w.closedAt = closed.Time
		if !closed.Valid {
			w.p = append(w.p, "status is closed but closed_at is NULL")
		}
		rc.Cashier = cashier.String
		if bc.Valid || bn.Valid {
			rc.Buyer = &domain.Buyer{Code: bc.String, VATCode: bv.String, Name: bn.String, Address: ba.String}
		}
		rc.OriginalSourceID = orig.String
		rc.Total = w.p.dec("total", total)
		rc.VAT = w.p.dec("vat_total", vat)
		if rounding.Valid {
			rc.Rounding = w.p.dec("rounding", rounding)
		}
		byID[rc.SourceID] = w
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read receipts: %w", err)
	}
	lines, err := r.DB.QueryContext(ctx, `SELECT receipt_id, line_no, barcode, name, unit, quantity, unit_price, discount, vat_rate, line_total, vat_amount
		FROM receipt_lines WHERE receipt_id IN (`+placeholders(len(ids))+`) ORDER BY receipt_id, line_no`, anys(ids)...)
	if err != nil {
		return nil, fmt.Errorf("read receipt lines: %w", err)
	}
	for lines.Next() {
		var rid int64
		var no int
		var barcode, name, unit, qty, price, disc, rate, total, vat ns
		if err := lines.Scan(&rid, &no, &barcode, &name, &unit, &qty, &price, &disc, &rate, &total, &vat); err != nil {
			lines.Close()
			return nil, fmt.Errorf("read receipt line: %w", err)
		}
		w := byID[fmt.Sprint(rid)]
		if w == nil {
			continue
		}
		at := fmt.Sprintf("line %d ", no)
		l := domain.Line{No: no, Barcode: w.p.str(at+"barcode", barcode), Name: name.String, Unit: unit.String,
			Quantity: w.p.dec(at+"quantity", qty), UnitPrice: w.p.dec(at+"unit_price", price), VATRate: w.p.dec(at+"vat_rate", rate),
			Total: w.p.dec(at+"line_total", total), VAT: w.p.dec(at+"vat_amount", vat)}
		if disc.Valid {
			l.Discount = w.p.dec(at+"discount", disc)
		}
		w.rc.Lines = append(w.rc.Lines, l)
		w.raw[fmt.Sprintf("line_%d", no)] = []string{barcode.String, name.String, qty.String, price.String, disc.String, rate.String, total.String, vat.String}
	}
	lines.Close()
	if err := lines.Err(); err != nil {
		return nil, fmt.Errorf("read receipt lines: %w", err)
	}
	pays, err := r.DB.QueryContext(ctx, `SELECT receipt_id, line_no, payment_code, amount FROM payments WHERE receipt_id IN (`+placeholders(len(ids))+`) ORDER BY receipt_id, line_no`, anys(ids)...)
	if err != nil {
		return nil, fmt.Errorf("read payments: %w", err)
	}
	for pays.Next() {
		var rid int64
		var no int
		var code, amount ns
		if err := pays.Scan(&rid, &no, &code, &amount); err != nil {
			pays.Close()
			return nil, fmt.Errorf("read payment: %w", err)
		}
		w := byID[fmt.Sprint(rid)]
		if w == nil {
			continue
		}
		at := fmt.Sprintf("payment %d ", no)
		w.rc.Payments = append(w.rc.Payments, domain.Payment{Code: w.p.str(at+"payment_code", code), Amount: w.p.dec(at+"amount", amount)})
		w.raw[fmt.Sprintf("payment_%d", no)] = []string{code.String, amount.String}
	}
	pays.Close()
	if err := pays.Err(); err != nil {
		return nil, fmt.Errorf("read payments: %w", err)
	}
	out := make([]outbox.Captured, 0, len(ids))
	for _, id := range ids {
		w := byID[id]
		if w == nil {
			continue // gone since the scan: a closed receipt is never deleted, so this is a POS repair
		}
		c := outbox.Captured{Kind: protocol.KindReceipt, SourceID: id, ClosedAt: w.closedAt}
		var err error
		if len(w.p) > 0 {
			c.DecodeError = "receipt " + id + ": " + strings.Join(w.p, "; ")
			c.Data, err = json.Marshal(w.raw)
		} else {
			c.Data, err = json.Marshal(&w.rc)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func (r *Reader) dayCloses(ctx context.Context, ids []string) ([]outbox.Captured, error) {
	type row struct {
		dc       domain.DayClose
		p        problems
		raw      map[string]any
		closedAt time.Time
	}
	byID := map[string]*row{}
	rows, err := r.DB.QueryContext(ctx, `SELECT s.id, g.code, s.z_number, s.opened_at, s.closed_at, s.receipts_count, s.total, s.rounding
		FROM cash_sessions s JOIN registers g ON g.id = s.register_id WHERE s.id IN (`+placeholders(len(ids))+`)`, anys(ids)...)
	if err != nil {
		return nil, fmt.Errorf("read day closes: %w", err)
	}
	for rows.Next() {
		var id int64
		var reg string
		var z, count, total, rounding ns
		var opened time.Time
		var closed sql.NullTime
		if err := rows.Scan(&id, &reg, &z, &opened, &closed, &count, &total, &rounding); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read day close: %w", err)
		}
		w := &row{raw: map[string]any{"id": id, "register": reg, "z_number": z.String, "receipts_count": count.String, "total": total.String}, closedAt: closed.Time}
		d := &w.dc
		d.SourceID, d.Register, d.ZNumber = fmt.Sprint(id), reg, w.p.str("z_number", z)
		d.OpenedAt, d.ClosedAt = opened.UTC(), closed.Time.UTC()
		if !closed.Valid {
			w.p = append(w.p, "status is closed but closed_at is NULL")
		}
		d.ReceiptsCount = int(w.p.dec("receipts_count", count).IntPart())
		d.Total = w.p.dec("total", total)
		if rounding.Valid {
			d.Rounding = w.p.dec("rounding", rounding)
		}
		byID[d.SourceID] = w
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read day closes: %w", err)
	}
	vrows, err := r.DB.QueryContext(ctx, `SELECT session_id, vat_rate, net, vat, gross FROM session_vat_totals WHERE session_id IN (`+placeholders(len(ids))+`) ORDER BY session_id, vat_rate`, anys(ids)...)
	if err != nil {
		return nil, fmt.Errorf("read Z VAT totals: %w", err)
	}
	for vrows.Next() {
		var sid int64
		var rate, net, vat, gross ns
		if err := vrows.Scan(&sid, &rate, &net, &vat, &gross); err != nil {
			vrows.Close()
			return nil, err
		}
		if w := byID[fmt.Sprint(sid)]; w != nil {
			w.dc.VAT = append(w.dc.VAT, domain.VATTotal{Rate: w.p.dec("vat_rate", rate), Net: w.p.dec("net", net), VAT: w.p.dec("vat", vat), Gross: w.p.dec("gross", gross)})
		}
	}
	vrows.Close()
	prows, err := r.DB.QueryContext(ctx, `SELECT session_id, payment_code, amount FROM session_payment_totals WHERE session_id IN (`+placeholders(len(ids))+`) ORDER BY session_id, payment_code`, anys(ids)...)
	if err != nil {
		return nil, fmt.Errorf("read Z payment totals: %w", err)
	}
	for prows.Next() {
		var sid int64
		var code, amount ns
		if err := prows.Scan(&sid, &code, &amount); err != nil {
			prows.Close()
			return nil, err
		}
		if w := byID[fmt.Sprint(sid)]; w != nil {
			w.dc.Payments = append(w.dc.Payments, domain.Payment{Code: code.String, Amount: w.p.dec("amount", amount)})
		}
	}
	prows.Close()
	out := make([]outbox.Captured, 0, len(ids))
	for _, id := range ids {
		w := byID[id]
		if w == nil {
			continue
		}
		c := outbox.Captured{Kind: protocol.KindDayClose, SourceID: id, ClosedAt: w.closedAt}
		var err error
		if len(w.p) > 0 {
			c.DecodeError = "day close " + id + ": " + strings.Join(w.p, "; ")
			c.Data, err = json.Marshal(w.raw)
		} else {
			c.Data, err = json.Marshal(&w.dc)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}
