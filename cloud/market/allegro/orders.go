package allegro

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/cloud/market"
	"tiltas/cloud/posting"
)

// Events older than this are about to leave Allegro's 60-day journal: read checkout forms.
const journalSafe = 59 * 24 * time.Hour

func amount(m *Money) (decimal.Decimal, error) {
	if m == nil {
		return decimal.Zero, nil
	}
	return market.Amount(m.Amount)
}

// details are the form's payment, message, delivery and addresses, for the books and invoices.
func details(f CheckoutForm) *posting.OrderDetails {
	d := &posting.OrderDetails{BuyerMessage: f.MessageToSeller}
	if f.Payment != nil {
		d.PaymentMethod = f.Payment.Type
	}
	if dl := f.Delivery; dl != nil {
		if dl.Method != nil {
			d.DeliveryMethod = dl.Method.Name
		}
		if a := dl.Address; a != nil {
			d.ShipAddress = &posting.OrderAddress{Name: strings.TrimSpace(a.FirstName + " " + a.LastName), Company: a.CompanyName, Street: a.Street,
				City: a.City, PostCode: a.ZipCode, Country: strings.ToUpper(a.CountryCode)}
		}
	}
	if inv := f.Invoice; inv != nil && inv.Address != nil {
		a := inv.Address
		d.InvoiceAddress = &posting.OrderAddress{Street: a.Street, City: a.City, PostCode: a.ZipCode, Country: strings.ToUpper(a.CountryCode)}
		if a.Company != nil {
			d.InvoiceAddress.Company = a.Company.Name
		}
	}
	if *d == (posting.OrderDetails{}) {
		return nil
	}
	return d
}

// marketplaceCountry is the country of an Allegro marketplace id.
func marketplaceCountry(id string) (string, bool) {
	c, ok := map[string]string{"allegro-pl": "PL", "allegro-cz": "CZ", "allegro-sk": "SK", "allegro-hu": "HU", "allegro-business-cz": "CZ"}[id]
	return c, ok
}

// companyVAT decides how a company buyer is taxed and which VAT number the invoice carries.
// The seller is in another member state than Allegro's buyers, so a sale to a company is
// 0 % intra-EU only for a VAT payer whose EU VAT number Allegro verified (invoice.features
// VAT_EU_VERIFIED, the number in company.ids as VAT_EU): Council Directive 2006/112/EC,
// Art. 138(1)(b) and Art. 262 require the customer's valid VAT identification number. A company
// declared NON_ACTIVE is no VAT payer and is taxed as a consumer, as is one whose number is not
// verified (its number is kept off the VAT treatment). Numbers are normalised: "111-11-11-111"
// → "1111111111", with the country prefix the VIES form has.
func companyVAT(c *Company, country string, verified bool) (b2b bool, vat string) {
	if c.VATPayerStatus == "NON_ACTIVE" || !verified {
		return false, ""
	}
	for _, id := range c.IDs {
		if id.Type == "VAT_EU" {
			return true, normaliseVAT(id.Value, country)
		}
	}
	if len(c.IDs) == 0 && c.TaxID != "" { // an older answer: only the deprecated taxId
		return true, normaliseVAT(c.TaxID, country)
	}
	return false, ""
}

// normaliseVAT strips a VAT number of spaces, hyphens and dots and gives it the country prefix
// when it has none (Polish NIPs come without PL).
func normaliseVAT(v, country string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(v) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	n := b.String()
	if country != "" && len(n) > 0 && (n[0] < 'A' || n[0] > 'Z') {
		n = country + n
	}
	return n
}

// FulfillmentCancelled is the status of an order the seller cancelled (fulfillment.status
// CANCELLED): it reverses its booking. A seller who reopens it books it again by hand.
const FulfillmentCancelled = "FULFILLMENT_CANCELLED"

