package market

import (
	"fmt"

	"github.com/shopspring/decimal"

	"tiltas/cloud/posting"
)

// Amount reads an amount as a marketplace sends it ("12.50"); an empty one is zero.
func Amount(s string) (decimal.Decimal, error) {
	if s == "" {
		return decimal.Zero, nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return d, fmt.Errorf("amount %q is not a number", s)
	}
	return d, nil
}

// Readable is an order as a pull saves it: one that decoded but cannot be booked as sent
// (err says why) comes back Unreadable, with the reason, to wait in Errors while the account's
// other orders go on. A mapping that fails still gives o its Market, ID and Status.
func Readable(o posting.Order, err error) posting.Order {
	if err != nil {
		return posting.Order{Market: o.Market, ID: o.ID, Status: o.Status, Unreadable: err.Error()}
	}
	return o
}
