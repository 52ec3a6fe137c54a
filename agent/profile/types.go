package profile

import (
	"fmt"
	"strings"
)

// Compatible says whether a result column of the database type (as go-sql-driver/mysql names
// it: DECIMAL, BIGINT, UNSIGNED INT, VARCHAR, DATETIME, DOUBLE, ...) can carry a column
// declared as typ, and if not, why and what to do. doubles says the profile reads DOUBLE money
// (conversions.amounts = "double").
func Compatible(typ, dbType string, doubles bool) error {
	t := strings.TrimPrefix(strings.ToUpper(dbType), "UNSIGNED ")
	integer := t == "TINYINT" || t == "SMALLINT" || t == "MEDIUMINT" || t == "INT" || t == "BIGINT" || t == "YEAR"
	text := strings.Contains(t, "CHAR") || strings.HasSuffix(t, "TEXT") || t == "ENUM" || t == "SET"
	if t == "NULL" || t == "" {
		return nil // a literal NULL, or a driver that does not say
	}
	switch typ {
	case Decimal:
		if (t == "DOUBLE" || t == "FLOAT") && !doubles {
			return fmt.Errorf(`it is %s, which cannot carry money to the cent: CAST it AS DECIMAL(14,2) in the SQL, or set conversions.amounts = "double" to read it through its shortest decimal text, rounded to the cent`, dbType)
		}
		if t == "DOUBLE" || t == "FLOAT" {
			return nil
		}
		if t == "DECIMAL" || integer || text {
			return nil
		}
	case Int:
		if integer {
			return nil
		}
	case Time:
		if t == "DATETIME" || t == "TIMESTAMP" || t == "DATE" {
			return nil
		}
	case Bool:
		if integer || t == "BIT" {
			return nil
		}
	case String:
		if t == "DOUBLE" || t == "FLOAT" {
			return fmt.Errorf("it is %s, whose text is not exact: CAST it in the SQL or declare it as another type", dbType)
		}
		return nil
	}
	return fmt.Errorf("it is %s, which cannot be read as %s: declare it as the type it is, or convert it in the SQL", dbType, typ)
}
