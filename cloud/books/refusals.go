package books

import "tiltas/cloud/posting"

// fixes are what a person can do about each kind of refusal.
var fixes = map[posting.Code]string{
	posting.CodeNoSKU:         "give the offer its external id (your SKU) on the marketplace, then Retry",
	posting.CodeNoCard:        "create the product card with this SKU as its barcode (or allow creating missing cards on the account), then Retry",
	posting.CodeNoFXRate:      "import the ECB rates for that date (Settings → FX rates), then Retry",
	posting.CodeUnreadable:    "look at the order on the marketplace: it is read again as soon as it changes there, or press Retry to try the stored copy again",
	posting.CodeNoVATRate:     "import the EU VAT rate table (Settings → VAT rates), then Retry",
	posting.CodeNoReducedRate: "import the reduced rates for that country and category (Settings → VAT rates), or clear the card's VAT category, then Retry",
}

// Fix suggests what a person can do about a refusal of the given kind.
func Fix(code posting.Code) string {
	if f, ok := fixes[code]; ok {
		return f
	}
	return "correct the setting named in the reason, then Retry"
}
