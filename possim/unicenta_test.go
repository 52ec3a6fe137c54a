package possim

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"strings"
	"testing"

	"tiltas/internal/testdb"
)

// The worked examples of testdata/pos/unicenta/ticket-writes.md, (a) a sale and (b) a refund:
// the simulator computes taxlines and the total to the same doubles, bit for bit.
func TestUnicentaAmountsAsTheNotes(t *testing.T) {
	p1 := &uProduct{id: "P1", price: 0.8264462809917356, taxID: "T21", rate: 0.21}
	p2 := &uProduct{id: "P2", price: 2.293577981651376, taxID: "T9", rate: 0.09}
	for _, c := range []struct {
		name  string
		lines []uLine
		taxes []uTax
		total float64
	}{
		{"sale, two taxes", []uLine{{p1, 2, p1.price}, {p2, 1, p2.price}},
			[]uTax{{"T21", 0.21, 1.6528925619834711, 0.34710743801652894}, {"T9", 0.09, 2.293577981651376, 0.20642201834862384}}, 4.5},
		{"refund of one P1", []uLine{{p1, -1, p1.price}},
			[]uTax{{"T21", 0.21, -0.8264462809917356, -0.17355371900826447}}, -1.0},
	} {
		t.Run(c.name, func(t *testing.T) {
			tk := &uTicket{lines: c.lines}
			tk.computeTaxes()
			if len(tk.taxes) != len(c.taxes) {
				t.Fatalf("taxes %+v, want %+v", tk.taxes, c.taxes)
			}
			for i := range c.taxes {
				if tk.taxes[i] != c.taxes[i] {
					t.Errorf("taxline %d = %+v, want %+v", i, tk.taxes[i], c.taxes[i])
				}
			}
			if got := tk.total(); got != c.total {
				t.Errorf("total %v, want %v", got, c.total)
			}
		})
	}
}

// Every generated ticket's payments equal its total, with the codes and signs uniCenta writes.
func TestUnicentaGeneratedTickets(t *testing.T) {
	products := []uProduct{{id: "a", code: "1", price: 1.99 / 1.21, taxID: "T21", rate: 0.21},
		{id: "b", code: "3", price: 3.49 / 1.09, taxID: "T9", rate: 0.09}, {id: "c", code: "5", price: 12, taxID: "T0"}}
	rng := rand.New(rand.NewPCG(1, 2))
	var sales []uSoldRef
	codes := map[string]int{}
	for i := 0; i < 3000; i++ {
		tk := nextUnicentaTicket(rng, products, sales, []string{"c1"})
		sum, seen := 0.0, map[string]bool{}
		for _, p := range tk.payments {
			if seen[p.code] {
				t.Fatalf("ticket %d: two %s payments", i, p.code)
			}
			seen[p.code] = true
			codes[p.code]++
			sum += p.total
			if refund := strings.HasSuffix(p.code, "refund"); refund != (tk.typ == uRefund) || (p.total < 0) != refund {
				t.Fatalf("ticket %d (type %d): payment %+v", i, tk.typ, p)
			}
		}
		if d := sum - tk.total(); d > 1e-9 || d < -1e-9 {
			t.Fatalf("ticket %d: payments %v, total %v", i, sum, tk.total())
		}
		if tk.typ == uSale {
			sales = append(sales, uSoldRef{number: i, lines: tk.lines, card: seen["ccard"]})
		}
	}
	for _, c := range []string{"cash", "ccard", "voucherin", "cashrefund", "ccardrefund"} {
		if codes[c] == 0 {
			t.Errorf("no %s payment in 3000 tickets: %v", c, codes)
		}
	}
}