// Map turns a checkout form into a normalised order. offer.external.id is the SKU.
func Map(f CheckoutForm) (posting.Order, error) {
	o := posting.Order{Market: "allegro", ID: f.ID, Status: f.Status, Currency: f.Summary.TotalToPay.Currency}
	// Where it was sold: the marketplace's country (allegro-cz is CZ); an answer without one is
	// from before the field, when Allegro was Polish only.
	o.Marketplace = "PL"
	if f.Marketplace != nil && f.Marketplace.ID != "" {
		mp, ok := marketplaceCountry(f.Marketplace.ID)
		if !ok {
			return o, fmt.Errorf("checkout form %s: marketplace %q is not one this knows (allegro-pl, allegro-cz, allegro-sk, allegro-hu, allegro-business-cz): its country and currency cannot be told", f.ID, f.Marketplace.ID)
		}
		o.Marketplace = mp
	}
	if fs := f.Fulfillment; fs != nil && fs.Status == "CANCELLED" {
		o.Status = FulfillmentCancelled // the seller cancelled it
	}
	if fs := f.Fulfillment; fs != nil && fs.Status == "RETURNED" {
		return o, fmt.Errorf("checkout form %s: every item came back and was refunded (fulfillment RETURNED): a return is booked as a credit note, which is not built yet; book it by hand", f.ID)
	}
	for _, sc := range f.Surcharges {
		if sc.PaidAmount != nil && sc.PaidAmount.Amount != "" && sc.PaidAmount.Amount != "0" && sc.PaidAmount.Amount != "0.00" {
			return o, fmt.Errorf("checkout form %s: a surcharge of %s %s was paid (payment %s): surcharges are not booked yet; book the order by hand", f.ID, sc.PaidAmount.Amount, sc.PaidAmount.Currency, sc.ID)
		}
	}
	when := f.UpdatedAt
	if f.Payment != nil && f.Payment.FinishedAt != "" {
		when = f.Payment.FinishedAt
	} else if len(f.LineItems) > 0 && f.LineItems[0].BoughtAt != "" {
		when = f.LineItems[0].BoughtAt
	}
	var err error
	if o.PurchasedAt, err = time.Parse(time.RFC3339Nano, when); err != nil {
		return o, fmt.Errorf("checkout form %s: time %q: %w", f.ID, when, err)
	}
	// The destination: the delivery address, or without one (a pickup, a digital good) the
	// buyer's own address. Neither: refused, never guessed.
	switch {
	case f.Delivery != nil && f.Delivery.Address != nil && f.Delivery.Address.CountryCode != "":
		o.ShipTo = strings.ToUpper(f.Delivery.Address.CountryCode)
	case f.Buyer.Address != nil && f.Buyer.Address.CountryCode != "":
		o.ShipTo = strings.ToUpper(f.Buyer.Address.CountryCode)
	default:
		return o, fmt.Errorf("checkout form %s: neither delivery.address nor buyer.address has a country: where the sale is taxed cannot be told", f.ID)
	}
	o.Buyer = posting.OrderBuyer{Key: f.Buyer.Login, Name: strings.TrimSpace(f.Buyer.FirstName + " " + f.Buyer.LastName)}
	if o.Buyer.Key == "" {
		o.Buyer.Key = f.Buyer.Email
	}
	o.Details = details(f)
	if inv := f.Invoice; inv != nil && inv.Required {
		o.Invoice = true
		if inv.Address != nil && inv.Address.Company != nil {
			c := inv.Address.Company
			o.Buyer.Company = c.Name
			o.B2B, o.Buyer.VATNumber = companyVAT(c, strings.ToUpper(inv.Address.CountryCode), slices.Contains(inv.Features, "VAT_EU_VERIFIED"))
		}
	}
	for _, li := range f.LineItems {
		price, err := amount(&li.Price)
		if err != nil {
			return o, fmt.Errorf("checkout form %s line %s: %w", f.ID, li.ID, err)
		}
		sku := ""
		if li.Offer.External != nil {
			sku = li.Offer.External.ID
		}
		name := li.Offer.Name
		if len(li.Discounts) > 0 {
			var kinds []string
			for _, d := range li.Discounts {
				kinds = append(kinds, d.Type)
			}
			name += " (" + strings.Join(kinds, ", ") + ")" // the discount is in the price
		}
		o.Lines = append(o.Lines, posting.OrderLine{Kind: posting.LineGoods, SKU: sku, Name: name, Qty: decimal.NewFromInt(int64(li.Quantity)), UnitGross: price})
		for _, svc := range li.SelectedAdditionalServices {
			p, err := amount(&svc.Price)
			if err != nil {
				return o, fmt.Errorf("checkout form %s line %s: additional service %s: %w", f.ID, li.ID, svc.DefinitionID, err)
			}
			qty := svc.Quantity
			if qty < 1 {
				qty = 1
			}
			n := svc.Name
			if n == "" {
				n = svc.DefinitionID
			}
			o.Lines = append(o.Lines, posting.OrderLine{Kind: posting.LineService, Name: n, Qty: decimal.NewFromInt(int64(qty)), UnitGross: p})
		}
		if r := li.Reconciliation; r != nil && r.Value.Amount != "" && r.Value.Amount != "0.00" && r.Value.Amount != "0" {
			return o, fmt.Errorf("checkout form %s line %s: Allegro Prices adds %s %s (%s) that the buyer did not pay: not booked yet; book the order by hand", f.ID, li.ID, r.Value.Amount, r.Value.Currency, r.Type)
		}
		if li.Deposit != nil {
			return o, fmt.Errorf("checkout form %s line %s: a returnable deposit of %s %s is charged with %s: deposits are not booked yet (they are owed back, not sold); book the order by hand", f.ID, li.ID, li.Deposit.Price.Amount, li.Deposit.Price.Currency, li.Offer.Name)
		}
	}
	if f.Delivery != nil {
		cost, err := amount(f.Delivery.Cost)
		if err != nil {
			return o, err
		}
		if !cost.IsZero() {
			o.Lines = append(o.Lines, posting.OrderLine{Kind: posting.LineShipping, Name: "Dostawa", Qty: decimal.NewFromInt(1), UnitGross: cost})
		}
	}
	if o.Currency == "" {
		o.Currency = "PLN"
	}
	// The total to pay is what the buyer owes: items at the prices paid (discounts are in them),
	// their additional services and delivery. Anything else is nothing this can explain: the
	// form waits in Errors with both figures.
	if f.Summary.TotalToPay.Amount != "" {
		toPay, err := amount(&f.Summary.TotalToPay)
		if err != nil {
			return o, fmt.Errorf("checkout form %s: totalToPay: %w", f.ID, err)
		}
		sum := decimal.Zero
		for _, l := range o.Lines {
			sum = sum.Add(l.Qty.Mul(l.UnitGross))
		}
		if !sum.Equal(toPay) {
			return o, fmt.Errorf("checkout form %s: totalToPay is %s %s but its items, additional services and delivery come to %s", f.ID, toPay.StringFixed(2), o.Currency, sum.StringFixed(2))
		}
	}
	return o, nil
}

