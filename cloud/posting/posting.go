// Package posting turns receipts and day closes into accounting documents and journal entries.
// It is pure: no database. An entry is a list of moves; a move carries one amount from a credit
// account to a debit account, so every entry balances by construction (Formance's postings).
package posting

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/shared/domain"
)

// Move debits Debit and credits Credit with Amount (> 0).
type Move struct {
	Debit  string          `json:"debit"`
	Credit string          `json:"credit"`
	Amount decimal.Decimal `json:"amount"`
}

// Entry is a journal entry. It is never edited; a correction is its Reverse.
type Entry struct {
	Memo  string `json:"memo"`
	Moves []Move `json:"moves"`
}

// Add appends a move; a negative amount moves the other way and zero adds nothing.
func (e *Entry) Add(debit, credit string, amount decimal.Decimal) {
	switch amount.Sign() {
	case 0:
		return
	case -1:
		debit, credit, amount = credit, debit, amount.Neg()
	}
	e.Moves = append(e.Moves, Move{Debit: debit, Credit: credit, Amount: amount})
}

// Check verifies what construction cannot: accounts named and distinct, amounts positive in
// whole cents. It runs again inside the database transaction that stores the entry.
func (e Entry) Check() error {
	if len(e.Moves) == 0 {
		return errors.New("entry has no moves")
	}
	for i, m := range e.Moves {
		if m.Debit == "" || m.Credit == "" || m.Debit == m.Credit {
			return fmt.Errorf("move %d: debit %q and credit %q must be two named accounts", i+1, m.Debit, m.Credit)
		}
		if m.Amount.Sign() <= 0 {
			return fmt.Errorf("move %d: amount %s must be positive", i+1, m.Amount)
		}
		if _, err := domain.Cents(m.Amount); err != nil {
			return fmt.Errorf("move %d: %w", i+1, err)
		}
	}
	return nil
}

// Reverse is the entry that undoes e.
func (e Entry) Reverse(memo string) Entry {
	r := Entry{Memo: memo}
	for _, m := range e.Moves {
		r.Moves = append(r.Moves, Move{Debit: m.Credit, Credit: m.Debit, Amount: m.Amount})
	}
	return r
}

// Balances sums moves per account: debit positive, credit negative.
func (e Entry) Balances() map[string]decimal.Decimal {
	b := map[string]decimal.Decimal{}
	for _, m := range e.Moves {
		b[m.Debit] = b[m.Debit].Add(m.Amount)
		b[m.Credit] = b[m.Credit].Sub(m.Amount)
	}
	return b
}

// Operation types.
const (
	OpSale     = "sale"     // a receipt: KVT
	OpInvoice  = "invoice"  // an SF receipt: a sales invoice to a named buyer
	OpReturn   = "return"   // a return: a credit note
	OpDaySheet = "daysheet" // a Z report in day-sheet mode: one document per VAT rate
	OpWriteOff = "writeoff" // goods leave (or come back to) stock at cost
	OpStockIn  = "stockin"  // goods received into stock
)

// Accounts are the chart accounts posting uses beside those of the operation types: VAT
// payable, cash rounding and service revenue (the POS settings).
type Accounts struct {
	VAT, Rounding, Services string
}

// OpType is an operation type as the settings show it: the series its documents are numbered
// in, and the accounts its entries debit and credit. A sale debits the receivable and credits
// revenue; a return debits returns and credits the receivable; a write-off debits the cost of
// goods sold and credits inventory; goods received debit inventory and credit payables; a
// marketplace sale debits the marketplace's receivable and credits revenue.
type OpType struct {
	Series, Debit, Credit string
}

