// Command pipeline measures the receipt pipeline on this machine and prints a table:
// end-to-end receipts/s for each cloud store beside the raw limits of each hop measured in the
// same run, and the latency from a receipt's close in the POS to its commit in the cloud.
//
//	go run ./bench/pipeline [-receipts 20000] [-mysql root@tcp(127.0.0.1:3306)/]
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	bolt "go.etcd.io/bbolt"

	"tiltas/agent"
	"tiltas/agent/config"
	"tiltas/cloud/books"
	"tiltas/cloud/db"
	"tiltas/cloud/server"
	"tiltas/possim"
)

func main() {
	n := flag.Int("receipts", 20000, "receipts for the throughput runs")
	server := flag.String("mysql", "root@tcp(127.0.0.1:3306)/", "MariaDB/MySQL server (DSN without a database)")
	latencyN := flag.Int("latency-receipts", 400, "receipts sold at a steady 40/s for the latency run")
	flag.Parse()
	if err := run(*n, *latencyN, *server); err != nil {
		fmt.Fprintln(os.Stderr, "pipeline bench:", err)
		os.Exit(1)
	}
}

type result struct {
	e2e, insert float64 // receipts/s, rows/s
	post        float64 // receipts booked/s
	p50, p99    time.Duration
}

func run(n, latencyN int, serverDSN string) error {
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "tiltas-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	defer drop(serverDSN, "tiltas_bench_pos", "tiltas_bench_cloud")
	posDSN := dsnFor(serverDSN, "tiltas_bench_pos")
	if err := recreate(serverDSN, "tiltas_bench_pos"); err != nil {
		return err
	}
	pos, err := possim.OpenDB(ctx, posDSN)
	if err != nil {
		return err
	}
	defer pos.Close()
	fmt.Fprintf(os.Stderr, "writing %d receipts into the POS...\n", n)
	if _, err := possim.Run(ctx, pos, possim.Options{Registers: 4, Receipts: n, Seed: 1}, quiet()); err != nil {
		return err
	}
	var lines int
	_ = pos.QueryRow(`SELECT COUNT(*) FROM receipt_lines`).Scan(&lines)

	sel, payload, err := rawSelect(pos)
	if err != nil {
		return err
	}
	put, err := rawBolt(filepath.Join(tmp, "raw.bolt"), n, payload)
	if err != nil {
		return err
	}
	res := map[string]*result{}
	for _, kind := range []string{"sqlite", "mysql"} {
		url := "sqlite:" + filepath.Join(tmp, kind+"-cloud.db")
		if kind == "mysql" {
			if err := recreate(serverDSN, "tiltas_bench_cloud"); err != nil {
				return err
			}
			url = "mysql://" + dsnFor(serverDSN, "tiltas_bench_cloud")
		}
		fmt.Fprintf(os.Stderr, "%s: end to end...\n", kind)
		r, err := endToEnd(ctx, tmp, kind, url, posDSN, pos, n, latencyN)
		if err != nil {
			return fmt.Errorf("%s: %w", kind, err)
		}
		if r.insert, err = rawInsert(ctx, url, n, payload); err != nil {
			return fmt.Errorf("%s raw insert: %w", kind, err)
		}
		res[kind] = r
	}
	fmt.Printf("\nTiltas pipeline benchmark: %d receipts (%.1f lines each), catch-up from a full POS\n\n", n, float64(lines)/float64(n))
	fmt.Printf("%-44s %18s %18s\n", "", "SQLite cloud", "MariaDB cloud")
	fmt.Printf("%-44s %18s %18s\n", "end to end (POS → agent → cloud commit)", rate(res["sqlite"].e2e, "receipts/s"), rate(res["mysql"].e2e, "receipts/s"))
	fmt.Printf("%-44s %18s %18s\n", "posting: receipts booked (document + entry)", rate(res["sqlite"].post, "receipts/s"), rate(res["mysql"].post, "receipts/s"))
	fmt.Printf("%-44s %18s %18s\n", "raw: batched INSERT into the cloud store", rate(res["sqlite"].insert, "rows/s"), rate(res["mysql"].insert, "rows/s"))
	fmt.Printf("%-44s %18s %18s\n", "raw: SELECT of the same rows from the POS", rate(sel, "receipts/s"), "same")
	fmt.Printf("%-44s %18s %18s\n", "raw: bbolt batched put (500 per tx, fsync)", rate(put, "items/s"), "same")
	fmt.Printf("%-44s %18s %18s\n", fmt.Sprintf("latency close → commit, p50 (%d at 40/s)", latencyN), res["sqlite"].p50.Round(time.Millisecond).String(), res["mysql"].p50.Round(time.Millisecond).String())
	fmt.Printf("%-44s %18s %18s\n", "latency close → commit, p99", res["sqlite"].p99.Round(time.Millisecond).String(), res["mysql"].p99.Round(time.Millisecond).String())
	fmt.Println("\nLatency is dominated by the agent's poll interval (1 s by default): p50 ≈ half of it.")
	return nil
}

