// Package books writes the books: it turns what the sources deliver (receipts and Z reports
// from agents, marketplace orders, goods received, a person's cancellation or resolution) into
// documents, journal entries and stock moves, each booking in one transaction under an
// idempotency key, so a crash at any point loses nothing and books nothing twice.
//
// The rules read as the accountant's procedure over the row operations of one transaction (Tx,
// implemented by cloud/db); what to book is decided by cloud/posting, which does no I/O.
package books

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/cloud/db"
	"tiltas/cloud/posting"
	"tiltas/shared/domain"
)

// Tx is what booking needs inside one transaction.
type Tx interface {
	Settings(ctx context.Context, tenantID int64) (posting.Settings, error)
	MarketSettings(ctx context.Context, tenantID int64) (posting.MarketSettings, error)
	ClosedUntil(ctx context.Context, tenantID int64) (string, error)
	FXRate(ctx context.Context, tenantID int64, currency, date string) (decimal.Decimal, error)

	LockHeld(ctx context.Context, kind string, row int64) (db.Held, error)
	SetHeldState(ctx context.Context, kind string, row int64, state int) error
	ZState(ctx context.Context, tenantID, storeID int64, session string) (state int, found bool, err error)
	SessionReceipts(ctx context.Context, tenantID, storeID int64, session string) ([]db.SessionReceipt, error)
	RequeueSession(ctx context.Context, tenantID, storeID int64, session string) error
	RequeueHistory(ctx context.Context, tenantID, storeID int64, session string) error

	DocByKey(ctx context.Context, tenantID int64, key string) (id int64, hash string, err error)
	InsertDoc(ctx context.Context, n db.NewDoc) (int64, error)
	InsertEntry(ctx context.Context, tenantID, docID int64, date string, e posting.Entry, reverses int64) (int64, error)
	DocStatus(ctx context.Context, tenantID, docID int64) (status, date string, err error)
	DocEntries(ctx context.Context, tenantID, docID int64) ([]db.EntryRecord, error)
	MarkCancelled(ctx context.Context, docID int64, date, by string) error
	WriteOffsOf(ctx context.Context, tenantID, docID int64) ([]int64, error)

	Customer(ctx context.Context, tenantID int64, b *domain.Buyer) (int64, error)
	ServiceBarcodes(ctx context.Context, tenantID int64, barcodes []string) (map[string]bool, error)
	Card(ctx context.Context, tenantID int64, barcode string) (posting.Item, bool, error)
	CreateCard(ctx context.Context, tenantID int64, c domain.Card) error

	WarehouseExists(ctx context.Context, tenantID int64, code string) (bool, error)
	EnsureWarehouse(ctx context.Context, tenantID int64, code, name string) error
	Balances(ctx context.Context, tenantID int64, wh string, barcodes []string) (map[string]posting.Balance, error)
	MoveStock(ctx context.Context, tenantID int64, wh string, docID int64, moves []posting.StockMove) error
	DocStockMoves(ctx context.Context, docID int64) ([]db.StockMoveRecord, error)
	MovedSince(ctx context.Context, tenantID int64, wh, barcode string, moveID, exceptDoc int64) (int64, error)
	WrittenOffFor(ctx context.Context, tenantID, saleDoc int64, barcode string) (posting.Balance, error)
	AddUnresolved(ctx context.Context, tenantID, docID int64, lines []posting.Unresolved) error
	UnresolvedLine(ctx context.Context, tenantID, lineID int64) (db.UnresolvedLine, error)
	SetResolved(ctx context.Context, lineID, docID int64) error

	LockOrder(ctx context.Context, rowID int64) (db.HeldOrder, error)
	SetOrderState(ctx context.Context, rowID int64, state string) error
}

// Store is the database as the books use it: transactions, and the queues of what waits to be
// booked.
type Store interface {
	InTx(ctx context.Context, fn func(Tx) error) error
	Settings(ctx context.Context, tenantID int64) (posting.Settings, error)
	Pending(ctx context.Context, kind string, limit int) ([]db.Pending, error)
	RecordFailure(ctx context.Context, tenantID int64, kind string, row int64, msg string) error
	OrdersToBook(ctx context.Context, accountID int64) ([]int64, error)
	SetOrderError(ctx context.Context, rowID int64, reason, fix string) error
	Now() time.Time
	Zone() *time.Location
}

// Books books into a Store.
type Books struct {
	store Store
}

// New books into the cloud's database.
func New(d *db.DB) *Books { return NewWith(dbStore{d}) }

// NewWith books into any Store: for tests of the rules without a database.
func NewWith(s Store) *Books { return &Books{store: s} }

// dbStore is the cloud database as a Store: its transactions as Tx.
type dbStore struct{ *db.DB }

func (s dbStore) InTx(ctx context.Context, fn func(Tx) error) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error { return fn(tx) })
}

// Result counts what a booking pass did.
type Result struct {
	Posted, Failed, Deferred int
}

// today is the day it is in the shops' zone.
func (b *Books) today() string { return b.store.Now().In(b.store.Zone()).Format(time.DateOnly) }