// Settings are a tenant's posting rules.
type Settings struct {
	Mode           string           // "receipt" or "dayclose": the tenant's default
	StoreModes     map[int64]string // store id → its own mode, where it has one
	StoreStarts    map[int64]string // store id → its start date (YYYY-MM-DD), where it has one
	AutoWriteOff   bool
	ReturnsToStock bool
	Warehouse      string
	Zone           *time.Location
	Accounts       Accounts
	Payments       map[string]string // payment code → account
	Classifiers    map[string]string // VAT rate (as decimal string) → classifier code
	Ops            map[string]OpType // operation type code → its series and accounts
	// ClosedUntil is the last day of closed books ("" none): nothing is dated on or before it.
	ClosedUntil string
}

// BookingDate is the day a document dated date is booked on: that day, or the first open day
// when the books are closed up to it, with a note saying so ("" when it keeps its day).
func (s Settings) BookingDate(date string) (string, string) {
	if s.ClosedUntil == "" || date > s.ClosedUntil {
		return date, ""
	}
	d, err := time.Parse(time.DateOnly, s.ClosedUntil)
	if err != nil {
		return date, ""
	}
	open := d.AddDate(0, 0, 1).Format(time.DateOnly)
	return open, fmt.Sprintf("dated %s, booked on %s: the books are closed up to %s", date, open, s.ClosedUntil)
}

// Op is an operation type's series and accounts (empty when the tenant has no such type).
func (s Settings) Op(code string) OpType { return s.Ops[code] }

// ModeFor is the POS posting mode of a store: its own, or the tenant's.
func (s Settings) ModeFor(store int64) string {
	if m := s.StoreModes[store]; m != "" {
		return m
	}
	return s.Mode
}

// History says whether something of the store closed on date (YYYY-MM-DD) is before the
// store's start date: history, held and shown but never booked.
func (s Settings) History(store int64, date string) bool {
	start := s.StoreStarts[store]
	return start != "" && date < start
}

