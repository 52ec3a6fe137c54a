package capture

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"tiltas/agent/outbox"
	"tiltas/agent/profile"
	"tiltas/internal/testdb"
	"tiltas/possim"
)

// A profile's column types and conversions drive capture: ids read as strings (as a POS with
// UUID ids), and a payment code the profile does not map rejects its receipt, naming it.
func TestProfileDrivesCapture(t *testing.T) {
	ctx := context.Background()
	db, err := possim.OpenDB(ctx, testdb.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := possim.Run(ctx, db, possim.Options{Registers: 2, Receipts: 60, Seed: 3}, nil); err != nil {
		t.Fatal(err)
	}
	ref := profile.Reference()
	text := strings.ReplaceAll(string(mustRead(t)), `columns = ["id int", "closed_at time"]`, `columns = ["id string", "closed_at time"]`)
	text += "\n[conversions.payment_codes]\nCASH = \"CASH\"\nCARD = \"CARD\"\n"
	p, err := profile.Parse([]byte(text), "test")
	if err != nil {
		t.Fatal(err)
	}
	if p.Receipts.Scan.Type("id") != profile.String || ref.Receipts.Scan.Type("id") != profile.Int {
		t.Fatal("the scan's id type did not change")
	}
	ob, err := outbox.Open(filepath.Join(t.TempDir(), "o.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	r := &Reader{DB: db, Outbox: ob, Profile: p, Batch: 9}
	res, err := r.Once(ctx)
	if err != nil || res.Receipts != 60 {
		t.Fatalf("pass: %+v %v", res, err)
	}
	var vouchers int
	if err := db.QueryRow(`SELECT COUNT(DISTINCT receipt_id) FROM payments WHERE payment_code = 'VOUCHER'`).Scan(&vouchers); err != nil || vouchers == 0 {
		t.Fatalf("the simulation sold nothing paid by voucher (%d, %v): pick another seed", vouchers, err)
	}
	items, _ := ob.Pending(0, 1000)
	rejected := 0
	for _, it := range items {
		if it.DecodeError != "" {
			rejected++
			if !strings.Contains(it.DecodeError, `payment_code "VOUCHER" is not in the profile's conversions.payment_codes`) {
				t.Fatalf("%s: %s", it.SourceID, it.DecodeError)
			}
		}
	}
	if rejected != vouchers {
		t.Fatalf("%d rejected, %d paid by voucher", rejected, vouchers)
	}
}

func mustRead(t *testing.T) []byte {
	t.Helper()
	b, err := profile.Text(profile.Default)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
