// Package tiltas holds data files shared by several packages: the POS schemas that the
// cashier simulator (possim) creates (ours and uniCenta's), and so the tests and the demo load.
package tiltas

import _ "embed"

// POSSchema is testdata/pos/schema.sql: the Raso-style POS back-office schema.
//
//go:embed testdata/pos/schema.sql
var POSSchema string

// UnicentaSchema is testdata/pos/unicenta/schema.sql: an excerpt of uniCenta oPOS 4.5's published
// MySQL schema (the tables its tickets and cash closes touch) with its seed rows.
//
//go:embed testdata/pos/unicenta/schema.sql
var UnicentaSchema string
