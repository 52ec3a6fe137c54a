package posting

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/shared/domain"
)

// Order is a marketplace order, the same whichever marketplace it came from. Prices include
// VAT and are in the order's currency.
type Order struct {
	Market      string      `json:"market"` // amazon, allegro
	ID          string      `json:"id"`
	Status      string      `json:"status"`
	PurchasedAt time.Time   `json:"purchased_at"`
	Currency    string      `json:"currency"`
	ShipTo      string      `json:"ship_to"`     // destination country (ISO 3166 alpha-2)
	Marketplace string      `json:"marketplace"` // the marketplace's country, e.g. DE for amazon.de
	FBA         bool        `json:"fba"`         // shipped from the marketplace's warehouse
	Buyer       OrderBuyer  `json:"buyer"`
	B2B         bool        `json:"b2b"`
	Invoice     bool        `json:"invoice"` // the buyer asked for a VAT invoice
	Lines       []OrderLine `json:"lines"`
	// Details are what the marketplace says beyond the lines, kept for the books and invoices.
	Details *OrderDetails `json:"details,omitempty"`
	// Unreadable says why the marketplace's data for this order could not be read (an amount
	// that is not a number, a date that is not a date). Such an order waits in Errors, and is
	// read again when the marketplace changes it; the account's other orders go on.
	Unreadable string `json:"unreadable,omitempty"`
}

// OrderDetails are how an order was paid and delivered, and to whom: what an invoice, a
// reconciliation with the payout, or a question from the buyer needs.
type OrderDetails struct {
	PaymentMethod  string        `json:"payment_method,omitempty"`  // e.g. Amazon "Other", "COD"; Allegro "ONLINE", "CASH_ON_DELIVERY"
	BuyerMessage   string        `json:"buyer_message,omitempty"`   // what the buyer wrote to the seller
	DeliveryMethod string        `json:"delivery_method,omitempty"` // e.g. "Standard", "Allegro Paczkomaty InPost"
	ShipAddress    *OrderAddress `json:"ship_address,omitempty"`
	InvoiceAddress *OrderAddress `json:"invoice_address,omitempty"`
}

// OrderAddress is a delivery or invoice address as the marketplace gave it.
type OrderAddress struct {
	Name     string `json:"name,omitempty"`
	Company  string `json:"company,omitempty"`
	Street   string `json:"street,omitempty"`
	City     string `json:"city,omitempty"`
	PostCode string `json:"post_code,omitempty"`
	Country  string `json:"country,omitempty"`
}

// OrderBuyer is who bought.
type OrderBuyer struct {
	Key       string `json:"key"` // e-mail (Amazon) or login (Allegro): how the customer is matched
	Name      string `json:"name"`
	Company   string `json:"company,omitempty"`
	VATNumber string `json:"vat_number,omitempty"`
}

// Line kinds.
const (
	LineGoods     = "goods"
	LineShipping  = "shipping"
	LineService   = "service"   // another charged service: gift wrapping, a cash-on-delivery fee
	LinePromotion = "promotion" // a discount: on an item (with its SKU), or on the order (without)
)

// OrderLine is one line. A promotion is a positive price with a negative quantity.
type OrderLine struct {
	Kind      string          `json:"kind"`
	SKU       string          `json:"sku"`
	Name      string          `json:"name"`
	Qty       decimal.Decimal `json:"quantity"`
	UnitGross decimal.Decimal `json:"unit_gross"`
	// Gross is the line's total when the marketplace gives that rather than a unit price
	// (Amazon's ItemPrice is for the whole quantity); zero means Qty × UnitGross.
	Gross decimal.Decimal `json:"gross,omitempty"`
}

// VAT treatments of a sale.
const (
	Domestic = "domestic" // to the home country, home rate
	OSS      = "oss"      // EU consumer abroad: the destination's rate, declared through OSS
	IntraEU  = "intra_eu" // EU business with a VAT number: 0 %, reverse charge
	Export   = "export"   // outside the EU: 0 %
)

