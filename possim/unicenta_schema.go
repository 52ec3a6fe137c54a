package possim

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"tiltas"
)

// The uniCenta seed Tiltas adds to the published one (people '0'-'3', location '0', category
// '000', the tax categories and taxes '000'-'002' come from testdata/pos/unicenta/schema.sql):
// one tax category per Lithuanian VAT rate, each with exactly one tax, since a till finds a
// product's tax as the first `taxes` row of its `taxcat` (README §8); rates are fractions.
var unicentaTaxes = []struct {
	id   string
	rate float64
}{{"T21", 0.21}, {"T9", 0.09}, {"T5", 0.05}, {"T0", 0}}

const (
	unicentaCategory = "tiltas" // the category of the simulator's products
	unicentaLocation = "0"      // the published seed's location, uniCenta's default
)

// EnsureUnicentaSchema creates uniCenta oPOS 4.5's tables from testdata/pos/unicenta/schema.sql
// when `tickets` is missing, and adds the seed rows the simulator sells with.
//
// The published DDL declares every table utf8 with ROW_FORMAT = Compact, which MariaDB 10.11's
// default innodb_strict_mode=ON refuses for `customers` and `products` (ERROR 1118 "Row size too
// large"). Of the two workarounds in the notes this takes `SET SESSION innodb_strict_mode=OFF`
// for the load, on one connection, restored afterwards: the DDL stays verbatim (Compact, as a
// real uniCenta database has it) and the two tables load with a warning.
func EnsureUnicentaSchema(ctx context.Context, db *sql.DB) error {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.tables
		WHERE table_schema = DATABASE() AND table_name = 'tickets'`).Scan(&n); err != nil {
		return fmt.Errorf("look for the uniCenta schema: %w", err)
	}
	if n == 0 {
		if err := loadUnicentaSchema(ctx, db); err != nil {
			return err
		}
	}
	return seedUnicenta(ctx, db)
}

func loadUnicentaSchema(ctx context.Context, db *sql.DB) (err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var strict string
	if err := conn.QueryRowContext(ctx, `SELECT @@SESSION.innodb_strict_mode`).Scan(&strict); err != nil {
		return fmt.Errorf("create uniCenta schema: read innodb_strict_mode: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `SET SESSION innodb_strict_mode=OFF`); err != nil {
		return fmt.Errorf("create uniCenta schema: %w", err)
	}
	defer func() {
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), `SET SESSION innodb_strict_mode=`+strict); rerr != nil && err == nil {
			err = fmt.Errorf("create uniCenta schema: restore innodb_strict_mode: %w", rerr)
		}
	}()
	rolesDone := false
	for _, stmt := range SplitSQL(tiltas.UnicentaSchema) {
		// The published roles rows carry $FILE{} permission macros and are not in the excerpt;
		// people.role needs them, so they go in (without permissions) before the first seed row.
		if !rolesDone && strings.HasPrefix(strings.ToUpper(stmt), "INSERT") {
			for i, name := range []string{"Administrator role", "Manager role", "Employee role", "Guest role"} {
				if _, err := conn.ExecContext(ctx, `INSERT INTO roles (id, name, permissions) VALUES (?, ?, NULL)`, fmt.Sprint(i), name); err != nil {
					return fmt.Errorf("create uniCenta schema: roles: %w", err)
				}
			}
			rolesDone = true
		}
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("create uniCenta schema: %w (statement: %.60s...)", err, stmt)
		}
	}
	return nil
}

// seedUnicenta adds (idempotently) the tax categories and taxes, a product category, a few
// customers and 40 products with net prices, as uniCenta's back office stores them: a gross
// shelf price P at rate r is kept as the unrounded double P / (1 + r) (ProductsEditor.java:978-984).
func seedUnicenta(ctx context.Context, db *sql.DB) error {
	exec := func(q string, args ...any) error {
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("seed uniCenta database: %w (statement: %.60s...)", err, q)
		}
		return nil
	}
	for _, t := range unicentaTaxes {
		pct := fmt.Sprintf("PVM %g %%", t.rate*100)
		if err := exec(`INSERT IGNORE INTO taxcategories (id, name) VALUES (?, ?)`, "TC"+t.id[1:], pct); err != nil {
			return err
		}
		if err := exec(`INSERT IGNORE INTO taxes (id, name, category, custcategory, parentid, rate, ratecascade, rateorder)
			VALUES (?, ?, ?, NULL, NULL, ?, FALSE, NULL)`, t.id, pct, "TC"+t.id[1:], t.rate); err != nil {
			return err
		}
	}
	if err := exec(`INSERT IGNORE INTO categories (id, name) VALUES (?, ?)`, unicentaCategory, "Prekės"); err != nil {
		return err
	}
	for i := 1; i <= 5; i++ {
		c := 300000000 + i
		if err := exec(`INSERT IGNORE INTO customers (id, searchkey, taxid, name, address, city, country)
			VALUES (?, ?, ?, ?, 'Gedimino pr. 1', 'Vilnius', 'LT')`,
			fmt.Sprintf("cust-%d", i), fmt.Sprint(c), fmt.Sprintf("LT%d", 100000000+c), fmt.Sprintf("UAB Pirkėjas %d", i)); err != nil {
			return err
		}
	}
	rng := rand.New(rand.NewPCG(7, 8))
	nouns := []string{"Duona", "Pienas", "Sūris", "Obuoliai", "Kava", "Arbata", "Vanduo", "Sultys", "Knyga", "Vaistai"}
	rates := []int{0, 0, 0, 0, 1, 2, 3} // indexes into unicentaTaxes: mostly 21 %
	for i := 0; i < 40; i++ {
		t := unicentaTaxes[rates[rng.IntN(len(rates))]]
		gross := float64(19+rng.IntN(2980)) / 100
		net := gross / (1.0 + t.rate)
		code := fmt.Sprintf("47710%08d", 1000+i)
		// The back office gives a product a random UUID; a product already there keeps its own
		// (code and reference are unique).
		if err := exec(`INSERT IGNORE INTO products (id, reference, code, name, pricebuy, pricesell, category, taxcat, printto)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, '1')`,
			newUUID(), fmt.Sprintf("REF%04d", i+1), code, fmt.Sprintf("%s %d", nouns[i%len(nouns)], i+1),
			math.Round(net*60)/100, net, unicentaCategory, "TC"+t.id[1:]); err != nil {
			return err
		}
		if err := exec(`INSERT IGNORE INTO products_cat (product, catorder) SELECT id, NULL FROM products WHERE code = ?`, code); err != nil {
			return err
		}
	}
	return nil
}

type uProduct struct {
	id, reference, code, name, taxcat, category string
	price                                       float64 // pricesell, net
	taxID                                       string
	rate                                        float64
}

// unicentaProducts reads the products a till can sell, each with the tax uniCenta would apply
// to a walk-in customer: the first `taxes` row by name of its tax category with no parent and
// no customer category (TaxesLogic.java:289-313, DataLogicSales.java:1120-1143).
func unicentaProducts(ctx context.Context, db *sql.DB) ([]uProduct, error) {
	rows, err := db.QueryContext(ctx, `SELECT p.id, p.reference, p.code, p.name, p.taxcat, p.category, p.pricesell,
			(SELECT t.id FROM taxes t WHERE t.category = p.taxcat AND t.parentid IS NULL AND t.custcategory IS NULL ORDER BY t.name LIMIT 1),
			(SELECT t.rate FROM taxes t WHERE t.category = p.taxcat AND t.parentid IS NULL AND t.custcategory IS NULL ORDER BY t.name LIMIT 1)
		FROM products p WHERE p.isservice = 0 AND p.pricesell > 0 ORDER BY p.code LIMIT 2000`)
	if err != nil {
		return nil, fmt.Errorf("read uniCenta products: %w", err)
	}
	defer rows.Close()
	var out []uProduct
	for rows.Next() {
		var p uProduct
		var tax sql.NullString
		var rate sql.NullFloat64
		if err := rows.Scan(&p.id, &p.reference, &p.code, &p.name, &p.taxcat, &p.category, &p.price, &tax, &rate); err != nil {
			return nil, fmt.Errorf("read uniCenta products: %w", err)
		}
		if !tax.Valid {
			continue // uniCenta cannot sell it either: "cannot calculate taxes"
		}
		p.taxID, p.rate = tax.String, rate.Float64
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the uniCenta database has no product with a price and a tax to sell")
	}
	return out, nil
}
