package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/shopspring/decimal"

	"tiltas/agent/capture"
	"tiltas/agent/config"
	"tiltas/agent/outbox"
	"tiltas/shared/domain"
)

// sampleCmd is `profile sample`: the first receipts and day closes as the agent would ship
// them, read through the config's profile, read-only.
func sampleCmd(w io.Writer, args []string, configPath string) error {
	fs := flag.NewFlagSet("profile sample", flag.ContinueOnError)
	path := fs.String("config", configPath, "config file (TOML)")
	receipts := fs.Int("receipts", 5, "how many receipts")
	dayCloses := fs.Int("day-closes", 5, "how many day closes")
	from := fs.String("from", "", "start at this date (YYYY-MM-DD, the shop's pos.timezone) instead of pos.start_date or the oldest")
	asJSON := fs.Bool("json", false, "print the JSON the agent would send, one item a line")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil
	} else if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("profile sample: unexpected %q: use tiltas-agent profile sample --config FILE [--receipts N] [--day-closes N] [--from YYYY-MM-DD] [--json]", fs.Arg(0))
	}
	if *path == "" {
		return fmt.Errorf("profile sample needs --config FILE: the agent's config, which names the POS database (pos.dsn) and its profile (pos.profile)")
	}
	if *receipts < 0 || *dayCloses < 0 {
		return fmt.Errorf("--receipts and --day-closes take a count of 0 or more")
	}
	cfg, err := config.Load(*path)
	if err != nil {
		return err
	}
	loc, _ := time.LoadLocation(cfg.POS.TimeZone)
	opt := capture.SampleOptions{Receipts: *receipts, DayCloses: *dayCloses}
	if *from != "" {
		if opt.From, err = time.ParseInLocation(time.DateOnly, *from, loc); err != nil {
			return fmt.Errorf("--from %q: give a date as YYYY-MM-DD", *from)
		}
	} else if opt.From, err = cfg.Start(); err != nil {
		return err // checked by config.Load
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return sample(ctx, w, cfg, opt, *asJSON)
}

func sample(ctx context.Context, w io.Writer, cfg *config.Config, opt capture.SampleOptions, asJSON bool) error {
	dsn, _ := mysql.ParseDSN(cfg.POS.DSN)
	where := fmt.Sprintf("%s@%s/%s", dsn.User, dsn.Addr, dsn.DBName)
	db, err := sql.Open("mysql", cfg.POSDSN())
	if err != nil {
		return fmt.Errorf("pos.dsn in %s: %v", cfg.Path(), err)
	}
	defer db.Close()
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		fix := "check that the POS database runs and that pos.dsn's host, port, user and password are right"
		var me *mysql.MySQLError
		if errors.As(err, &me) && me.Number == 1045 {
			fix = "the POS refused the user or password in pos.dsn"
		}
		return fmt.Errorf("cannot connect to the POS database %s (pos.dsn in %s): %v: %s", where, cfg.Path(), err, fix)
	}
	pr := cfg.Profile()
	s, err := capture.Sample(ctx, db, pr, opt)
	if err != nil {
		return fmt.Errorf("profile %s (%s) on %s: %v: run tiltas-agent doctor --config %s to check each query against the database", pr.Name, pr.Source, where, err, cfg.Path())
	}
	if asJSON {
		return printJSON(w, append(s.Receipts, s.DayCloses...))
	}
	loc, _ := time.LoadLocation(cfg.POS.TimeZone)
	fromText := "the oldest"
	if !opt.From.IsZero() {
		fromText = opt.From.Format(time.DateOnly)
		if s := string(cfg.POS.StartDate); s != "" && fromText == s {
			fromText += " (pos.start_date: the agent captures nothing older)"
		}
	}
	fmt.Fprintf(w, "profile %s (%s) on %s, read-only; from %s; times in %s (pos.timezone)\n", pr.Name, pr.Source, where, fromText, loc)
	p := printer{w: w, loc: loc}
	if opt.Receipts > 0 {
		p.section(len(s.Receipts), "receipt", "receipts")
		for _, it := range s.Receipts {
			p.item(it, p.receipt)
		}
	}
	if opt.DayCloses > 0 {
		p.section(len(s.DayCloses), "day close", "day closes")
		for _, it := range s.DayCloses {
			p.item(it, p.dayClose)
		}
	}
	return p.err
}

// shipped is an item as the agent sends it in a batch, without the outbox's sequence number.
type shipped struct {
	Kind        string          `json:"kind"`
	SourceID    string          `json:"source_id"`
	Data        json.RawMessage `json:"data"`
	DecodeError string          `json:"decode_error,omitempty"`
}

func printJSON(w io.Writer, items []outbox.Captured) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, it := range items {
		if err := enc.Encode(shipped{it.Kind, it.SourceID, it.Data, it.DecodeError}); err != nil {
			return err
		}
	}
	return nil
}

type printer struct {
	w   io.Writer
	loc *time.Location
	err error
}

func (p *printer) printf(format string, a ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, a...)
	}
}

