package possim

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"time"

	"github.com/shopspring/decimal"
)

// Profiles the simulator can sell into.
const (
	ProfileReference = "reference" // Tiltas's own schema, testdata/pos/schema.sql
	ProfileUnicenta  = "unicenta"  // uniCenta oPOS 4.5, testdata/pos/unicenta/schema.sql
)

// runUnicenta sells into a uniCenta oPOS 4.5 database the way its tills do (see
// testdata/pos/unicenta/ticket-writes.md): each till (a closedcash host) has an open cash
// session; each ticket is one transaction as DataLogicSales.saveTicket writes it; a day close
// is JPanelCloseMoney's separate statements.
func runUnicenta(ctx context.Context, db *sql.DB, opts Options, log *slog.Logger) (*Stats, error) {
	if err := EnsureUnicentaSchema(ctx, db); err != nil {
		return nil, err
	}
	products, err := unicentaProducts(ctx, db)
	if err != nil {
		return nil, err
	}
	var customers []string
	rows, err := db.QueryContext(ctx, `SELECT id FROM customers ORDER BY id LIMIT 100`)
	if err != nil {
		return nil, fmt.Errorf("read uniCenta customers: %w", err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		customers = append(customers, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read uniCenta customers: %w", err)
	}
	return sellAt(ctx, opts, func(r int) (seller, string, error) {
		t, err := openTill(ctx, db, fmt.Sprintf("R%02d", r+1))
		if err != nil {
			return nil, "", err
		}
		t.products, t.customers, t.log = products, customers, log
		t.rng = mrand.New(mrand.NewPCG(opts.Seed, uint64(r+1)))
		return t, "till " + t.host, nil
	})
}

// till is one uniCenta till: its host name, its open cash session, its cashier.
type till struct {
	db         *sql.DB
	host       string
	money      string // closedcash.money of the open session
	seq        int    // its hostsequence
	person     string // people.id
	personName string
	products   []uProduct
	customers  []string
	rng        *mrand.Rand
	log        *slog.Logger
	sales      []uSoldRef // recent unrefunded sales, for refunds
}

// openTill adds the till's cashier and finds its open cash session, or opens one as uniCenta
// does at start-up (JRootApp.java:446-464): HOSTSEQUENCE = MAX(HOSTSEQUENCE) + 1, or 2 for a
// host's first session.
func openTill(ctx context.Context, db *sql.DB, host string) (*till, error) {
	t := &till{db: db, host: host, person: "possim-" + host, personName: "Kasininkė " + host}
	if _, err := db.ExecContext(ctx, `INSERT IGNORE INTO people (id, name, apppassword, card, role, visible, image)
		VALUES (?, ?, NULL, NULL, '2', TRUE, NULL)`, t.person, t.personName); err != nil {
		return nil, fmt.Errorf("open till %s: cashier: %w", host, err)
	}
	err := db.QueryRowContext(ctx, `SELECT money, hostsequence FROM closedcash WHERE host = ? AND dateend IS NULL
		ORDER BY hostsequence DESC LIMIT 1`, host).Scan(&t.money, &t.seq)
	if errors.Is(err, sql.ErrNoRows) {
		err = t.openSession(ctx, javaNow())
	}
	if err != nil {
		return nil, fmt.Errorf("open till %s: cash session: %w", host, err)
	}
	return t, nil
}

// openSession is DataLogicSystem's m_sequencecash and m_insertcash.
func (t *till) openSession(ctx context.Context, now string) error {
	var max sql.NullInt64
	if err := t.db.QueryRowContext(ctx, `SELECT MAX(HOSTSEQUENCE) FROM closedcash WHERE HOST = ?`, t.host).Scan(&max); err != nil {
		return err
	}
	seq := 1 // getSequenceCash returns 1 for a host with no session
	if max.Valid {
		seq = int(max.Int64)
	}
	money := newUUID()
	if _, err := t.db.ExecContext(ctx, `INSERT INTO closedcash(MONEY, HOST, HOSTSEQUENCE, DATESTART, DATEEND) VALUES (?, ?, ?, ?, ?)`,
		money, t.host, seq+1, now, nil); err != nil {
		return err
	}
	t.money, t.seq = money, seq+1
	return nil
}

// sellOne saves the till's next ticket and returns its total, as uniCenta's double.
func (t *till) sellOne(ctx context.Context) (decimal.Decimal, error) {
	tk := nextUnicentaTicket(t.rng, t.products, t.sales, t.customers)
	if err := t.save(ctx, tk); err != nil {
		return decimal.Zero, err
	}
	return decimal.NewFromFloat(tk.total()), nil
}

// closeDay is the till's Close Cash.
func (t *till) closeDay(ctx context.Context) error { return t.closeCash(ctx) }

// closeCash is "Close Cash" (JPanelCloseMoney.java:281-353): autocommit statements, not one
// transaction. The closed session's DATEEND and the new one's DATESTART are the same instant.
func (t *till) closeCash(ctx context.Context) error {
	now := javaNow()
	if _, err := t.db.ExecContext(ctx, `UPDATE closedcash SET DATEEND = ?, NOSALES = ? WHERE HOST = ? AND MONEY = ?`,
		now, 0, t.host, t.money); err != nil {
		return fmt.Errorf("close cash: %w", err)
	}
	closed := t.seq
	if err := t.openSession(ctx, now); err != nil {
		return fmt.Errorf("close cash: open the next session: %w", err)
	}
	if _, err := t.db.ExecContext(ctx, `INSERT INTO draweropened ( NAME, TICKETID) VALUES (?, ?)`, t.personName, "Close Cash"); err != nil {
		return fmt.Errorf("close cash: %w", err)
	}
	t.log.Info("cash closed", "host", t.host, "hostsequence", closed)
	return nil
}

// javaNow is the till's clock as uniCenta binds it (setTimestamp of a java.util.Date): local
// wall time with milliseconds, which the DATETIME columns truncate to the second on MariaDB.
func javaNow() string { return time.Now().Format("2006-01-02 15:04:05.000") }

// newUUID is UUID.randomUUID().toString(): a random (version 4) UUID in lowercase.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
