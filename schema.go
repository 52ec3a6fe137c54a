// Package tiltas holds data files shared by several packages: the POS schema that the
// cashier simulator (possim) creates, and so the tests and the demo load.
package tiltas

import _ "embed"

// POSSchema is testdata/pos/schema.sql: the Raso-style POS back-office schema.
//
//go:embed testdata/pos/schema.sql
var POSSchema string
