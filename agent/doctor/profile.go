package doctor

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/shopspring/decimal"

	"tiltas/agent/capture"
	"tiltas/agent/config"
	"tiltas/agent/items"
	"tiltas/agent/profile"
	"tiltas/shared/domain"
)

// SampleRows is how many rows doctor reads with each of the profile's queries.
const SampleRows = 5

// reads runs each of the profile's read queries against the POS in a read-only transaction,
// at most SampleRows rows each; the rows queries take ids the scans found.
func reads(ctx context.Context, db *sql.DB, p *profile.Profile, dsn *mysql.Config) []Check {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return []Check{{Fail, "pos read", "begin a read-only transaction: " + shortErr(err), "check the POS database"}}
	}
	defer tx.Rollback()
	var out []Check
	ids := map[string][]string{} // "receipts", "day_closes" → ids their scan found
	for _, q := range p.Reads() {
		group, _, _ := strings.Cut(q.Key, ".")
		values := map[string]any{}
		if contains(q.Params, "after_time") {
			first := any("")
			if q.Type("id") == profile.Int {
				first = int64(-1)
			}
			values = profile.ScanParams(time.Time{}, first, SampleRows)
		}
		if contains(q.Params, "ids") {
			values["ids"] = ids[group]
			if len(ids[group]) == 0 {
				values["ids"] = []string{"0"} // nothing closed yet: the query still runs, on no row
			}
		}
		sample := *q
		sample.SQL = "SELECT * FROM (\n" + strings.TrimRight(strings.TrimSpace(q.SQL), ";") + "\n) AS tiltas_doctor LIMIT " + fmt.Sprint(SampleRows)
		found, err := run(ctx, tx, &sample, values, p.Conversions.Amounts == profile.Doubles)
		if err != nil {
			out = append(out, readFailure(q, p, dsn, err))
			continue
		}
		if strings.HasSuffix(q.Key, ".scan") {
			ids[group] = found
		}
	}
	if len(out) == 0 {
		out = append(out, Check{OK, "pos read", fmt.Sprintf("the profile's %d queries run (read-only, at most %d rows each; %d closed receipts and %d day closes read in full)",
			len(p.Reads()), SampleRows, len(ids["receipts"]), len(ids["day_closes"])), ""})
	}
	return out
}

// run reads every row of a query (every column scanned as declared), and returns the ids.
func run(ctx context.Context, tx *sql.Tx, q *profile.Query, values map[string]any, doubles bool) ([]string, error) {
	rows, err := capture.Query(ctx, tx, q, values)
	if err != nil {
		return nil, err
	}
	if cts, err := rows.ColumnTypes(); err == nil {
		for i, ct := range cts {
			if err := profile.Compatible(q.Cols[i].Type, ct.DatabaseTypeName(), doubles); err != nil {
				rows.Close()
				return nil, &typeError{fmt.Sprintf("%s.columns: %s %s: %v", q.Key, q.Cols[i].Name, q.Cols[i].Type, err)}
			}
		}
	}
	var ids []string
	for rows.Next() {
		if err := rows.Scan(); err != nil {
			rows.Close()
			return ids, err
		}
		if id := rows.Str("id"); id.Valid {
			ids = append(ids, id.String)
		}
	}
	return ids, rows.Close()
}

func readFailure(q *profile.Query, p *profile.Profile, dsn *mysql.Config, err error) Check {
	where := fmt.Sprintf("in the profile (%s)", p.Source)
	if strings.HasPrefix(p.Source, "shipped ") {
		where = fmt.Sprintf("(the shipped %s profile does not fit this database: write a profile file and name it in pos.profile)", p.Name)
	}
	detail := q.Key + ": " + shortErr(err)
	fix := "correct " + q.Key + ".sql " + where
	var me *mysql.MySQLError
	switch {
	case errors.As(err, new(*typeError)):
		detail = err.Error()
		fix = "correct " + q.Key + ".sql or " + q.Key + ".columns " + where
	case errors.Is(err, profile.ErrColumns):
		detail = err.Error()
		fix = "alias the SQL columns (x AS name) or correct " + q.Key + ".columns " + where
	case errors.As(err, &me) && (me.Number == 1142 || me.Number == 1143):
		fix = fmt.Sprintf("GRANT SELECT ON `%s`.* TO '%s'@'%%'; or point pos.dsn at the POS database", dsn.DBName, dsn.User)
	case errors.As(err, &me) && (me.Number == 1146 || me.Number == 1054):
		fix = "name a table and column this database has: correct " + q.Key + ".sql " + where
	case transient(err):
		return Check{Fail, "pos read", detail, transientFix}
	case !errors.As(err, &me):
		fix = "declare each column with the type the database returns: correct " + q.Key + ".columns " + where
	}
	return Check{Fail, "pos read", detail, fix}
}