func rate(v float64, unit string) string { return fmt.Sprintf("%.0f %s", v, unit) }

func quiet() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}

func dsnFor(server, db string) string {
	cfg, _ := mysql.ParseDSN(server)
	cfg.DBName = db
	return cfg.FormatDSN()
}

func recreate(server, db string) error {
	admin, err := sql.Open("mysql", server)
	if err != nil {
		return err
	}
	defer admin.Close()
	if _, err := admin.Exec("DROP DATABASE IF EXISTS `" + db + "`"); err != nil {
		return fmt.Errorf("MariaDB at %s: %w (run make bench, which starts it)", server, err)
	}
	_, err = admin.Exec("CREATE DATABASE `" + db + "`")
	return err
}

func drop(server string, dbs ...string) {
	admin, err := sql.Open("mysql", server)
	if err != nil {
		return
	}
	defer admin.Close()
	for _, db := range dbs {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS `" + db + "`")
	}
}

// rawSelect reads every receipt with its lines and payments, as plainly as possible. It
// returns receipts/s and a typical receipt's JSON size for the other raw runs.
func rawSelect(pos *sql.DB) (float64, []byte, error) {
	start := time.Now()
	count := 0
	for _, q := range []string{`SELECT id, register_id, session_id, number, type, opened_at, closed_at, total, vat_total, rounding FROM receipts WHERE status = 'closed'`,
		`SELECT receipt_id, line_no, barcode, name, quantity, unit_price, discount, vat_rate, line_total, vat_amount FROM receipt_lines`,
		`SELECT receipt_id, line_no, payment_code, amount FROM payments`} {
		rows, err := pos.Query(q)
		if err != nil {
			return 0, nil, err
		}
		cols, _ := rows.Columns()
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return 0, nil, err
			}
			if strings.HasPrefix(q, "SELECT id") {
				count++
			}
		}
		rows.Close()
	}
	el := time.Since(start)
	var payload string
	row := pos.QueryRow(`SELECT JSON_OBJECT('id', r.id, 'lines', (SELECT JSON_ARRAYAGG(JSON_OBJECT('b', barcode, 'n', name, 'q', quantity, 'p', unit_price, 't', line_total)) FROM receipt_lines WHERE receipt_id = r.id)) FROM receipts r LIMIT 1`)
	if err := row.Scan(&payload); err != nil {
		payload = strings.Repeat("x", 900)
	}
	return float64(count) / el.Seconds(), []byte(payload), nil
}