// EU is the member states (ISO codes; Greece is GR here, EL in VIES).
var EU = map[string]bool{"AT": true, "BE": true, "BG": true, "HR": true, "CY": true, "CZ": true, "DK": true, "EE": true, "FI": true, "FR": true,
	"DE": true, "GR": true, "HU": true, "IE": true, "IT": true, "LV": true, "LT": true, "LU": true, "MT": true, "NL": true, "PL": true,
	"PT": true, "RO": true, "SK": true, "SI": true, "ES": true, "SE": true}

var vatNumber = regexp.MustCompile(`^(AT|BE|BG|HR|CY|CZ|DK|EE|EL|GR|FI|FR|DE|HU|IE|IT|LV|LT|LU|MT|NL|PL|PT|RO|SK|SI|ES|SE)[0-9A-Z]{8,12}$`)

// ValidVATNumber checks a VAT number's form for its country (VIES is not reachable from here).
func ValidVATNumber(n, country string) bool {
	n = strings.ToUpper(strings.ReplaceAll(n, " ", ""))
	if !vatNumber.MatchString(n) {
		return false
	}
	prefix := n[:2]
	return prefix == country || (prefix == "EL" && country == "GR")
}

// intraEUBuyer says whether a VAT number is well formed for an EU member state other than home.
func intraEUBuyer(n, home string) bool {
	n = strings.ToUpper(strings.ReplaceAll(n, " ", ""))
	if len(n) < 2 {
		return false
	}
	country := n[:2]
	if country == "EL" {
		country = "GR"
	}
	return country != home && EU[country] && ValidVATNumber(n, country)
}

// MarketSettings are what posting orders needs beyond the POS settings.
type MarketSettings struct {
	Home    string                     // the seller's country
	Rates   map[string]decimal.Decimal // standard VAT rate per country
	OSSVAT  string                     // VAT due under OSS
	FX      decimal.Decimal            // order currency per 1 EUR (1 for EUR)
	Classes map[string]string          // treatment → classifier for 0 % and OSS sales
	// Reduced are rates by product category: country → category → rate (books, food...).
	Reduced map[string]map[string]decimal.Decimal
}

// Item is what booking needs of a line's product card.
type Item struct {
	Service  bool            // a service card: revenue on the services account, no stock
	Rate     decimal.Decimal // the card's VAT rate at home
	Category string          // the card's VAT category, for reduced rates abroad; "" is standard
}

// Treatment decides the VAT of an order: treatment, rate and classifier.
func Treatment(o *Order, s Settings, m MarketSettings) (string, decimal.Decimal, string, error) {
	dest := strings.ToUpper(o.ShipTo)
	switch {
	case dest == m.Home:
		rate, ok := m.Rates[dest]
		if !ok {
			return "", rate, "", refuseCode(CodeNoVATRate, "no VAT rate for %s: import the EU VAT rate table", dest)
		}
		class, err := s.classOf(rate)
		return Domestic, rate, class, err
	case !EU[dest]:
		return Export, decimal.Zero, m.Classes[Export], nil
	case o.B2B && intraEUBuyer(o.Buyer.VATNumber, m.Home):
		// A business registered for VAT in another member state: 0 % whichever member state
		// the goods go to.
		return IntraEU, decimal.Zero, m.Classes[IntraEU], nil
	default:
		rate, ok := m.Rates[dest]
		if !ok {
			return "", rate, "", refuseCode(CodeNoVATRate, "no VAT rate for %s: import the EU VAT rate table", dest)
		}
		return OSS, rate, m.Classes[OSS], nil
	}
}

// MarketDoc is an order's sales document: amounts in EUR, with the order-currency total.
type MarketDoc struct {
	Doc
	Treatment     string
	Currency      string
	FX            decimal.Decimal
	TotalCurrency decimal.Decimal
}

