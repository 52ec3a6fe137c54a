package possim

import (
	"context"
	"database/sql"
	"fmt"
)

// save writes one ticket in one transaction, statement for statement as
// DataLogicSales.saveTicket (DataLogicSales.java:1590-1772; ticket-writes.md (a) and (b)).
func (t *till) save(ctx context.Context, tk *uTicket) error {
	for i, p := range tk.payments {
		if p.code == "voucherin" { // a voucher the shop issued earlier, now redeemed
			tk.payments[i].voucher = "V-" + newUUID()[24:] // 12 random hex digits
			if _, err := t.db.ExecContext(ctx, `INSERT INTO vouchers (id, voucher_number, customer, amount, status) VALUES (?, ?, NULL, ?, 'A')`,
				newUUID(), tk.payments[i].voucher, p.total); err != nil {
				return fmt.Errorf("issue voucher: %w", err)
			}
		}
	}
	now := javaNow() // JPanelTicket.java:1731: setDate(new Date()) just before saving
	id := newUUID()
	var number int
	err := retryTx(ctx, t.db, func(tx *sql.Tx) error {
		seqTable := "ticketsnum"
		if tk.typ == uRefund {
			seqTable = "ticketsnum_refund"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE `+seqTable+` SET ID = LAST_INSERT_ID(ID + 1)`); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT LAST_INSERT_ID()`).Scan(&number); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO receipts (ID, MONEY, DATENEW, ATTRIBUTES, PERSON) VALUES (?, ?, ?, ?, ?)`,
			id, t.money, now, propertiesXML(), nil); err != nil {
			return err
		}
		status := 0
		if tk.refunds != nil {
			status = tk.refunds.number // a refund's STATUS is the sale's TICKETID
		}
		var cust any
		if tk.customer != "" {
			cust = tk.customer
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO tickets (ID, TICKETTYPE, TICKETID, PERSON, CUSTOMER, STATUS) VALUES (?, ?, ?, ?, ?, ?)`,
			id, tk.typ, number, t.person, cust, status); err != nil {
			return err
		}
		// Always run: for a refund it marks the sale refunded (its STATUS = the refund's number);
		// for a sale it matches no row (TICKETID = 0).
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET STATUS = ? WHERE TICKETTYPE = 0 AND TICKETID = ?`, number, status); err != nil {
			return err
		}
		for i, l := range tk.lines {
			p := l.product
			if _, err := tx.ExecContext(ctx, `INSERT INTO ticketlines (TICKET, LINE, PRODUCT, ATTRIBUTESETINSTANCE_ID, UNITS, PRICE, TAXID, ATTRIBUTES) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				id, i, p.id, nil, l.units, l.price, p.taxID, propertiesXML("product.name", p.name, "product.reference", p.reference,
					"product.code", p.code, "product.service", "false", "product.taxcategoryid", p.taxcat, "product.categoryid", p.category)); err != nil {
				return err
			}
			if err := moveStock(ctx, tx, p, l, now, t.personName); err != nil {
				return err
			}
		}
		for _, p := range tk.payments { // at most one row per code (Payments.java folds by name)
			voucher := p.voucher
			if voucher == "" {
				voucher = "0"
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO payments (ID, RECEIPT, PAYMENT, TOTAL, TRANSID, RETURNMSG, TENDERED, CARDNAME, VOUCHER) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				newUUID(), id, p.code, p.total, tk.transID, tk.retMsg, p.tendered, nil, voucher); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE vouchers SET STATUS = 'D' WHERE VOUCHER_NUMBER = ?`, voucher); err != nil {
				return err
			}
		}
		for _, x := range tk.taxes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO taxlines (ID, RECEIPT, TAXID, BASE, AMOUNT)  VALUES (?, ?, ?, ?, ?)`,
				newUUID(), id, x.id, x.base, x.amount); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save ticket: %w", err)
	}
	switch {
	case tk.refunds != nil: // a sale is refunded once: its STATUS is no longer 0
		for i := range t.sales {
			if t.sales[i].number == tk.refunds.number {
				t.sales = append(t.sales[:i], t.sales[i+1:]...)
				break
			}
		}
	default:
		card := false
		for _, p := range tk.payments {
			card = card || p.code == "ccard"
		}
		t.sales = append(t.sales, uSoldRef{number: number, lines: tk.lines, card: card, transID: tk.transID, cust: tk.customer})
		if len(t.sales) > 50 {
			t.sales = t.sales[1:]
		}
	}
	return nil
}

// moveStock is saveTicket's stock movement for a line of a product that is not a service
// (DataLogicSales.java:1681-1693, 2146-2180, 2256-2299): the bundle lookup, stockcurrent
// updated or, the first time, inserted, and a stockdiary row (reason -1 sale, +2 refund).
func moveStock(ctx context.Context, tx *sql.Tx, p *uProduct, l uLine, now, user string) error {
	rows, err := tx.QueryContext(ctx, `SELECT ID, PRODUCT, PRODUCT_BUNDLE, QUANTITY FROM products_bundle WHERE PRODUCT = ?`, p.id)
	if err != nil {
		return err
	}
	rows.Close() // the simulator's products are no bundles
	res, err := tx.ExecContext(ctx, `UPDATE stockcurrent SET UNITS = (UNITS + ?) WHERE LOCATION = ? AND PRODUCT = ? AND ATTRIBUTESETINSTANCE_ID IS NULL`,
		-l.units, unicentaLocation, p.id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO stockcurrent (LOCATION, PRODUCT, ATTRIBUTESETINSTANCE_ID, UNITS) VALUES (?, ?, ?, ?)`,
			unicentaLocation, p.id, nil, -l.units); err != nil {
			return err
		}
	}
	reason := -1 // MovementReason.OUT_SALE
	if l.units < 0 {
		reason = 2 // IN_REFUND
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO stockdiary (ID, DATENEW, REASON, LOCATION, PRODUCT, ATTRIBUTESETINSTANCE_ID, UNITS, PRICE, AppUser) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		newUUID(), now, reason, unicentaLocation, p.id, nil, -l.units, l.price, user)
	return err
}