// transientFix is the fix of a read that failed for the database or the network: Fits lets
// the agent start on it (capture retries), where a profile that does not fit stops it.
const transientFix = "check that the POS database is up and answers; the agent retries it"

// transient says whether a read failed for the database or the network (a timeout, a lost
// connection, a lock wait) rather than for the profile.
func transient(err error) bool {
	var me *mysql.MySQLError
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled), errors.Is(err, driver.ErrBadConn),
		errors.Is(err, mysql.ErrInvalidConn), errors.As(err, &ne):
		return true
	case errors.As(err, &me):
		switch me.Number {
		case 1040, 1053, 1205, 1213, 1317, 2006, 2013: // too many connections, shutdown, lock wait, deadlock, interrupted, gone away, lost
			return true
		}
	}
	return false
}

// typeError is a result column whose database type cannot carry its declared type.
type typeError struct{ msg string }

func (e *typeError) Error() string { return e.msg }

var table = regexp.MustCompile("(?is)^\\s*(?:INSERT\\s+(?:IGNORE\\s+)?(?:INTO\\s+)?|REPLACE\\s+(?:INTO\\s+)?|UPDATE\\s+|DELETE\\s+FROM\\s+)`?([A-Za-z0-9_$.]+)`?")

// writes tries the profile's card statements with a probe card in a transaction that is
// rolled back: the upsert twice (an insert, then an update), then the deactivation if given.
func writes(ctx context.Context, db *sql.DB, p *profile.Profile, dsn *mysql.Config) []Check {
	probe := domain.Card{Barcode: "tiltas-doctor-probe", Name: "probe", Unit: "vnt.", PriceNet: decimal.Zero, PriceGross: decimal.Zero, VATRate: decimal.Zero, Active: true}
	var steps []profile.Statement
	steps = append(steps, p.Cards.Upsert...)
	steps = append(steps, p.Cards.Upsert...)
	steps = append(steps, p.Cards.Deactivate...)
	tables := map[string]bool{}
	var names []string
	for _, s := range steps {
		if m := table.FindStringSubmatch(s.SQL); m != nil && !tables[m[1]] {
			tables[m[1]] = true
			names = append(names, m[1])
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return []Check{{Fail, "pos write", "begin a transaction: " + shortErr(err), "check the POS database"}}
	}
	defer tx.Rollback()
	for i, s := range steps {
		if i == 2*len(p.Cards.Upsert) {
			probe.Active = false
		}
		args := make([]any, len(s.Params))
		for j, name := range s.Params {
			args[j] = items.Value(probe, name)
		}
		if _, err := tx.ExecContext(ctx, s.SQL, args...); err != nil {
			var grants []string
			for _, t := range names {
				grants = append(grants, fmt.Sprintf("GRANT INSERT, UPDATE ON `%s`.`%s` TO '%s'@'%%';", dsn.DBName, t, dsn.User))
			}
			fix := strings.Join(grants, " ")
			var me *mysql.MySQLError
			if errors.As(err, &me) && me.Number != 1142 && me.Number != 1143 {
				fix = "correct " + s.Key + ".sql in the profile (" + p.Source + "): the POS refused it"
			}
			return []Check{{Fail, "pos write", "cannot write product cards: " + s.Key + ": " + shortErr(err), fix}}
		}
	}
	return []Check{{OK, "pos write", "INSERT and UPDATE on " + strings.Join(names, ", ") + " (the profile's card statements, tried and rolled back)", ""}}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Fits checks at the agent's start that its profile fits the POS database: each read runs
// (read-only, a few rows). A profile that names a table or column the database lacks, or
// declares a type it cannot carry, is an error naming the query and the fix, and the agent
// does not start. A POS that cannot be reached is not an error here: capture retries it, and
// what the outbox holds still ships.
func Fits(ctx context.Context, db *sql.DB, cfg *config.Config) error {
	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := db.PingContext(cctx); err != nil {
		return nil
	}
	dsn, _ := mysql.ParseDSN(cfg.POS.DSN)
	var bad []string
	for _, c := range reads(cctx, db, cfg.Profile(), dsn) {
		if c.Level == Fail && c.Fix != transientFix {
			bad = append(bad, c.Detail+" (fix: "+c.Fix+")")
		}
	}
	if n := len(bad); n > 3 {
		bad = append(bad[:3], fmt.Sprintf("and %d more", n-3))
	}
	if len(bad) > 0 {
		return fmt.Errorf("pos.profile %s does not fit the POS database: %s; run tiltas-agent doctor --config %s", cfg.Profile().Source, strings.Join(bad, "; "), cfg.Path())
	}
	return nil
}
