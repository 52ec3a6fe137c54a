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

// payment is a payment code converted by the profile's conversions.payment_codes.
func (r *Reader) payment(p *problems, what string, v ns) string {
	code, ok := r.profile().Conversions.PaymentCode(v.String)
	if !ok {
		*p = append(*p, fmt.Sprintf("%s %q is not in the profile's conversions.payment_codes", what, v.String))
	}
	return code
}

func (r *Reader) receipts(ctx context.Context, ids []string) ([]outbox.Captured, error) {
	type row struct {
		rc       domain.Receipt
		p        problems
		raw      map[string]any
		closedAt time.Time
	}
	pr := r.profile()
	byID := map[string]*row{}
	if err := Each(ctx, r.db(), &pr.Receipts.Rows, map[string]any{"ids": ids}, func(rows *Rows) error {
		number, typ, total, vat, rounding := rows.Str("number"), rows.Str("type"), rows.Str("total"), rows.Str("vat_total"), rows.Str("rounding")
		opened, closed := rows.Time("opened_at"), rows.Time("closed_at")
		reg := rows.Str("register").String
		w := &row{raw: map[string]any{"id": rows.Raw("id"), "register": reg, "number": number.String, "type": typ.String, "total": total.String, "vat_total": vat.String, "rounding": rounding.String}}
		rc := &w.rc
		rc.SourceID, rc.Register, rc.SessionID = rows.Str("id").String, reg, w.p.str("session_id", rows.Str("session_id"))
		rc.Number = w.p.str("number", number)
		rc.Type = domain.ReceiptType(typ.String)
		rc.OpenedAt, rc.ClosedAt = opened.Time.UTC(), closed.Time.UTC()
		w.closedAt = closed.Time
		if !opened.Valid {
			w.p = append(w.p, "opened_at is NULL")
		}
		if !closed.Valid {
			w.p = append(w.p, "status is closed but closed_at is NULL")
		}
		rc.Cashier = rows.Str("cashier").String
		bc, bv, bn, ba := rows.Str("buyer_code"), rows.Str("buyer_vat_code"), rows.Str("buyer_name"), rows.Str("buyer_address")
		if bc.Valid || bn.Valid {
			rc.Buyer = &domain.Buyer{Code: bc.String, VATCode: bv.String, Name: bn.String, Address: ba.String}
		}
		rc.OriginalSourceID = rows.Str("original_receipt_id").String
		rc.Total = w.p.dec("total", total)
		rc.VAT = w.p.dec("vat_total", vat)
		if rounding.Valid {
			rc.Rounding = w.p.dec("rounding", rounding)
		}
		byID[rc.SourceID] = w
		return nil
	}); err != nil {
		return nil, err
	}
	if err := Each(ctx, r.db(), &pr.Receipts.Lines, map[string]any{"ids": ids}, func(lines *Rows) error {
		w := byID[lines.Str("receipt_id").String]
		if w == nil {
			return nil
		}
		n, ok := lines.Int("line_no")
		no := int(n)
		if !ok {
			w.p = append(w.p, fmt.Sprintf("a line's line_no %q is not a number", lines.Str("line_no").String))
		}
		barcode, name, unit, qty, price, disc := lines.Str("barcode"), lines.Str("name"), lines.Str("unit"), lines.Str("quantity"), lines.Str("unit_price"), lines.Str("discount")
		rate, total, vat := lines.Str("vat_rate"), lines.Str("line_total"), lines.Str("vat_amount")
		at := fmt.Sprintf("line %d ", no)
		l := domain.Line{No: no, Barcode: w.p.str(at+"barcode", barcode), Name: name.String, Unit: unit.String,
			Quantity: w.p.dec(at+"quantity", qty), UnitPrice: w.p.dec(at+"unit_price", price), VATRate: w.p.dec(at+"vat_rate", rate),
			Total: w.p.dec(at+"line_total", total), VAT: w.p.dec(at+"vat_amount", vat)}
		if disc.Valid {
			l.Discount = w.p.dec(at+"discount", disc)
		}
		w.rc.Lines = append(w.rc.Lines, l)
		w.raw[fmt.Sprintf("line_%d", no)] = []string{barcode.String, name.String, qty.String, price.String, disc.String, rate.String, total.String, vat.String}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := Each(ctx, r.db(), &pr.Receipts.Payments, map[string]any{"ids": ids}, func(pays *Rows) error {
		w := byID[pays.Str("receipt_id").String]
		if w == nil {
			return nil
		}
		n, ok := pays.Int("line_no")
		if !ok {
			w.p = append(w.p, fmt.Sprintf("a payment's line_no %q is not a number", pays.Str("line_no").String))
		}
		code, amount := pays.Str("payment_code"), pays.Str("amount")
		at := fmt.Sprintf("payment %d ", n)
		w.p.str(at+"payment_code", code)
		w.rc.Payments = append(w.rc.Payments, domain.Payment{Code: r.payment(&w.p, at+"payment_code", code), Amount: w.p.dec(at+"amount", amount)})
		w.raw[fmt.Sprintf("payment_%d", n)] = []string{code.String, amount.String}
		return nil
	}); err != nil {
		return nil, err
	}
	out := make([]outbox.Captured, 0, len(ids))
	for _, id := range ids {
		w := byID[id]
		if w == nil {
			continue // gone since the scan: a closed receipt is never deleted, so this is a POS repair
		}
		c, err := captured(protocol.KindReceipt, "receipt", id, w.closedAt, w.p, w.raw, &w.rc)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// captured is the outbox item for a row: the decoded value, or the raw row and its problems.
func captured(kind, what, id string, closedAt time.Time, p problems, raw map[string]any, v any) (outbox.Captured, error) {
	c := outbox.Captured{Kind: kind, SourceID: id, ClosedAt: closedAt}
	var err error
	if len(p) > 0 {
		c.DecodeError = what + " " + id + ": " + strings.Join(p, "; ")
		c.Data, err = json.Marshal(raw)
	} else {
		c.Data, err = json.Marshal(v)
	}
	return c, err
}

func (r *Reader) dayCloses(ctx context.Context, ids []string) ([]outbox.Captured, error) {
	type row struct {
		dc       domain.DayClose
		p        problems
		raw      map[string]any
		closedAt time.Time
	}
	pr := r.profile()
	byID := map[string]*row{}
	if err := Each(ctx, r.db(), &pr.DayCloses.Rows, map[string]any{"ids": ids}, func(rows *Rows) error {
		reg, z, count, total, rounding := rows.Str("register").String, rows.Str("z_number"), rows.Str("receipts_count"), rows.Str("total"), rows.Str("rounding")
		opened, closed := rows.Time("opened_at"), rows.Time("closed_at")
		w := &row{raw: map[string]any{"id": rows.Raw("id"), "register": reg, "z_number": z.String, "receipts_count": count.String, "total": total.String}, closedAt: closed.Time}
		d := &w.dc
		d.SourceID, d.Register, d.ZNumber = rows.Str("id").String, reg, w.p.str("z_number", z)
		d.OpenedAt, d.ClosedAt = opened.Time.UTC(), closed.Time.UTC()
		if !opened.Valid {
			w.p = append(w.p, "opened_at is NULL")
		}
		if !closed.Valid {
			w.p = append(w.p, "status is closed but closed_at is NULL")
		}
		d.ReceiptsCount = int(w.p.dec("receipts_count", count).IntPart())
		d.Total = w.p.dec("total", total)
		if rounding.Valid {
			d.Rounding = w.p.dec("rounding", rounding)
		}
		byID[d.SourceID] = w
		return nil
	}); err != nil {
		return nil, err
	}
	if err := Each(ctx, r.db(), &pr.DayCloses.VATTotals, map[string]any{"ids": ids}, func(vrows *Rows) error {
		if w := byID[vrows.Str("session_id").String]; w != nil {
			w.dc.VAT = append(w.dc.VAT, domain.VATTotal{Rate: w.p.dec("vat_rate", vrows.Str("vat_rate")), Net: w.p.dec("net", vrows.Str("net")),
				VAT: w.p.dec("vat", vrows.Str("vat")), Gross: w.p.dec("gross", vrows.Str("gross"))})
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := Each(ctx, r.db(), &pr.DayCloses.PaymentTotals, map[string]any{"ids": ids}, func(prows *Rows) error {
		if w := byID[prows.Str("session_id").String]; w != nil {
			w.dc.Payments = append(w.dc.Payments, domain.Payment{Code: r.payment(&w.p, "payment_code", prows.Str("payment_code")), Amount: w.p.dec("amount", prows.Str("amount"))})
		}
		return nil
	}); err != nil {
		return nil, err
	}
	out := make([]outbox.Captured, 0, len(ids))
	for _, id := range ids {
		w := byID[id]
		if w == nil {
			continue
		}
		c, err := captured(protocol.KindDayClose, "day close", id, w.closedAt, w.p, w.raw, &w.dc)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}
