package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"tiltas/cloud/db"
	"tiltas/internal/dbtest"
	"tiltas/possim"
	"tiltas/shared/protocol"
)

// Bad rows in the POS (NULL, negative, garbage) are each rejected with a clear reason; the
// good receipts around them all arrive, and nothing is retried forever.
func TestBadPOSRowsAreRejectedOthersFlow(t *testing.T) {
	e := newEnv(t, "sqlite")
	e.cloudInProcess()
	e.sell(context.Background(), possim.Options{Registers: 1, Receipts: 100, Seed: 5})
	// Damage copies of real receipts, the way a broken back-office import would.
	damage := []damageCase{
		{"null quantity", `UPDATE receipt_lines SET quantity = NULL WHERE receipt_id = ? AND line_no = 1`, "line 1 quantity is NULL", protocol.CodeMalformed},
		{"negative price", `UPDATE receipt_lines SET unit_price = -unit_price WHERE receipt_id = ? AND line_no = 1`, "unit price", protocol.CodeInvalid},
		{"total off", `UPDATE receipts SET total = total + 1 WHERE id = ?`, "is not the sum of lines", protocol.CodeInvalid},
		{"no closing time", `UPDATE receipts SET closed_at = NULL WHERE id = ?`, "closed_at is NULL", protocol.CodeMalformed},
		{"garbage number", `UPDATE receipts SET number = NULL WHERE id = ?`, "number is NULL", protocol.CodeMalformed},
	}
	ids := map[string]string{}
	for i, d := range damage {
		id := copyReceipt(t, e, int64(10+i))
		if _, err := e.pos.Exec(d.sql, id); err != nil {
			t.Fatalf("%s: %v", d.name, err)
		}
		ids[d.name] = id
	}
	e.sell(context.Background(), possim.Options{Registers: 1, Receipts: 100, Seed: 6}) // no Z: it would include the damaged totals and be rejected too
	e.agentProc()

	st, err := db.Open(context.Background(), e.cloudURL, dbtest.Options())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	checkRejected(t, st, e.who.TenantID, damage, ids, len(damage), "receipt")
	// Every good receipt arrived; the damaged ones are the only difference.
	want := e.posSnapshot()
	for _, id := range ids {
		delete(want.receipts, id)
	}
	got := e.cloudSnapshot()
	if diff := diffMaps(want.receipts, got.receipts); diff != "" {
		t.Fatalf("good receipts did not all arrive:\n%s", diff)
	}
	if len(got.receipts) != 200 {
		t.Fatalf("cloud holds %d good receipts, want 200", len(got.receipts))
	}
	// Rejections are final: after more polls nothing is re-sent or re-rejected.
	time.Sleep(1500 * time.Millisecond)
	if again, _ := st.Rejected(context.Background(), e.who.TenantID, 0, 0); len(again) != len(damage) {
		for _, r := range again {
			t.Logf("rejected %s seq %d: %s", r.SourceID, r.Seq, r.Message)
		}
		t.Fatalf("rejections grew from %d to %d: quarantined items are being retried", len(damage), len(again))
	}
}

// damageCase is a copy of a good POS row damaged by sql, and the rejection it must bring.
type damageCase struct {
	name, sql string
	want      string // in the rejection's message
	code      string // the rejection's code
}

