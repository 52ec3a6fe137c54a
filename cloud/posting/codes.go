package posting

// Code is the kind of a refusal: what a person has to do something about. The books choose the
// suggested fix by code (see cloud/books), never by the words of the message.
type Code string

// Refusal codes.
const (
	CodeNoClassifier     Code = "no_vat_classifier"    // a VAT rate without a classifier
	CodeNoPaymentAccount Code = "no_payment_account"   // a payment code without an account
	CodeNoSeries         Code = "no_series"            // an operation type without a document series
	CodeTotalsDisagree   Code = "totals_disagree"      // the source's own totals do not add up
	CodeBadSource        Code = "bad_source"           // the source cannot be booked as sent
	CodeUnreadable       Code = "unreadable"           // the source's data cannot be read
	CodeBookedOther      Code = "booked_other_content" // booked before with other content
	CodeNoVATRate        Code = "no_vat_rate"          // no standard VAT rate for a country
	CodeNoReducedRate    Code = "no_reduced_rate"      // no rate for a card's VAT category in a country
	CodeNoFXRate         Code = "no_fx_rate"           // no exchange rate for the day
	CodeNoSKU            Code = "no_sku"               // a marketplace line without a SKU
	CodeNoCard           Code = "no_card"              // a SKU without a product card
	CodeBadCard          Code = "bad_card"             // a SKU that cannot become a product card
	CodeCancelBlocked    Code = "cancel_blocked"       // a cancellation that cannot be booked
	CodeBadEntry         Code = "bad_entry"            // a journal entry that does not balance
	CodeBadInput         Code = "bad_input"            // a request that cannot be booked as given
)

// checked is Check as a refusal: an entry that does not balance, or names no account, is for a
// person to fix in the settings (an operation type without its accounts), not a fault to retry.
func (e Entry) checked() error {
	if err := e.Check(); err != nil {
		return Refuse(CodeBadEntry, "journal entry refused: %v: check the operation type's accounts in the settings", err)
	}
	return nil
}