// Error is a posting refusal a person must act on (a setting is missing, data disagrees).
// Anything else is an infrastructure error worth retrying. Code says what kind of refusal it
// is, so that what a person can do about it is chosen by kind, never by the message's words.
type Error struct {
	Code Code
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Refuse is a refusal of the given kind.
func Refuse(code Code, format string, args ...any) error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

func refuseCode(code Code, format string, args ...any) error { return Refuse(code, format, args...) }

// Line is a document line. Amounts carry the document's sign (negative on a credit note).
type Line struct {
	No        int             `json:"no"`
	Barcode   string          `json:"barcode"`
	Name      string          `json:"name"`
	Qty       decimal.Decimal `json:"quantity"`
	UnitPrice decimal.Decimal `json:"unit_price"`
	Discount  decimal.Decimal `json:"discount"`
	Net       decimal.Decimal `json:"net"`
	VAT       decimal.Decimal `json:"vat"`
	Gross     decimal.Decimal `json:"gross"`
	Rate      decimal.Decimal `json:"vat_rate"`
	Class     string          `json:"vat_class"`
	// In the document's own currency when it is not EUR (zero otherwise: equal to Net and VAT).
	NetCur decimal.Decimal `json:"net_in_currency,omitempty"`
	VATCur decimal.Decimal `json:"vat_in_currency,omitempty"`
}

// Doc is a document to store: its lines and its entry.
type Doc struct {
	Op        string
	Treatment string // VAT treatment (domestic, oss, intra_eu, export); empty for POS sales
	Country   string // country of consumption
	Date      string // YYYY-MM-DD in the shops' zone
	Buyer     *domain.Buyer
	Lines     []Line
	Net, VAT  decimal.Decimal
	Total     decimal.Decimal
	Entry     Entry
}

func (s Settings) classOf(rate decimal.Decimal) (string, error) {
	if c, ok := s.Classifiers[rate.String()]; ok {
		return c, nil
	}
	return "", refuseCode(CodeNoClassifier, "VAT rate %s%% has no VAT classifier: add one in the settings", rate)
}

func (s Settings) paymentAccount(code string) (string, error) {
	if a, ok := s.Payments[code]; ok {
		return a, nil
	}
	return "", refuseCode(CodeNoPaymentAccount, "payment code %q has no account: map it in the POS settings (e.g. CASH → 2721)", code)
}

// Receipt makes the sales document (sale, SF invoice or credit note) for a receipt. Service
// lines (isService) go to the services revenue account.
func Receipt(r *domain.Receipt, s Settings, isService func(barcode string) bool) (Doc, error) {
	op := map[domain.ReceiptType]string{domain.Sale: OpSale, domain.Invoice: OpInvoice, domain.Return: OpReturn}[r.Type]
	if op == "" {
		return Doc{}, refuseCode(CodeBadSource, "receipt %s has type %q", r.SourceID, r.Type)
	}
	d := Doc{Op: op, Treatment: Domestic, Date: r.ClosedAt.In(s.Zone).Format(time.DateOnly), Buyer: r.Buyer, Total: r.Total}
	a := s.Accounts
	// A sale or invoice debits the receivable and credits revenue; a return the other way.
	t := s.Op(op)
	receivable, goods := t.Debit, t.Credit
	if op == OpReturn {
		receivable, goods = t.Credit, t.Debit
	}
	d.Entry.Memo = fmt.Sprintf("Receipt %s, register %s", r.Number, r.Register)
	// A POS that records VAT per rate is the authority for it: its rounding difference from the
	// lines is booked on each rate's largest line (domain.Receipt.Booked).
	grosses, vats := r.Booked()
	for i, l := range r.Lines {
		class, err := s.classOf(l.VATRate)
		if err != nil {
			return d, err
		}
		gross, vat := grosses[i], vats[i]
		net := gross.Sub(vat)
		d.Lines = append(d.Lines, Line{No: l.No, Barcode: l.Barcode, Name: l.Name, Qty: l.Quantity, UnitPrice: l.UnitPrice, Discount: l.Discount,
			Net: net, VAT: vat, Gross: gross, Rate: l.VATRate, Class: class})
		d.Net, d.VAT = d.Net.Add(net), d.VAT.Add(vat)
		revenue := goods
		if op != OpReturn && isService != nil && isService(l.Barcode) {
			revenue = a.Services
		}
		d.Entry.Add(receivable, revenue, net)
		d.Entry.Add(receivable, a.VAT, vat)
	}
	d.Entry.Add(receivable, a.Rounding, r.Rounding)
	for _, p := range r.Payments {
		acct, err := s.paymentAccount(p.Code)
		if err != nil {
			return d, err
		}
		d.Entry.Add(acct, receivable, p.Amount)
	}
	return d, d.Entry.checked()
}

// ZPart is what the day sheet of one Z report books for one VAT rate.
type ZPart struct {
	Rate     decimal.Decimal
	Net, VAT decimal.Decimal
	Gross    decimal.Decimal
}

// DaySheets makes one day-sheet document per VAT rate for a Z report, less what its SF
// invoices (posted on their own) already booked. Payments are split over the documents in
// payment-code order so that each document's payments equal its gross (the first one carries
// the cash rounding): every document's receivable nets to zero.
func DaySheets(z *domain.DayClose, invoices []domain.Receipt, s Settings) ([]Doc, error) {
	parts := map[string]*ZPart{}
	var order []string
	// The sheets go from the lowest rate up, whatever order the POS lists its totals in: the
	// first carries the rounding and the payments are split in this order, so the same Z
	// books the same sheets from any POS.
	vats := append([]domain.VATTotal(nil), z.VAT...)
	sort.SliceStable(vats, func(i, j int) bool { return vats[i].Rate.LessThan(vats[j].Rate) })
	for _, v := range vats {
		k := v.Rate.String()
		parts[k] = &ZPart{Rate: v.Rate, Net: v.Net, VAT: v.VAT, Gross: v.Gross}
		order = append(order, k)
	}
	pays := map[string]decimal.Decimal{}
	for _, p := range z.Payments {
		pays[p.Code] = pays[p.Code].Add(p.Amount)
	}
	rounding := z.Rounding
	for _, inv := range invoices {
		for _, v := range inv.Rates() {
			k := v.Rate.String()
			p, ok := parts[k]
			if !ok {
				return nil, refuseCode(CodeTotalsDisagree, "SF %s has a line at %s%%, which Z %s does not have", inv.Number, v.Rate, z.ZNumber)
			}
			p.Gross, p.VAT = p.Gross.Sub(v.Gross), p.VAT.Sub(v.VAT)
			p.Net = p.Gross.Sub(p.VAT)
		}
		for _, p := range inv.Payments {
			pays[p.Code] = pays[p.Code].Sub(p.Amount)
		}
		rounding = rounding.Sub(inv.Rounding)
	}
	codes := make([]string, 0, len(pays))
	for c := range pays {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	var kept []*ZPart
	for _, k := range order {
		if p := parts[k]; !p.Gross.IsZero() || !p.VAT.IsZero() {
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 && len(order) > 0 && !rounding.IsZero() {
		kept = append(kept, parts[order[0]]) // only rounding left: it still needs a document
	}
	a := s.Accounts
	t := s.Op(OpDaySheet)
	receivable, goods := t.Debit, t.Credit
	var docs []Doc
	for i, p := range kept {
		class, err := s.classOf(p.Rate)
		if err != nil {
			return nil, err
		}
		d := Doc{Op: OpDaySheet, Treatment: Domestic, Date: z.ClosedAt.In(s.Zone).Format(time.DateOnly), Net: p.Net, VAT: p.VAT}
		d.Entry.Memo = fmt.Sprintf("Z %s, register %s, VAT %s%%", z.ZNumber, z.Register, p.Rate)
		if z.Computed {
			d.Entry.Memo += " (Z totals computed from the receipts: the POS keeps none)"
		}
		d.Lines = []Line{{No: 1, Name: fmt.Sprintf("Day sales, register %s, Z %s, VAT %s%%", z.Register, z.ZNumber, p.Rate),
			Qty: decimal.NewFromInt(1), UnitPrice: p.Gross, Net: p.Net, VAT: p.VAT, Gross: p.Gross, Rate: p.Rate, Class: class}}
		d.Entry.Add(receivable, goods, p.Net)
		d.Entry.Add(receivable, a.VAT, p.VAT)
		target := p.Gross
		if i == 0 {
			d.Entry.Add(receivable, a.Rounding, rounding)
			target = target.Add(rounding)
		}
		d.Total = target
		for _, c := range codes {
			take := pays[c]
			if i < len(kept)-1 { // the last document takes whatever is left
				if target.IsZero() || take.Sign() != target.Sign() {
					continue
				}
				if take.Abs().GreaterThan(target.Abs()) {
					take = target
				}
			}
			if take.IsZero() {
				continue
			}
			acct, err := s.paymentAccount(c)
			if err != nil {
				return nil, err
			}
			d.Entry.Add(acct, receivable, take)
			pays[c] = pays[c].Sub(take)
			target = target.Sub(take)
		}
		if !target.IsZero() {
			return nil, refuseCode(CodeTotalsDisagree, "Z %s: payments and VAT rates differ by %s: the Z report's totals disagree", z.ZNumber, target)
		}
		if err := d.Entry.checked(); err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	return docs, nil
}

// WriteOffValue is the cost of taking qty out of a balance at weighted-average cost. Taking
// everything takes the whole value, so no cent is left behind.
func WriteOffValue(qty, balQty, balValue decimal.Decimal) decimal.Decimal {
	if qty.Equal(balQty) {
		return balValue
	}
	return balValue.Mul(qty).Div(balQty).Round(2)
}

// Key is an idempotency key: tenant-unique, naming the source.
func Key(parts ...string) string { return strings.Join(parts, ":") }