// checkRejected waits (up to a minute) until the cloud holds at least n rejections, then checks
// that each damaged row (ids: damage name → source id; what names it in messages) was rejected
// with its code and message. It returns the rejections.
func checkRejected(t *testing.T, st *db.DB, tenantID int64, damage []damageCase, ids map[string]string, n int, what string) []db.RejectedItem {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	var rej []db.RejectedItem
	for time.Now().Before(deadline) {
		if rej, _ = st.Rejected(context.Background(), tenantID, 0, 0); len(rej) >= n {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	bySource := map[string]db.RejectedItem{}
	for _, r := range rej {
		bySource[r.SourceID] = r
	}
	for _, d := range damage {
		r, ok := bySource[ids[d.name]]
		if !ok {
			t.Errorf("%s (%s %s) was not rejected; rejections: %+v", d.name, what, ids[d.name], rej)
			continue
		}
		if r.Code != d.code || !strings.Contains(r.Message, d.want) {
			t.Errorf("%s: got %s %q, want %s containing %q", d.name, r.Code, r.Message, d.code, d.want)
		}
	}
	return rej
}

// copyReceipt duplicates a closed receipt (lines and payments) as a new closed receipt and
// returns its id.
func copyReceipt(t *testing.T, e *env, from int64) string {
	t.Helper()
	tx, err := e.pos.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	res, err := tx.Exec(`INSERT INTO receipts (register_id, session_id, number, type, status, opened_at, closed_at, cashier, total, vat_total, rounding)
		SELECT register_id, session_id, CONCAT(number, '-X'), type, 'closed', opened_at, NOW(3), cashier, total, vat_total, rounding FROM receipts WHERE id = ?`, from)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	if _, err := tx.Exec(`INSERT INTO receipt_lines SELECT ?, line_no, barcode, name, unit, quantity, unit_price, discount, vat_rate, line_total, vat_amount FROM receipt_lines WHERE receipt_id = ?`, id, from); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO payments SELECT ?, line_no, payment_code, amount FROM payments WHERE receipt_id = ?`, id, from); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(id, 10)
}

// Bad rows in a uniCenta database, each rejected with the field or the difference named: a
// payment name the profile does not map (issue 15.2), a line whose product was deleted, a
// ticket whose payments do not add up to its taxes, taxlines 50 cents off the lines (more than
// any rounding allows), and a negative price. The good tickets all arrive; the Z of the session
// holding them is rejected too, naming a bad ticket, since its totals are computed from them.
func TestBadUnicentaRowsAreRejectedOthersFlow(t *testing.T) {
	e := newEnvOn(t, "sqlite", possim.ProfileUnicenta)
	e.cloudInProcess()
	e.sell(context.Background(), possim.Options{Registers: 1, Receipts: 100, Seed: 5})
	damage := []damageCase{
		{"unknown payment", `UPDATE payments SET payment = 'paperin' WHERE receipt = ?`, `payment_code "paperin" is not in the profile's conversions.payment_codes`, protocol.CodeMalformed},
		{"deleted product", `UPDATE ticketlines SET product = NULL WHERE ticket = ? AND line = 0`, "line 1 barcode is NULL", protocol.CodeMalformed},
		{"payments off", `UPDATE payments SET total = total + 1 WHERE receipt = ?`, "it does not add up: payments", protocol.CodeMalformed},
		{"taxlines off", `UPDATE taxlines SET base = base - 0.5, amount = amount + 0.5 WHERE receipt = ?`, "differs from the VAT the POS recorded", protocol.CodeInvalid},
		{"negative price", `UPDATE ticketlines SET price = -price WHERE ticket = ? AND line = 0`, "unit price", protocol.CodeInvalid},
	}
	var sources []string
	rows, err := e.pos.Query(`SELECT r.id FROM receipts r JOIN tickets t ON t.id = r.id
		WHERE t.tickettype = 0 AND (SELECT COUNT(*) FROM payments p WHERE p.receipt = r.id) = 1 ORDER BY r.datenew, r.id LIMIT 20`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		sources = append(sources, id)
	}
	if rows.Close(); len(sources) < 10+len(damage) {
		t.Fatalf("only %d single-payment sales to copy", len(sources))
	}
	ids := map[string]string{}
	for i, d := range damage {
		id := copyUnicentaTicket(t, e, sources[10+i])
		if _, err := e.pos.Exec(d.sql, id); err != nil {
			t.Fatalf("%s: %v", d.name, err)
		}
		ids[d.name] = id
	}
	e.sell(context.Background(), possim.Options{Registers: 1, Receipts: 100, CloseDay: true, Seed: 6})
	e.agentProc()

	st, err := db.Open(context.Background(), e.cloudURL, dbtest.Options())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rej := checkRejected(t, st, e.who.TenantID, damage, ids, len(damage)+1, "ticket")
	if len(rej) != len(damage)+1 {
		t.Fatalf("%d rejections, want %d tickets and the Z of their session: %+v", len(rej), len(damage)+1, rej)
	}
	want := e.posSnapshot()
	for _, id := range ids {
		delete(want.receipts, id)
	}
	for _, r := range rej {
		if r.Kind == protocol.KindDayClose {
			if !strings.Contains(r.Message, "its totals are computed from its receipts, and") {
				t.Fatalf("the Z is rejected for another reason: %s", r.Message)
			}
			delete(want.dayCloses, r.SourceID)
		}
	}
	got := e.cloudSnapshot()
	if diff := diffMaps(want.receipts, got.receipts); diff != "" || len(got.receipts) != 200 {
		t.Fatalf("good tickets did not all arrive (%d of 200):\n%s", len(got.receipts), diff)
	}
}

// copyUnicentaTicket duplicates a uniCenta ticket (receipt, ticket, lines, payments, taxlines)
// under a new id and number in the same cash session, and returns its id.
func copyUnicentaTicket(t *testing.T, e *env, from string) string {
	t.Helper()
	tx, err := e.pos.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	var id string
	if err := tx.QueryRow(`SELECT UUID()`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO receipts (id, money, datenew, attributes, person) SELECT ?, money, datenew, attributes, person FROM receipts WHERE id = ?`,
		`INSERT INTO tickets (id, tickettype, ticketid, person, customer, status) SELECT ?, tickettype, ticketid + 100000, person, customer, status FROM tickets WHERE id = ?`,
		`INSERT INTO ticketlines (ticket, line, product, attributesetinstance_id, units, price, taxid, attributes) SELECT ?, line, product, attributesetinstance_id, units, price, taxid, attributes FROM ticketlines WHERE ticket = ?`,
		`INSERT INTO payments (id, receipt, payment, total, transid, returnmsg, tendered, cardname, voucher) SELECT UUID(), ?, payment, total, transid, returnmsg, tendered, cardname, voucher FROM payments WHERE receipt = ?`,
		`INSERT INTO taxlines (id, receipt, taxid, base, amount) SELECT UUID(), ?, taxid, base, amount FROM taxlines WHERE receipt = ?`,
	} {
		if _, err := tx.Exec(q, id, from); err != nil {
			t.Fatalf("copy ticket %s: %v", from, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return id
}
