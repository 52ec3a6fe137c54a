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
