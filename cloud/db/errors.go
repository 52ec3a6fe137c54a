package db

import (
	"errors"
	"time"
)

// The kinds of error the database answers besides its own failures. The API and the UI each
// translate them into one answer (cloud/api, cloud/ui).
var (
	// ErrNotFound: a named thing does not exist (for this tenant).
	ErrNotFound = errors.New("not found")
	// ErrExists: a thing with that name or code exists already.
	ErrExists = errors.New("already exists")
)

// InvalidError is a refused input: the message says what to fix.
type InvalidError struct{ Err error }

func (e *InvalidError) Error() string { return e.Err.Error() }
func (e *InvalidError) Unwrap() error { return e.Err }

// TooSoonError refuses a request made again before its cooldown is over; Wait is how long is
// left.
type TooSoonError struct {
	Wait time.Duration
	Err  error
}

func (e *TooSoonError) Error() string { return e.Err.Error() }
func (e *TooSoonError) Unwrap() error { return e.Err }
