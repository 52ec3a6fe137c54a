package capture

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"

	"tiltas/agent/outbox"
	"tiltas/internal/testdb"
	"tiltas/possim"
	"tiltas/shared/domain"
	"tiltas/shared/protocol"
)

func TestLateCommitIsStillCapturedOnce(t *testing.T) {
	ctx := context.Background()
	db, err := possim.OpenDB(ctx, testdb.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := possim.Run(ctx, db, possim.Options{Registers: 1, Receipts: 20, Seed: 1}, nil); err != nil {
		t.Fatal(err)
	}
	ob, err := outbox.Open(filepath.Join(t.TempDir(), "o.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	r := &Reader{DB: db, Outbox: ob, Lookback: time.Minute, Batch: 7}
	if res, err := r.Once(ctx); err != nil || res.Receipts != 20 {
		t.Fatalf("first pass: %+v %v", res, err)
	}

	// A register's transaction closes a receipt at T1 but has not committed yet...
	slow, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Rollback()
	late := copyAsClosed(t, slow, "NOW(3) - INTERVAL 5 SECOND")
	// ...while another receipt closes later and is captured.
	fast, _ := db.BeginTx(ctx, nil)
	copyAsClosed(t, fast, "NOW(3)")
	if err := fast.Commit(); err != nil {
		t.Fatal(err)
	}
	if res, err := r.Once(ctx); err != nil || res.Receipts != 1 {
		t.Fatalf("second pass: %+v %v", res, err)
	}
	// The slow one commits with a closing time before the watermark: the lookback finds it.
	if err := slow.Commit(); err != nil {
		t.Fatal(err)
	}
	if res, err := r.Once(ctx); err != nil || res.Receipts != 1 {
		t.Fatalf("third pass must capture the late receipt: %+v %v", res, err)
	}
	for i := 0; i < 3; i++ {
		if res, _ := r.Once(ctx); res.Receipts != 0 {
			t.Fatalf("rereads captured %d again", res.Receipts)
		}
	}
	items, _ := ob.Pending(0, 100)
	if len(items) != 22 || items[21].SourceID != late {
		t.Fatalf("outbox holds %d items, last %s; want 22 ending with %s", len(items), items[len(items)-1].SourceID, late)
	}
	// What capture produced is exactly what the POS holds, and valid.
	for _, it := range items {
		var rc domain.Receipt
		if it.DecodeError != "" || json.Unmarshal(it.Data, &rc) != nil {
			t.Fatalf("item %s: %s", it.SourceID, it.DecodeError)
		}
		if err := rc.Validate(); err != nil {
			t.Fatalf("captured receipt %s is invalid: %v", it.SourceID, err)
		}
		var total string
		if err := db.QueryRow(`SELECT total FROM receipts WHERE id = ?`, rc.SourceID).Scan(&total); err != nil || total != rc.Total.StringFixed(2) {
			t.Fatalf("receipt %s: POS total %s, captured %s", rc.SourceID, total, rc.Total)
		}
	}
	if items[0].Kind != protocol.KindReceipt {
		t.Fatal(items[0].Kind)
	}
}

// copyAsClosed copies receipt 1 (lines and payments) as a new closed receipt with the given
// closed_at expression, inside tx, and returns its id.
func copyAsClosed(t *testing.T, tx *sql.Tx, closedAt string) string {
	t.Helper()
	res, err := tx.Exec(`INSERT INTO receipts (register_id, session_id, number, type, status, opened_at, closed_at, cashier, buyer_code, buyer_vat_code, buyer_name, total, vat_total, rounding)
		SELECT register_id, session_id, CONCAT(number, 'c'), type, 'closed', opened_at, ` + closedAt + `, cashier, buyer_code, buyer_vat_code, buyer_name, total, vat_total, rounding FROM receipts WHERE id = 1`)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	if _, err := tx.Exec(`INSERT INTO receipt_lines SELECT ?, line_no, barcode, name, unit, quantity, unit_price, discount, vat_rate, line_total, vat_amount FROM receipt_lines WHERE receipt_id = 1`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO payments SELECT ?, line_no, payment_code, amount FROM payments WHERE receipt_id = 1`, id); err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(id, 10)
}

// With a start date, what closed before it stays in the POS and what closed after it is
// captured; rows closed without a time are still shipped, and later passes keep to the start.
func TestStartDateSkipsOlderRows(t *testing.T) {
	ctx := context.Background()
	db, err := possim.OpenDB(ctx, testdb.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := possim.Run(ctx, db, possim.Options{Registers: 2, Receipts: 30, DayEvery: 5, CloseDay: true, Seed: 3}, nil); err != nil {
		t.Fatal(err)
	}
	// Years of history: the first 12 receipts and the first 3 day closes closed in 2025.
	for _, q := range []string{
		`UPDATE receipts SET closed_at = '2025-06-01 10:00:00' WHERE id <= 12`,
		`UPDATE cash_sessions SET closed_at = '2025-06-01 20:00:00' WHERE status = 'closed' ORDER BY id LIMIT 3`,
		// One closed without a time: shipped whatever the start, for the cloud to report.
		`UPDATE receipts SET closed_at = NULL WHERE id = 1`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	var closes, oldCloses int
	if err := db.QueryRow(`SELECT COUNT(*), SUM(closed_at < '2026-01-01') FROM cash_sessions WHERE status = 'closed'`).Scan(&closes, &oldCloses); err != nil || oldCloses != 3 || closes <= 3 {
		t.Fatalf("%d day closes, %d old: %v", closes, oldCloses, err)
	}
	ob, err := outbox.Open(filepath.Join(t.TempDir(), "o.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.Local)
	r := &Reader{DB: db, Outbox: ob, Start: start}
	res, err := r.Once(ctx)
	if err != nil || res.Receipts != 30-12+1 || res.DayCloses != closes-3 {
		t.Fatalf("first pass: %+v %v; want %d receipts and %d day closes", res, err, 30-12+1, closes-3)
	}
	items, _ := ob.Pending(0, 1000)
	for _, it := range items {
		id, _ := strconv.Atoi(it.SourceID)
		if it.Kind == protocol.KindReceipt && id > 1 && id <= 12 {
			t.Fatalf("receipt %s closed before the start date was captured", it.SourceID)
		}
		if it.Kind == protocol.KindReceipt && id == 1 && it.DecodeError == "" {
			t.Fatalf("receipt 1 has no closing time but was shipped as good: %s", it.Data)
		}
	}
	// A receipt closed after the start is captured on the next pass; nothing older comes back.
	tx, _ := db.BeginTx(ctx, nil)
	copyAsClosed(t, tx, "NOW(3)")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if res, err := r.Once(ctx); err != nil || res.Receipts != 1 || res.DayCloses != 0 {
		t.Fatalf("second pass: %+v %v, want the one new receipt", res, err)
	}
	// Without a start date, the same POS gives the whole history.
	all, err := outbox.Open(filepath.Join(t.TempDir(), "all.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer all.Close()
	if res, err := (&Reader{DB: db, Outbox: all}).Once(ctx); err != nil || res.Receipts != 31 || res.DayCloses != closes {
		t.Fatalf("no start date: %+v %v, want 31 receipts and %d day closes", res, err, closes)
	}
}