// OrderDoc makes the sales document of an order. VAT is taken per line from the VAT-inclusive
// price in the order's currency, then net and VAT are converted to EUR at the stored rate.
//
// The rate of a line: at home, its card's rate; to a consumer in another member state, the
// rate there for the card's VAT category (the standard rate when it has none); 0 % intra-EU
// and for export. Lines without a card (shipping, services, a discount on the whole order)
// follow the order's goods: at their rate when they share one, apportioned by their value
// across their rates when they do not (a line per rate), and at the standard rate when the
// order has no goods with a card.
// items tells a SKU's card; nil or unknown SKUs are standard-rate goods.
func OrderDoc(o *Order, s Settings, m MarketSettings, items func(sku string) (Item, bool)) (MarketDoc, error) {
	treatment, standard, standardClass, err := Treatment(o, s, m)
	if err != nil {
		return MarketDoc{}, err
	}
	if !m.FX.IsPositive() {
		return MarketDoc{}, refuseCode(CodeNoFXRate, "no exchange rate for %s on %s: import ECB rates", o.Currency, o.PurchasedAt.Format(time.DateOnly))
	}
	dest := strings.ToUpper(o.ShipTo)
	itemOf := func(sku string) (Item, bool) {
		if items == nil || sku == "" {
			return Item{}, false
		}
		return items(sku)
	}
	// rateOf is a carded line's rate and classifier.
	rateOf := func(it Item, sku string) (decimal.Decimal, string, error) {
		switch treatment {
		case Domestic:
			class, err := s.classOf(it.Rate)
			return it.Rate, class, err
		case OSS:
			if it.Category == "" {
				return standard, standardClass, nil
			}
			r, ok := m.Reduced[dest][it.Category]
			if !ok {
				return r, "", refuseCode(CodeNoReducedRate, "no %s VAT rate for category %q (SKU %s): import the reduced rates (country;category;rate), or clear the card's VAT category", dest, it.Category, sku)
			}
			return r, standardClass, nil
		}
		return standard, standardClass, nil // 0 %: intra-EU or export
	}
	type rated struct {
		rate  decimal.Decimal
		class string
	}
	grossOf := func(l OrderLine) decimal.Decimal {
		if !l.Gross.IsZero() {
			return l.Gross
		}
		return l.Qty.Mul(l.UnitGross).Round(2)
	}
	// The carded lines' rates, and their value per rate: what lines without a card follow.
	lineRates := make([]*rated, len(o.Lines))
	type share struct {
		rated
		gross decimal.Decimal
	}
	var shares []*share
	for i, l := range o.Lines {
		it, ok := itemOf(l.SKU)
		if !ok || l.Kind == LineShipping || l.Kind == LineService {
			continue
		}
		r, class, err := rateOf(it, l.SKU)
		if err != nil {
			return MarketDoc{}, err
		}
		lineRates[i] = &rated{r, class}
		var sh *share
		for _, x := range shares {
			if x.rate.Equal(r) && x.class == class {
				sh = x
			}
		}
		if sh == nil {
			sh = &share{rated: rated{r, class}}
			shares = append(shares, sh)
		}
		sh.gross = sh.gross.Add(grossOf(l))
	}
	slices.SortFunc(shares, func(a, b *share) int { return a.rate.Cmp(b.rate) })
	total := decimal.Zero
	for _, sh := range shares {
		total = total.Add(sh.gross)
	}
	// split is how a line without a card is booked: at the goods' rate when they have one;
	// apportioned by their value when they have several; at the standard rate without goods.
	type part struct {
		rated
		gross decimal.Decimal
	}
	split := func(gross decimal.Decimal) []part {
		switch {
		case len(shares) == 1:
			return []part{{shares[0].rated, gross}}
		case len(shares) == 0 || !total.IsPositive():
			return []part{{rated{standard, standardClass}, gross}}
		}
		var parts []part
		left := gross
		for k, sh := range shares {
			g := left
			if k < len(shares)-1 {
				g = gross.Mul(sh.gross).Div(total).Round(2)
				left = left.Sub(g)
			}
			parts = append(parts, part{sh.rated, g})
		}
		return parts
	}
	d := MarketDoc{Treatment: treatment, Currency: o.Currency, FX: m.FX}
	d.Doc.Treatment, d.Doc.Country = treatment, dest
	d.Op = OpMarket
	if o.Invoice {
		d.Op = OpMarketInvoice
	}
	d.Date = o.PurchasedAt.In(s.Zone).Format(time.DateOnly)
	d.Entry.Memo = fmt.Sprintf("%s order %s (%s, %s)", o.Market, o.ID, treatment, dest)
	// The operation type's accounts: the marketplace's receivable, and revenue.
	t := s.Op(d.Op)
	clearing := t.Debit
	vatAcct := s.Accounts.VAT
	if treatment == OSS {
		vatAcct = m.OSSVAT
	}
	toEUR := func(x decimal.Decimal) decimal.Decimal { return x.Div(m.FX).Round(2) }
	for i, l := range o.Lines {
		parts := []part{{gross: grossOf(l)}}
		if lr := lineRates[i]; lr != nil {
			parts[0].rated = *lr
		} else {
			parts = split(grossOf(l))
		}
		revenue := t.Credit
		if it, _ := itemOf(l.SKU); l.Kind == LineShipping || l.Kind == LineService || it.Service {
			revenue = s.Accounts.Services
		}
		for _, p := range parts {
			name, unit := l.Name, l.UnitGross
			if len(parts) > 1 {
				name = fmt.Sprintf("%s (%s %% part)", l.Name, p.rate)
				if !l.Qty.IsZero() {
					unit = p.gross.Div(l.Qty).Round(2)
				}
			}
			vat := domain.LineVAT(p.gross, p.rate)
			netEUR, vatEUR := toEUR(p.gross.Sub(vat)), toEUR(vat)
			d.Lines = append(d.Lines, Line{No: len(d.Lines) + 1, Barcode: l.SKU, Name: name, Qty: l.Qty, UnitPrice: unit,
				Net: netEUR, VAT: vatEUR, Gross: netEUR.Add(vatEUR), Rate: p.rate, Class: p.class, NetCur: p.gross.Sub(vat), VATCur: vat})
			d.Net, d.VAT = d.Net.Add(netEUR), d.VAT.Add(vatEUR)
			d.TotalCurrency = d.TotalCurrency.Add(p.gross)
			d.Entry.Add(clearing, revenue, netEUR)
			d.Entry.Add(clearing, vatAcct, vatEUR)
		}
	}
	d.Total = d.Net.Add(d.VAT)
	if len(d.Entry.Moves) == 0 {
		return d, refuseCode(CodeBadSource, "order %s has nothing to book", o.ID)
	}
	return d, d.Entry.checked()
}