// Read is Map for a pull: a form that decoded but cannot be booked as sent comes back
// Unreadable, with the reason, to wait in Errors while the account's other orders go on.
func Read(f CheckoutForm) posting.Order { return market.Readable(Map(f)) }

// pull reads the order event journal from the saved event. When there is no saved
// event, or it has left (or is about to leave) the 60-day journal, it takes the latest event
// first and then lists checkout forms by updatedAt, so nothing in between is missed.
// The cursor is "eventID|occurredAt".
func pull(ctx context.Context, cfg AccountConfig, cursor string, save func(AccountConfig) error) ([]posting.Order, string, error) {
	c := New(cfg.Config, nil)
	c.Rotated = func(rt, access string, expires time.Time) error {
		cfg.RefreshToken, cfg.AccessToken, cfg.AccessExpires = rt, access, expires.UTC().Format(time.RFC3339)
		cfg.AccessFor = cfg.Fingerprint()
		return save(cfg)
	}
	eventID, at, _ := strings.Cut(cursor, "|")
	since, _ := time.Parse(time.RFC3339Nano, at)
	fromJournal := eventID != "" && time.Since(since) < journalSafe
	var forms []CheckoutForm
	next := cursor
	if fromJournal {
		ids, last, lastAt, err := readJournal(ctx, c, eventID)
		switch {
		case IsEventGone(err):
			fromJournal = false
		case err != nil:
			return nil, cursor, err
		default:
			for _, id := range ids {
				f, err := c.CheckoutForm(ctx, id)
				if err != nil {
					return nil, cursor, err
				}
				forms = append(forms, f)
			}
			if last != "" {
				next = last + "|" + lastAt
			}
		}
	}
	if !fromJournal {
		latest, latestAt, err := c.LatestEvent(ctx)
		if err != nil {
			return nil, cursor, err
		}
		if since.IsZero() {
			since = time.Now().AddDate(0, 0, -30)
		}
		if forms, err = c.CheckoutFormsSince(ctx, since.Add(-5*time.Minute)); err != nil {
			return nil, cursor, err
		}
		if latest != "" {
			next = latest + "|" + latestAt
		}
	}
	out := make([]posting.Order, 0, len(forms))
	for _, f := range forms {
		out = append(out, Read(f))
	}
	return out, next, nil
}

// readJournal reads events after from; it returns the checkout forms they touch, once each.
func readJournal(ctx context.Context, c *Client, from string) (ids []string, last, lastAt string, err error) {
	seen := map[string]bool{}
	for {
		evs, err := c.Events(ctx, from)
		if err != nil {
			return nil, "", "", err
		}
		for _, e := range evs {
			if id := e.Order.CheckoutForm.ID; id != "" && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
			last, lastAt = e.ID, e.OccurredAt
		}
		if len(evs) < 1000 {
			return ids, last, lastAt, nil
		}
		from = last
	}
}