func rawBolt(path string, n int, payload []byte) (float64, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	start := time.Now()
	for i := 0; i < n; i += 500 {
		err := db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("items"))
			if err != nil {
				return err
			}
			for j := i; j < min(i+500, n); j++ {
				if err := b.Put([]byte(fmt.Sprintf("%016d", j)), payload); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// rawInsert inserts n rows shaped like held receipts into a plain table, 200 per statement and
// 500 per transaction: what the cloud store could do with no protocol, validation or dedupe.
func rawInsert(ctx context.Context, url string, n int, payload []byte) (float64, error) {
	st, err := db.Open(ctx, url, db.Options{})
	if err != nil {
		return 0, err
	}
	defer st.Close()
	sqlDB := st.DB()
	if _, err := sqlDB.Exec(`CREATE TABLE raw_bench (id BIGINT PRIMARY KEY, source_id VARCHAR(64), closed_ms BIGINT, total_cents BIGINT, payload TEXT, content_hash CHAR(64))`); err != nil {
		return 0, err
	}
	defer sqlDB.Exec(`DROP TABLE raw_bench`)
	start := time.Now()
	for i := 0; i < n; i += 500 {
		tx, err := sqlDB.Begin()
		if err != nil {
			return 0, err
		}
		for j := i; j < min(i+500, n); j += 200 {
			var b strings.Builder
			var args []any
			for k := j; k < min(j+200, i+500, n); k++ {
				if k > j {
					b.WriteString(",")
				}
				b.WriteString("(?,?,?,?,?,?)")
				args = append(args, k, fmt.Sprint(k), time.Now().UnixMilli(), 1234, string(payload), "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
			}
			if _, err := tx.Exec(`INSERT INTO raw_bench VALUES `+b.String(), args...); err != nil {
				tx.Rollback()
				return 0, err
			}
		}
		if err := tx.Commit(); err != nil {
			return 0, err
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// endToEnd runs the cloud and the agent in this process against a POS already holding n
// receipts, times the catch-up, then sells latencyN more at a steady rate and measures how long
// each took from its close to its commit in the cloud.
func endToEnd(ctx context.Context, tmp, kind, url, posDSN string, pos *sql.DB, n, latencyN int) (*result, error) {
	st, err := db.Open(ctx, url, db.Options{})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	tn, err := st.CreateTenant(ctx, "Bench "+kind)
	if err != nil {
		return nil, err
	}
	token, err := st.EnrollAgent(ctx, tn.ID, "B1", "")
	if err != nil {
		return nil, err
	}
	who, _ := st.AuthAgent(ctx, token)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: server.Handler(st, quiet(), server.Options{})}
	go srv.Serve(ln)
	defer srv.Close()

	dir := filepath.Join(tmp, kind+"-agent")
	_ = os.MkdirAll(dir, 0o700)
	confPath := filepath.Join(dir, "agent.toml")
	conf := fmt.Sprintf("store = \"B1\"\ncloud = \"http://%s\"\ntoken = \"%s\"\n[pos]\ndsn = \"%s\"\n", ln.Addr(), token, posDSN)
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		return nil, err
	}
	cfg, err := config.Load(confPath)
	if err != nil {
		return nil, err
	}
	var inPOS int // earlier runs' latency receipts are in the POS too
	if err := pos.QueryRowContext(ctx, `SELECT COUNT(*) FROM receipts WHERE status = 'closed'`).Scan(&inPOS); err != nil {
		return nil, err
	}
	actx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- agent.Run(actx, cfg, quiet()) }()
	defer func() { stop(); <-done }()
	if err := waitCount(ctx, st, who, inPOS, 10*time.Minute); err != nil {
		return nil, err
	}
	r := &result{e2e: float64(inPOS) / time.Since(start).Seconds()}

	// Posting: book everything that arrived (a sale document each; no stock, so no write-offs).
	postStart := time.Now()
	posted := 0
	for {
		res, err := books.New(st).PostPending(ctx, 2000)
		if err != nil {
			return nil, err
		}
		posted += res.Posted
		if res.Posted+res.Failed == 0 {
			break
		}
	}
	r.post = float64(posted) / time.Since(postStart).Seconds()

	// Latency: sell at a steady 40 receipts/s and compare each close with its commit.
	steady := time.Now().Add(-time.Second).UnixMilli() // POS and cloud share this machine's clock
	if _, err := possim.Run(ctx, pos, possim.Options{Registers: 2, Receipts: latencyN, Rate: 40, Seed: uint64(time.Now().UnixNano())}, quiet()); err != nil {
		return nil, err
	}
	if err := waitCount(ctx, st, who, inPOS+latencyN, 2*time.Minute); err != nil {
		return nil, err
	}
	rows, err := st.DB().QueryContext(ctx, `SELECT received_ms - closed_ms FROM receipts WHERE tenant_id = ? AND closed_ms >= ?`, who.TenantID, steady)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var lat []int64
	for rows.Next() {
		var ms int64
		if err := rows.Scan(&ms); err != nil {
			return nil, err
		}
		lat = append(lat, ms)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		r.p50 = time.Duration(lat[len(lat)/2]) * time.Millisecond
		r.p99 = time.Duration(lat[len(lat)*99/100]) * time.Millisecond
	}
	return r, nil
}

func waitCount(ctx context.Context, st *db.DB, who db.AgentIdentity, want int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		n, _, err := st.ReceiptTotals(ctx, who.TenantID, who.StoreID)
		if err != nil {
			return err
		}
		if n >= want {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d receipts arrived in %s", n, want, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
