package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tiltas/agent/capture"
	"tiltas/agent/outbox"
	"tiltas/internal/testdb"
	"tiltas/possim"
	"tiltas/shared/domain"
)

func agentConfig(t *testing.T, dsn string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "agent.toml")
	body := "store = \"VLN1\"\ncloud = \"http://127.0.0.1:8080\"\ntoken = \"tag_x\"\ndata_dir = \"" + filepath.ToSlash(t.TempDir()) + "\"\n[pos]\ndsn = \"" + dsn + "\"\ntimezone = \"UTC\"\n"
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// profile sample prints a filled POS's first receipts in order with their lines and payments,
// a row the agent rejects as rejected with its reason, and with --json exactly what capture
// ships for the same rows.
func TestProfileSample(t *testing.T) {
	ctx := context.Background()
	dsn := testdb.New(t)
	db, err := possim.OpenDB(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := possim.Run(ctx, db, possim.Options{Registers: 2, Receipts: 30, CloseDay: true, DayEvery: 6, Seed: 7}, nil); err != nil {
		t.Fatal(err)
	}
	var ids []string
	rows, err := db.Query(`SELECT id FROM receipts ORDER BY closed_at, id LIMIT 3`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	if _, err := db.Exec(`UPDATE receipt_lines SET quantity = NULL WHERE receipt_id = ? AND line_no = 1`, ids[2]); err != nil {
		t.Fatal(err)
	}
	// The second one's total is off by a cent: the agent ships it, the cloud refuses it.
	if _, err := db.Exec(`UPDATE receipts SET total = total + 0.01 WHERE id = ?`, ids[1]); err != nil {
		t.Fatal(err)
	}
	conf := agentConfig(t, dsn)

	var out bytes.Buffer
	if err := sampleCmd(&out, []string{"--config", conf, "--receipts", "3", "--day-closes", "2"}, ""); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	t.Logf("\n%s", text)
	at := 0
	for _, id := range ids[:2] {
		var number string
		if err := db.QueryRow(`SELECT number FROM receipts WHERE id = ?`, id).Scan(&number); err != nil {
			t.Fatal(err)
		}
		i := strings.Index(text, "receipt "+id+"  number "+number+"  register ")
		if i < at {
			t.Fatalf("receipt %s (number %s) is missing or out of order:\n%s", id, number, text)
		}
		at = i
	}
	for _, want := range []string{
		"3 receipts, oldest first",
		"  no  barcode",
		"unit price  discount  VAT %  total",
		"  payments  ",
		"REJECTED by the agent: receipt " + ids[2] + ": line 1 quantity is NULL",
		"  as read: {",
		"2 day closes, oldest first",
		"  VAT %  ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("%q missing from:\n%s", want, text)
		}
	}
	if n := strings.Count(text, "the cloud will refuse it: "); n != 1 {
		t.Errorf("%d receipts said to be refused by the cloud, want 1:\n%s", n, text)
	}
	if i := strings.Index(text, "the cloud will refuse it: "); i < strings.Index(text, "receipt "+ids[1]+"  ") || i > strings.Index(text, "REJECTED") {
		t.Errorf("the refusal is not under receipt %s:\n%s", ids[1], text)
	}

	// --from a later date: nothing closed yet.
	out.Reset()
	if err := sampleCmd(&out, []string{"--config", conf, "--from", time.Now().AddDate(0, 0, 2).Format(time.DateOnly)}, ""); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "no closed receipts") || !strings.Contains(out.String(), "no closed day closes") {
		t.Errorf("from a later date:\n%s", out.String())
	}

	// pos.start_date a later day and no --from: the sample starts there and says so.
	later := time.Now().UTC().AddDate(0, 0, 2).Format(time.DateOnly)
	body, _ := os.ReadFile(conf)
	if err := os.WriteFile(conf, []byte(string(body)+"start_date = \""+later+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := sampleCmd(&out, []string{"--config", conf}, ""); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "from "+later+" (pos.start_date: the agent captures nothing older)") || !strings.Contains(out.String(), "no closed receipts") {
		t.Errorf("with pos.start_date %s:\n%s", later, out.String())
	}
	if err := os.WriteFile(conf, body, 0o600); err != nil {
		t.Fatal(err)
	}

	// --json: one item a line, equal to what capture puts in the outbox for the same rows.
	out.Reset()
	if err := sampleCmd(&out, []string{"--config", conf, "--receipts", "3", "--day-closes", "2", "--json"}, ""); err != nil {
		t.Fatal(err)
	}
	ob, err := outbox.Open(filepath.Join(t.TempDir(), "o.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	if _, err := (&capture.Reader{DB: db, Outbox: ob}).Once(ctx); err != nil {
		t.Fatal(err)
	}
	items, _ := ob.Pending(0, 1000)
	byKey := map[string]string{}
	for _, it := range items {
		b, _ := json.Marshal(shipped{it.Kind, it.SourceID, it.Data, it.DecodeError})
		byKey[it.Kind+"/"+it.SourceID] = string(b)
	}
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		var s shipped
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", n+1, err, sc.Text())
		}
		if byKey[s.Kind+"/"+s.SourceID] != sc.Text() {
			t.Fatalf("sampled\n%s\ncapture shipped\n%s", sc.Text(), byKey[s.Kind+"/"+s.SourceID])
		}
		if n < 2 {
			var rc domain.Receipt
			if s.SourceID != ids[n] || json.Unmarshal(s.Data, &rc) != nil || len(rc.Lines) == 0 || len(rc.Payments) == 0 {
				t.Fatalf("item %d: %s", n, sc.Text())
			}
		}
		n++
	}
	if n != 5 {
		t.Fatalf("%d items, want 3 receipts and 2 day closes:\n%s", n, out.String())
	}
}

// Each error names the thing and the fix.
func TestProfileSampleErrors(t *testing.T) {
	dir := t.TempDir()
	badProfile := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(badProfile, []byte("name = \"x\"\nbogus = 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"no config", nil, []string{"needs --config FILE", "pos.dsn"}},
		{"a config that is not there", []string{"--config", filepath.Join(dir, "none.toml")}, []string{"none.toml"}},
		{"a bad date", []string{"--config", agentConfig(t, "root@tcp(127.0.0.1:3306)/pos"), "--from", "3.12.2026"}, []string{`--from "3.12.2026": give a date as YYYY-MM-DD`}},
		{"an invalid profile", []string{"--config", withProfile(t, badProfile)}, []string{"pos.profile", "bogus"}},
		{"an unreachable database", []string{"--config", agentConfig(t, "u:p@tcp(127.0.0.1:1)/pos")}, []string{"cannot connect to the POS database u@127.0.0.1:1/pos (pos.dsn in", "check that the POS database runs"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := sampleCmd(&out, tc.args, "")
			if err == nil {
				t.Fatalf("no error; printed:\n%s", out.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q missing from: %v", w, err)
				}
			}
		})
	}
}

func withProfile(t *testing.T, profile string) string {
	p := agentConfig(t, "root@tcp(127.0.0.1:3306)/pos")
	b, _ := os.ReadFile(p)
	if err := os.WriteFile(p, append(b, []byte("profile = \""+filepath.ToSlash(profile)+"\"\n")...), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