func (p *printer) section(n int, one, many string) {
	switch n {
	case 0:
		p.printf("\nno closed %s\n", many)
	case 1:
		p.printf("\n1 %s\n", one)
	default:
		p.printf("\n%d %s, oldest first\n", n, many)
	}
}

// item prints one item: decoded, or rejected with capture's reason and the row as read.
func (p *printer) item(it outbox.Captured, decoded func([]byte) error) {
	p.printf("\n")
	if it.DecodeError != "" {
		p.printf("REJECTED by the agent: %s\n  as read: %s\n", it.DecodeError, it.Data)
		return
	}
	if err := decoded(it.Data); err != nil {
		p.printf("  the cloud will refuse it: %v\n", err)
	}
}

func (p *printer) time(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(p.loc).Format("2006-01-02 15:04:05")
}

func (p *printer) receipt(data []byte) error {
	var rc domain.Receipt
	if err := json.Unmarshal(data, &rc); err != nil {
		return err
	}
	p.printf("receipt %s  number %s  register %s  session %s  %s  closed %s\n", rc.SourceID, rc.Number, rc.Register, rc.SessionID, rc.Type, p.time(rc.ClosedAt))
	p.printf("  opened %s", p.time(rc.OpenedAt))
	if rc.Cashier != "" {
		p.printf("  cashier %s", rc.Cashier)
	}
	if rc.OriginalSourceID != "" {
		p.printf("  returns receipt %s", rc.OriginalSourceID)
	}
	p.printf("\n")
	if b := rc.Buyer; b != nil {
		p.printf("  buyer  %s\n", strings.Join(nonEmpty("code "+b.Code, "VAT code "+b.VATCode, b.Name, b.Address), ", "))
	}
	t := table{header: []string{"no", "barcode", "name", "quantity", "unit price", "discount", "VAT %", "total", "VAT"}, right: []bool{true, false, false, true, true, true, true, true, true}}
	for _, l := range rc.Lines {
		qty := l.Quantity.String()
		if l.Unit != "" {
			qty += " " + l.Unit
		}
		t.add(fmt.Sprint(l.No), l.Barcode, l.Name, qty, money(l.UnitPrice), money(l.Discount), l.VATRate.String(), money(l.Total), money(l.VAT))
	}
	p.printf("%s", t.render("  "))
	if len(rc.Taxes) > 0 {
		tt := table{header: []string{"VAT %", "net", "VAT", "gross"}, right: []bool{true, true, true, true}}
		for _, v := range rc.Taxes {
			tt.add(v.Rate.String(), money(v.Net), money(v.VAT), money(v.Gross))
		}
		p.printf("  VAT per rate as the POS recorded it (the receipt's VAT):\n%s", tt.render("  "))
	}
	p.printf("  payments  %s\n", payments(rc.Payments))
	p.printf("  total %s  VAT %s  rounding %s\n", money(rc.Total), money(rc.VAT), money(rc.Rounding))
	return rc.Validate()
}

func (p *printer) dayClose(data []byte) error {
	var d domain.DayClose
	if err := json.Unmarshal(data, &d); err != nil {
		return err
	}
	p.printf("day close %s  Z %s  register %s  receipts %d  closed %s\n", d.SourceID, d.ZNumber, d.Register, d.ReceiptsCount, p.time(d.ClosedAt))
	p.printf("  opened %s\n", p.time(d.OpenedAt))
	if d.Computed {
		p.printf("  totals computed by the agent from the session's receipts: the POS keeps none\n")
	}
	t := table{header: []string{"VAT %", "net", "VAT", "gross"}, right: []bool{true, true, true, true}}
	for _, v := range d.VAT {
		t.add(v.Rate.String(), money(v.Net), money(v.VAT), money(v.Gross))
	}
	p.printf("%s", t.render("  "))
	p.printf("  payments  %s\n", payments(d.Payments))
	p.printf("  total %s  rounding %s\n", money(d.Total), money(d.Rounding))
	return d.Validate()
}

func money(d decimal.Decimal) string { return d.StringFixed(2) }

func payments(ps []domain.Payment) string {
	if len(ps) == 0 {
		return "none"
	}
	var out []string
	for _, p := range ps {
		out = append(out, p.Code+" "+money(p.Amount))
	}
	return strings.Join(out, "  ")
}

// nonEmpty drops the parts whose value (after a label's space) is empty.
func nonEmpty(parts ...string) []string {
	var out []string
	for _, s := range parts {
		if s != "" && !strings.HasSuffix(s, " ") {
			out = append(out, s)
		}
	}
	return out
}

// table is a small aligned text table.
type table struct {
	header []string
	right  []bool
	rows   [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) render(indent string) string {
	width := make([]int, len(t.header))
	for _, r := range append([][]string{t.header}, t.rows...) {
		for i, c := range r {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	var b strings.Builder
	for _, r := range append([][]string{t.header}, t.rows...) {
		b.WriteString(indent)
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-len([]rune(c)))
			if i > 0 {
				b.WriteString("  ")
			}
			if t.right[i] {
				b.WriteString(pad + c)
			} else if i < len(r)-1 {
				b.WriteString(c + pad)
			} else {
				b.WriteString(c)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}
