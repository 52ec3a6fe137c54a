package capture

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/agent/outbox"
	"tiltas/agent/profile"
	"tiltas/shared/domain"
	"tiltas/shared/protocol"
)

// ns is a nullable column; problems collects what is wrong with a row.
type ns = sql.NullString

type problems []string

// num is a decimal column read through the profile's conversions (amounts = "double": its
// shortest decimal text); money is also rounded to the cent when the POS keeps doubles.
func (p *problems) num(c *profile.Conversions, what string, v ns, money bool) decimal.Decimal {
	if !v.Valid {
		*p = append(*p, what+" is NULL")
		return decimal.Zero
	}
	read := c.Number
	if money {
		read = c.Money
	}
	d, err := read(v.String)
	if err != nil {
		*p = append(*p, fmt.Sprintf("%s %q is not a number", what, v.String))
		return decimal.Zero
	}
	return d
}

// rate is a vat_rate column in percent, through conversions.rates and conversions.tax_rates.
func (p *problems) rate(c *profile.Conversions, what string, v ns) decimal.Decimal {
	if !v.Valid {
		*p = append(*p, what+" is NULL")
		return decimal.Zero
	}
	r, ok := c.TaxRate(v.String)
	if !ok {
		if len(c.TaxRates) > 0 {
			*p = append(*p, fmt.Sprintf("%s %q is not in the profile's conversions.tax_rates", what, v.String))
		} else {
			*p = append(*p, fmt.Sprintf("%s %q is not a number", what, v.String))
		}
	}
	return r
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
	cv := &pr.Conversions
	money := func(p *problems, what string, v ns) decimal.Decimal { return p.num(cv, what, v, true) }
	byID := map[string]*row{}
	given := map[string]bool{}
	for _, c := range []string{"total", "vat_total", "rounding"} {
		given[c] = pr.Receipts.Rows.Index(c) >= 0
	}
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
		if given["total"] {
			rc.Total = money(&w.p, "total", total)
		}
		if given["vat_total"] {
			rc.VAT = money(&w.p, "vat_total", vat)
		}
		if rounding.Valid {
			rc.Rounding = money(&w.p, "rounding", rounding)
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
			Quantity: w.p.num(cv, at+"quantity", qty, false), UnitPrice: w.p.num(cv, at+"unit_price", price, false), VATRate: w.p.rate(cv, at+"vat_rate", rate)}
		if disc.Valid {
			l.Discount = w.p.num(cv, at+"discount", disc, cv.Prices == profile.VATInclusive)
		}
		if cv.Prices == profile.VATExclusive {
			// Net prices: the gross unit price and discount are the net ones times (1 + rate),
			// exactly; the line's total is rounded once, as the POS prints the line.
			f := decimal.NewFromInt(1).Add(l.VATRate.Shift(-2))
			l.UnitPrice, l.Discount = l.UnitPrice.Mul(f), l.Discount.Mul(f)
		}
		if lines.q.Index("line_total") >= 0 {
			l.Total = money(&w.p, at+"line_total", total)
		} else {
			l.Total = l.Quantity.Mul(l.UnitPrice).Sub(l.Discount).Round(2)
		}
		if lines.q.Index("vat_amount") >= 0 {
			l.VAT = money(&w.p, at+"vat_amount", vat)
		} else {
			l.VAT = domain.LineVAT(l.Total, l.VATRate)
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
		w.rc.Payments = append(w.rc.Payments, domain.Payment{Code: r.payment(&w.p, at+"payment_code", code), Amount: money(&w.p, at+"amount", amount)})
		w.raw[fmt.Sprintf("payment_%d", n)] = []string{code.String, amount.String}
		return nil
	}); err != nil {
		return nil, err
	}
	if q := pr.Receipts.Taxes; q != nil {
		if err := Each(ctx, r.db(), q, map[string]any{"ids": ids}, func(taxes *Rows) error {
			w := byID[taxes.Str("receipt_id").String]
			if w == nil {
				return nil
			}
			rate, net, vat := taxes.Str("vat_rate"), taxes.Str("net"), taxes.Str("vat")
			t := domain.VATTotal{Rate: w.p.rate(cv, "tax vat_rate", rate), Net: money(&w.p, "tax net", net), VAT: money(&w.p, "tax vat", vat)}
			t.Gross = t.Net.Add(t.VAT)
			w.rc.Taxes = append(w.rc.Taxes, t)
			w.raw["tax_"+rate.String] = []string{rate.String, net.String, vat.String}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	out := make([]outbox.Captured, 0, len(ids))
	for _, id := range ids {
		w := byID[id]
		if w == nil {
			continue // gone since the scan: a closed receipt is never deleted, so this is a POS repair
		}
		if pr.Receipts.Taxes != nil && len(w.rc.Taxes) == 0 && len(w.rc.Lines) > 0 {
			w.p = append(w.p, "receipts.taxes returned no tax for it: the POS recorded no VAT for this receipt")
		}
		w.rc.Taxes = mergeRates(w.rc.Taxes)
		fillTotals(&w.rc, &w.p, given["total"], given["vat_total"], given["rounding"])
		c, err := captured(protocol.KindReceipt, "receipt", id, w.closedAt, w.p, w.raw, &w.rc)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// mergeRates sums the taxes of one rate (two POS tax ids at the same rate), in first order.
func mergeRates(ts []domain.VATTotal) []domain.VATTotal {
	var out []domain.VATTotal
	at := map[string]int{}
	for _, t := range ts {
		if i, ok := at[t.Rate.String()]; ok {
			out[i].Net, out[i].VAT, out[i].Gross = out[i].Net.Add(t.Net), out[i].VAT.Add(t.VAT), out[i].Gross.Add(t.Gross)
			continue
		}
		at[t.Rate.String()] = len(out)
		out = append(out, t)
	}
	return out
}

// fillTotals gives a receipt the total and VAT its POS does not keep. The VAT is the sum of
// its taxes (VAT per rate) or of its lines. The total is the lines' (or taxes') gross plus the
// rounding column, when the profile returns one; without one it is what was paid, and the
// difference from the gross is the rounding of the conversion (each rate's net and VAT were
// rounded on their own, the payments once): at most a cent per rate, or the receipt does not
// add up and is rejected, naming the difference.
func fillTotals(rc *domain.Receipt, p *problems, haveTotal, haveVAT, haveRounding bool) {
	gross, vat := decimal.Zero, decimal.Zero
	rates := rc.Rates()
	for _, v := range rates {
		gross, vat = gross.Add(v.Gross), vat.Add(v.VAT)
	}
	if !haveVAT {
		rc.VAT = vat
	}
	if haveTotal {
		return
	}
	if haveRounding {
		rc.Total = gross.Add(rc.Rounding)
		return
	}
	paid := decimal.Zero
	for _, pm := range rc.Payments {
		paid = paid.Add(pm.Amount)
	}
	rc.Total, rc.Rounding = paid, paid.Sub(gross)
	if allowed := decimal.New(int64(len(rates)), -2); rc.Rounding.Abs().GreaterThan(allowed) {
		*p = append(*p, fmt.Sprintf("it does not add up: payments %s, but its %s come to %s, a difference of %s (at most %s, a cent per VAT rate, is rounding)",
			paid, map[bool]string{true: "taxes", false: "lines"}[len(rc.Taxes) > 0], gross, rc.Rounding, allowed))
	}
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
		count    *int             // receipts_count as the POS keeps it, when it does
		total    *decimal.Decimal // total as the POS keeps it, when it does
	}
	pr := r.profile()
	cv := &pr.Conversions
	money := func(p *problems, what string, v ns) decimal.Decimal { return p.num(cv, what, v, true) }
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
		if rows.q.Index("receipts_count") >= 0 {
			n := int(w.p.num(cv, "receipts_count", count, false).IntPart())
			w.count, d.ReceiptsCount = &n, n
		}
		if rows.q.Index("total") >= 0 {
			t := money(&w.p, "total", total)
			w.total, d.Total = &t, t
		}
		if rounding.Valid {
			d.Rounding = money(&w.p, "rounding", rounding)
		}
		byID[d.SourceID] = w
		return nil
	}); err != nil {
		return nil, err
	}
	if q := pr.DayCloses.VATTotals; q != nil {
		if err := Each(ctx, r.db(), q, map[string]any{"ids": ids}, func(vrows *Rows) error {
			if w := byID[vrows.Str("session_id").String]; w != nil {
				w.dc.VAT = append(w.dc.VAT, domain.VATTotal{Rate: w.p.rate(cv, "vat_rate", vrows.Str("vat_rate")), Net: money(&w.p, "net", vrows.Str("net")),
					VAT: money(&w.p, "vat", vrows.Str("vat")), Gross: money(&w.p, "gross", vrows.Str("gross"))})
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	if q := pr.DayCloses.PaymentTotals; q != nil {
		if err := Each(ctx, r.db(), q, map[string]any{"ids": ids}, func(prows *Rows) error {
			if w := byID[prows.Str("session_id").String]; w != nil {
				w.dc.Payments = append(w.dc.Payments, domain.Payment{Code: r.payment(&w.p, "payment_code", prows.Str("payment_code")), Amount: money(&w.p, "amount", prows.Str("amount"))})
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	if q := pr.DayCloses.Receipts; q != nil {
		sessions, seen := map[string][]string{}, map[string]bool{}
		if err := Each(ctx, r.db(), q, map[string]any{"ids": ids}, func(rows *Rows) error {
			sid, rid := rows.Str("session_id").String, rows.Str("receipt_id").String
			if !seen[sid+"\x00"+rid] { // a receipt counts once, however often the query names it
				seen[sid+"\x00"+rid] = true
				sessions[sid] = append(sessions[sid], rid)
			}
			return nil
		}); err != nil {
			return nil, err
		}
		for id, w := range byID {
			if err := r.computeTotals(ctx, &w.dc, &w.p, sessions[id]); err != nil {
				return nil, err
			}
			if w.count != nil && *w.count != w.dc.ReceiptsCount {
				w.p = append(w.p, fmt.Sprintf("the POS counts %d receipts, but %d were read for this session", *w.count, w.dc.ReceiptsCount))
			}
			if w.total != nil && !w.total.Equal(w.dc.Total) {
				w.p = append(w.p, fmt.Sprintf("the POS keeps a total of %s, but the session's receipts add up to %s: difference %s", w.total, w.dc.Total, w.total.Sub(w.dc.Total)))
			}
		}
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

// computeTotals makes the Z totals of a POS that keeps none (day_closes.totals = "computed")
// from the session's receipts, read exactly as they are shipped: per VAT rate (the taxes the
// POS recorded, or the lines), per payment code, the rounding, the total and the count. A
// receipt that cannot be read or would be rejected makes the day close rejected too, naming
// it: a Z computed without it would be wrong.
func (r *Reader) computeTotals(ctx context.Context, d *domain.DayClose, p *problems, receiptIDs []string) error {
	d.Computed = true
	d.VAT, d.Payments, d.Total, d.Rounding, d.ReceiptsCount = nil, nil, decimal.Zero, decimal.Zero, 0
	rates, pays := map[string]int{}, map[string]int{}
	batch := r.Batch
	if batch <= 0 {
		batch = 500
	}
	for start := 0; start < len(receiptIDs); start += batch {
		part := receiptIDs[start:min(start+batch, len(receiptIDs))]
		caps, err := r.receipts(ctx, part)
		if err != nil {
			return err
		}
		if len(caps) < len(part) {
			*p = append(*p, fmt.Sprintf("its totals are computed from its receipts, and %d of those day_closes.receipts names are not returned by receipts.rows: make the two queries select the same receipts", len(part)-len(caps)))
		}
		for _, c := range caps {
			if c.DecodeError != "" {
				*p = append(*p, "its totals are computed from its receipts, and "+c.DecodeError)
				continue
			}
			var rc domain.Receipt
			if err := json.Unmarshal(c.Data, &rc); err != nil {
				return fmt.Errorf("receipt %s as captured: %w", c.SourceID, err)
			}
			if err := rc.Validate(); err != nil {
				*p = append(*p, fmt.Sprintf("its totals are computed from its receipts, and receipt %s (%s) is rejected: %v", rc.Number, rc.SourceID, err))
				continue
			}
			d.ReceiptsCount++
			d.Total, d.Rounding = d.Total.Add(rc.Total), d.Rounding.Add(rc.Rounding)
			for _, v := range rc.Rates() {
				i, ok := rates[v.Rate.String()]
				if !ok {
					i = len(d.VAT)
					rates[v.Rate.String()] = i
					d.VAT = append(d.VAT, domain.VATTotal{Rate: v.Rate})
				}
				t := &d.VAT[i]
				t.Net, t.VAT, t.Gross = t.Net.Add(v.Net), t.VAT.Add(v.VAT), t.Gross.Add(v.Gross)
			}
			for _, pm := range rc.Payments {
				i, ok := pays[pm.Code]
				if !ok {
					i = len(d.Payments)
					pays[pm.Code] = i
					d.Payments = append(d.Payments, domain.Payment{Code: pm.Code})
				}
				d.Payments[i].Amount = d.Payments[i].Amount.Add(pm.Amount)
			}
		}
	}
	// In a fixed order, so that the same session always gives the same day close.
	sort.Slice(d.VAT, func(i, j int) bool { return d.VAT[i].Rate.LessThan(d.VAT[j].Rate) })
	sort.Slice(d.Payments, func(i, j int) bool { return d.Payments[i].Code < d.Payments[j].Code })
	return nil
}