// Marketplace operation types: a receipt-style sale, and a sale with a VAT invoice.
const (
	OpMarket        = "market"
	OpMarketInvoice = "market_invoice"
)

// OrderRules say, per marketplace account, which order statuses are booked and which mean
// cancelled, and whether a SKU without a product card gets one.
type OrderRules struct {
	PostStatuses   map[string]bool // e.g. Amazon Shipped (or Unshipped+Shipped); Allegro READY_FOR_PROCESSING
	CancelStatuses map[string]bool // Amazon Canceled; Allegro CANCELLED
	CreateMissing  bool            // a SKU without a product card gets one
}

// CardForSKU is the product card a marketplace SKU gets when the account may create missing
// cards: named and priced from the order line, at the home VAT rate.
func CardForSKU(l OrderLine, rate decimal.Decimal) (domain.Card, error) {
	name := l.Name
	if r := []rune(name); len(r) > domain.MaxNameLen {
		name = string(r[:domain.MaxNameLen])
	}
	gross := l.UnitGross.Round(2)
	c := domain.Card{Barcode: l.SKU, Name: name, Unit: "vnt.", PriceGross: gross, PriceNet: gross.Sub(domain.LineVAT(gross, rate)), VATRate: rate, Active: true}
	if err := c.Validate(); err != nil {
		return c, Refuse(CodeBadCard, "SKU %s cannot become a product card: %v", l.SKU, err)
	}
	return c, nil
}