// After selling with refunds and day closes on three tills, twice (the second run finds the
// schema and the open sessions), the database holds what uniCenta would: checked with SQL
// against testdata/pos/unicenta/README.md and ticket-writes.md.
func TestUnicentaTicketsAsUnicentaWrites(t *testing.T) {
	ctx := context.Background()
	db, err := OpenDB(ctx, testdb.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	receipts, closes := 0, 0
	for _, o := range []Options{
		{Profile: ProfileUnicenta, Registers: 3, Receipts: 600, DayEvery: 70, CloseDay: true, Seed: 9},
		{Profile: ProfileUnicenta, Registers: 2, Receipts: 40, Seed: 10},
	} {
		st, err := Run(ctx, db, o, nil)
		if err != nil {
			t.Fatal(err)
		}
		if st.Receipts != o.Receipts {
			t.Fatalf("wrote %d receipts, want %d", st.Receipts, o.Receipts)
		}
		receipts, closes = receipts+st.Receipts, closes+st.DayCloses
	}
	count := func(q string) int {
		t.Helper()
		var n int
		if err := db.QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
		return n
	}
	if n := count(`SELECT COUNT(*) FROM tickets t JOIN receipts r ON r.id = t.id`); n != receipts {
		t.Fatalf("%d tickets with their receipt, want %d", n, receipts)
	}
	if n := count(`SELECT COUNT(*) FROM closedcash WHERE dateend IS NOT NULL`); n != closes {
		t.Fatalf("%d closed sessions, want %d day closes", n, closes)
	}

	// Each query counts the rows that break a rule; every count must be 0.
	for _, c := range []struct{ rule, sql string }{
		{"a taxline per tax of a ticket's lines, base = Σ units×price", `SELECT COUNT(*) FROM
			(SELECT ticket, taxid, SUM(units * price) s FROM ticketlines GROUP BY ticket, taxid) x
			LEFT JOIN taxlines tl ON tl.receipt = x.ticket AND tl.taxid = x.taxid
			WHERE tl.id IS NULL OR ABS(tl.base - x.s) > 1e-9`},
		{"no taxline without lines of its tax", `SELECT COUNT(*) FROM taxlines tl
			WHERE NOT EXISTS (SELECT 1 FROM ticketlines l WHERE l.ticket = tl.receipt AND l.taxid = tl.taxid)`},
		{"one taxline per tax per receipt", `SELECT COUNT(*) FROM
			(SELECT 1 FROM taxlines GROUP BY receipt, taxid HAVING COUNT(*) > 1) x`},
		{"taxline amount = base × rate", `SELECT COUNT(*) FROM taxlines tl JOIN taxes x ON x.id = tl.taxid
			WHERE ABS(tl.amount - tl.base * x.rate) > 1e-9`},
		{"a line's tax is its product's category's tax", `SELECT COUNT(*) FROM ticketlines l JOIN products p ON p.id = l.product
			JOIN taxes x ON x.id = l.taxid WHERE x.category <> p.taxcat`},
		{"payments = Σ line nets + Σ taxline amounts", `SELECT COUNT(*) FROM tickets t WHERE ABS(
			(SELECT COALESCE(SUM(total), 0) FROM payments WHERE receipt = t.id)
			- (SELECT COALESCE(SUM(units * price), 0) FROM ticketlines WHERE ticket = t.id)
			- (SELECT COALESCE(SUM(amount), 0) FROM taxlines WHERE receipt = t.id)) > 1e-9`},
		{"at most one payment row per code per receipt", `SELECT COUNT(*) FROM
			(SELECT 1 FROM payments GROUP BY receipt, payment HAVING COUNT(*) > 1) x`},
		{"sales: positive units, prices and payments, sale codes", `SELECT COUNT(*) FROM tickets t
			WHERE t.tickettype = 0 AND (
			EXISTS (SELECT 1 FROM ticketlines WHERE ticket = t.id AND (units <= 0 OR price <= 0)) OR
			EXISTS (SELECT 1 FROM payments WHERE receipt = t.id AND (total <= 0 OR payment NOT IN ('cash', 'ccard', 'voucherin'))) OR
			NOT EXISTS (SELECT 1 FROM ticketlines WHERE ticket = t.id))`},
		{"refunds: negative units, positive prices, negative taxlines and payments", `SELECT COUNT(*) FROM tickets t
			WHERE t.tickettype = 1 AND (
			EXISTS (SELECT 1 FROM ticketlines WHERE ticket = t.id AND (units >= 0 OR price <= 0)) OR
			EXISTS (SELECT 1 FROM taxlines WHERE receipt = t.id AND (base >= 0 OR amount > 0)) OR
			EXISTS (SELECT 1 FROM payments WHERE receipt = t.id AND (total >= 0 OR payment NOT IN ('cashrefund', 'ccardrefund'))))`},
		{"a refund's STATUS is its sale's number and the sale's STATUS the refund's", `SELECT COUNT(*) FROM tickets r
			LEFT JOIN tickets s ON s.tickettype = 0 AND s.ticketid = r.status
			WHERE r.tickettype = 1 AND (s.id IS NULL OR s.status <> r.ticketid)`},
		{"a sale marked refunded has that refund", `SELECT COUNT(*) FROM tickets s
			LEFT JOIN tickets r ON r.tickettype = 1 AND r.ticketid = s.status
			WHERE s.tickettype = 0 AND s.status <> 0 AND (r.id IS NULL OR r.status <> s.ticketid)`},
		{"refund lines copy the sale's lines with units negated", `SELECT COUNT(*) FROM tickets r
			JOIN ticketlines rl ON rl.ticket = r.id JOIN tickets s ON s.tickettype = 0 AND s.ticketid = r.status
			LEFT JOIN ticketlines sl ON sl.ticket = s.id AND sl.line = rl.line
			WHERE r.tickettype = 1 AND (sl.ticket IS NULL OR sl.product <> rl.product OR sl.price <> rl.price
			OR sl.taxid <> rl.taxid OR sl.units <> -rl.units)`},
		{"ticket numbers per type: each once, from 2 without gaps", `SELECT COUNT(*) FROM (SELECT 1 FROM tickets GROUP BY tickettype
			HAVING COUNT(DISTINCT ticketid) <> COUNT(*) OR MIN(ticketid) <> 2 OR MAX(ticketid) <> COUNT(*) + 1) x`},
		{"the sequence rows hold the last numbers issued", `SELECT
			((SELECT id FROM ticketsnum) <> (SELECT MAX(ticketid) FROM tickets WHERE tickettype = 0)) +
			((SELECT id FROM ticketsnum_refund) <> (SELECT COALESCE(MAX(ticketid), 1) FROM tickets WHERE tickettype = 1))`},
		{"a till's ticket numbers increase with time", `SELECT COUNT(*) FROM tickets a JOIN receipts ra ON ra.id = a.id
			JOIN closedcash ca ON ca.money = ra.money JOIN tickets b ON b.tickettype = a.tickettype AND b.ticketid > a.ticketid
			JOIN receipts rb ON rb.id = b.id JOIN closedcash cb ON cb.money = rb.money AND cb.host = ca.host
			WHERE rb.datenew < ra.datenew OR cb.hostsequence < ca.hostsequence`},
		{"every receipt in a session, inside its time", `SELECT COUNT(*) FROM receipts r LEFT JOIN closedcash c ON c.money = r.money
			WHERE c.money IS NULL OR r.datenew < c.datestart OR (c.dateend IS NOT NULL AND r.datenew > c.dateend)`},
		{"a host's sessions numbered from 2 without gaps, only the last open", `SELECT COUNT(*) FROM (SELECT 1 FROM closedcash GROUP BY host
			HAVING MIN(hostsequence) <> 2 OR MAX(hostsequence) <> COUNT(*) + 1
			OR SUM(dateend IS NULL) <> 1 OR MAX(CASE WHEN dateend IS NULL THEN hostsequence END) <> MAX(hostsequence)) x`},
		{"a closed session's successor starts when it ended", `SELECT COUNT(*) FROM closedcash a
			JOIN closedcash b ON b.host = a.host AND b.hostsequence = a.hostsequence + 1
			WHERE a.dateend IS NULL OR b.datestart <> a.dateend`},
		{"a 'Close Cash' drawer row per closed session", `SELECT (SELECT COUNT(*) FROM closedcash WHERE dateend IS NOT NULL)
			<> (SELECT COUNT(*) FROM draweropened WHERE ticketid = 'Close Cash')`},
		{"stock moved once per line: stockdiary and stockcurrent", `SELECT
			(SELECT COUNT(*) FROM ticketlines) <> (SELECT COUNT(*) FROM stockdiary) OR
			(SELECT COUNT(*) FROM (SELECT 1 FROM stockcurrent GROUP BY location, product HAVING COUNT(*) > 1) d) > 0 OR
			(SELECT COUNT(*) FROM stockcurrent sc WHERE ABS(sc.units + (SELECT SUM(units) FROM ticketlines WHERE product = sc.product)) > 1e-9) > 0`},
		{"vouchers redeemed: each exists and is marked used", `SELECT COUNT(*) FROM payments p LEFT JOIN vouchers v ON v.voucher_number = p.voucher
			WHERE p.payment = 'voucherin' AND (v.id IS NULL OR v.status <> 'D' OR v.amount <> p.total)`},
		{"the non-voucher rows carry voucher '0', cash its tendered amount", `SELECT COUNT(*) FROM payments
			WHERE (payment <> 'voucherin' AND voucher <> '0') OR (payment = 'cash' AND tendered < total)
			OR (payment <> 'cash' AND tendered <> 0) OR cardname IS NOT NULL`},
	} {
		t.Run(c.rule, func(t *testing.T) {
			if n := count(c.sql); n != 0 {
				t.Errorf("%d rows break it", n)
			}
		})
	}

	// What the mix must have produced, so the rules above were tested on it.
	for _, c := range []struct{ what, sql string }{
		{"refunds", `SELECT COUNT(*) FROM tickets WHERE tickettype = 1`},
		{"refunds to a card", `SELECT COUNT(*) FROM payments WHERE payment = 'ccardrefund'`},
		{"refunds in cash", `SELECT COUNT(*) FROM payments WHERE payment = 'cashrefund'`},
		{"refunds in a later session than their sale", `SELECT COUNT(*) FROM tickets r JOIN receipts rr ON rr.id = r.id
			JOIN tickets s ON s.tickettype = 0 AND s.ticketid = r.status JOIN receipts rs ON rs.id = s.id WHERE rr.money <> rs.money`},
		{"tickets with several taxes", `SELECT COUNT(*) FROM (SELECT 1 FROM taxlines GROUP BY receipt HAVING COUNT(*) > 1) x`},
		{"tickets with cash then card", `SELECT COUNT(*) FROM payments a JOIN payments b ON b.receipt = a.receipt
			WHERE a.payment = 'cash' AND b.payment = 'ccard'`},
		{"tickets with a voucher then card", `SELECT COUNT(*) FROM payments a JOIN payments b ON b.receipt = a.receipt
			WHERE a.payment = 'voucherin' AND b.payment = 'ccard'`},
		{"tickets at 0 %", `SELECT COUNT(*) FROM taxlines WHERE taxid = 'T0'`},
		{"tickets to a customer", `SELECT COUNT(*) FROM tickets WHERE customer IS NOT NULL`},
	} {
		if n := count(c.sql); n == 0 {
			t.Errorf("no %s in %d tickets", c.what, receipts)
		}
	}

	// A sample ticket, as the report quotes it.
	if testing.Verbose() {
		logSample(t, db)
	}
}

func logSample(t *testing.T, db *sql.DB) {
	var id string
	if err := db.QueryRow(`SELECT t.id FROM tickets t WHERE t.tickettype = 0 AND t.status <> 0 AND
		(SELECT COUNT(*) FROM taxlines WHERE receipt = t.id) > 1 AND (SELECT COUNT(*) FROM payments WHERE receipt = t.id) > 1
		ORDER BY t.ticketid LIMIT 1`).Scan(&id); err != nil {
		t.Logf("no sample: %v", err)
		return
	}
	for _, q := range []string{
		`SELECT CONCAT_WS(' | ', r.money, r.datenew, t.tickettype, t.ticketid, t.person, COALESCE(t.customer, 'NULL'), t.status) FROM receipts r JOIN tickets t ON t.id = r.id WHERE r.id = ?`,
		`SELECT CONCAT_WS(' | ', line, product, units, price, taxid) FROM ticketlines WHERE ticket = ? ORDER BY line`,
		`SELECT CONCAT_WS(' | ', taxid, base, amount) FROM taxlines WHERE receipt = ?`,
		`SELECT CONCAT_WS(' | ', payment, total, COALESCE(transid, 'NULL'), tendered, voucher) FROM payments WHERE receipt = ?`,
		`SELECT CONCAT_WS(' | ', r.money, r.datenew, t.tickettype, t.ticketid, t.status) FROM tickets s JOIN tickets t ON t.tickettype = 1 AND t.ticketid = s.status JOIN receipts r ON r.id = t.id WHERE s.id = ?`,
	} {
		rows, err := db.Query(q, id)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			t.Log(s)
		}
		rows.Close()
	}
}
