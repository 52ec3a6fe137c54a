// Package tiltas holds data files shared by several packages: the POS schema that the
// cashier simulator creates and the tests load.
package tiltas

import _ "embed"

// POSSchema is testdata/pos/schema.sql: the Raso-style POS back-office schema.
//
//go:embed testdata/pos/schema.sql
var POSSchema string

// EUVATRates is testdata/vat/eu-rates.csv: the standard VAT rate of each EU member state,
// which every new tenant starts with and an accountant can re-import.
//
//go:embed testdata/vat/eu-rates.csv
var EUVATRates string
