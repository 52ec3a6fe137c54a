package allegrofake

import (
	"tiltas/cloud/market/allegro"
)

// doc is a JSON object as the fake answers it.
type doc map[string]any

// The fake's answers are written as Allegro's OpenAPI file (swagger.yaml, components.schemas)
// defines them, field by field: never by encoding the client's Go types, so a field the client
// reads wrongly (a name, a type, a place) fails against the fake as it would against Allegro.
// The values come from the forms a test fills in; fields the spec requires and a test does not
// give take what the spec's examples show (surcharges empty, a marketplace of allegro-pl, a
// buyer who is no guest).

// formDoc is a CheckoutForm (components.schemas.CheckoutForm).
func formDoc(f allegro.CheckoutForm) doc {
	b := f.Buyer
	buyer := doc{"id": b.ID, "email": b.Email, "login": b.Login, "guest": b.Guest}
	put(buyer, "firstName", b.FirstName)
	put(buyer, "lastName", b.LastName)
	put(buyer, "companyName", b.CompanyName)
	if a := b.Address; a != nil {
		ad := doc{}
		put(ad, "city", a.City)
		put(ad, "countryCode", a.CountryCode)
		buyer["address"] = ad
	}
	d := doc{"id": f.ID, "status": f.Status, "buyer": buyer, "surcharges": []doc{}, "lineItems": []doc{},
		"summary": doc{"totalToPay": price(f.Summary.TotalToPay)}, "marketplace": doc{"id": "allegro-pl"}}
	put(d, "updatedAt", f.UpdatedAt)
	put(d, "messageToSeller", f.MessageToSeller)
	put(d, "revision", f.Revision)
	if f.Marketplace != nil {
		d["marketplace"] = doc{"id": f.Marketplace.ID}
	}
	if p := f.Payment; p != nil {
		pd := doc{"id": p.ID, "type": p.Type}
		put(pd, "finishedAt", p.FinishedAt)
		if p.PaidAmount != nil {
			pd["paidAmount"] = price(*p.PaidAmount)
		}
		d["payment"] = pd
	}
	if fs := f.Fulfillment; fs != nil {
		d["fulfillment"] = doc{"status": fs.Status}
	}
	if dl := f.Delivery; dl != nil {
		dd := doc{}
		if a := dl.Address; a != nil {
			// The receiver's name, street and postcode are required by the spec: a test that gives
			// none gets the spec's example receiver.
			ad := doc{"firstName": or(a.FirstName, "Jan"), "lastName": or(a.LastName, "Kowalski"), "street": or(a.Street, "Grunwaldzka 182"),
				"city": or(a.City, "Poznań"), "zipCode": or(a.ZipCode, "60-166"), "countryCode": a.CountryCode}
			put(ad, "companyName", a.CompanyName)
			dd["address"] = ad
		}
		if m := dl.Method; m != nil {
			dd["method"] = doc{"id": m.ID, "name": m.Name}
		}
		if dl.Cost != nil {
			dd["cost"] = price(*dl.Cost)
		}
		d["delivery"] = dd
	}
	if inv := f.Invoice; inv != nil {
		id := doc{"required": inv.Required}
		if a := inv.Address; a != nil {
			ad := doc{"street": or(a.Street, "Grunwaldzka 182"), "city": or(a.City, "Poznań"), "zipCode": or(a.ZipCode, "60-166"), "countryCode": a.CountryCode}
			if c := a.Company; c != nil {
				cd := doc{"name": c.Name, "vatPayerStatus": or(c.VATPayerStatus, "NOT_APPLICABLE")}
				var ids []doc
				for _, x := range c.IDs {
					ids = append(ids, doc{"type": x.Type, "value": x.Value})
				}
				if ids != nil {
					cd["ids"] = ids
				}
				put(cd, "taxId", c.TaxID)
				ad["company"] = cd
			}
			id["address"] = ad
		}
		if inv.Features != nil {
			id["features"] = inv.Features
		}
		d["invoice"] = id
	}
	var lines []doc
	for _, li := range f.LineItems {
		offer := doc{"id": li.Offer.ID, "name": li.Offer.Name}
		if li.Offer.External != nil {
			offer["external"] = doc{"id": li.Offer.External.ID}
		}
		ld := doc{"id": li.ID, "offer": offer, "quantity": li.Quantity, "originalPrice": price(li.OriginalPrice), "price": price(li.Price)}
		put(ld, "boughtAt", li.BoughtAt)
		if li.Discounts != nil {
			var ds []doc
			for _, x := range li.Discounts {
				ds = append(ds, doc{"type": x.Type})
			}
			ld["discounts"] = ds
		}
		if li.SelectedAdditionalServices != nil {
			var ss []doc
			for _, x := range li.SelectedAdditionalServices {
				sd := doc{"price": price(x.Price), "quantity": max(x.Quantity, 1)}
				put(sd, "definitionId", x.DefinitionID)
				put(sd, "name", x.Name)
				ss = append(ss, sd)
			}
			ld["selectedAdditionalServices"] = ss
		}
		if li.Deposit != nil {
			ld["deposit"] = doc{"price": price(li.Deposit.Price)}
		}
		lines = append(lines, ld)
	}
	if lines != nil {
		d["lineItems"] = lines
	}
	return d
}

// eventDoc is an OrderEvent of the journal (components.schemas.OrderEvent): the event, with
// the seller, the buyer and the line items of its checkout form f (OrderEventData).
func eventDoc(e allegro.Event, f allegro.CheckoutForm) doc {
	cf := doc{"id": e.Order.CheckoutForm.ID}
	put(cf, "revision", e.Order.CheckoutForm.Revision)
	lines := []doc{}
	for _, li := range f.LineItems {
		ld := doc{"id": li.ID, "offer": doc{"id": li.Offer.ID, "name": li.Offer.Name}, "quantity": li.Quantity, "price": price(li.Price),
			"originalPrice": price(li.OriginalPrice)}
		put(ld, "boughtAt", li.BoughtAt)
		lines = append(lines, ld)
	}
	order := doc{"seller": doc{"id": "437848322"}, "buyer": doc{"id": f.Buyer.ID, "email": f.Buyer.Email, "login": f.Buyer.Login, "guest": f.Buyer.Guest},
		"lineItems": lines, "checkoutForm": cf, "marketplace": doc{"id": "allegro-pl"}}
	if f.Marketplace != nil {
		order["marketplace"] = doc{"id": f.Marketplace.ID}
	}
	return doc{"id": e.ID, "type": e.Type, "occurredAt": e.OccurredAt, "order": order}
}

// price is the spec's Price: amount as a decimal string and its currency.
func price(m allegro.Money) doc { return doc{"amount": m.Amount, "currency": m.Currency} }

func put(d doc, key, v string) {
	if v != "" {
		d[key] = v
	}
}

func or(v, dflt string) string {
	if v == "" {
		return dflt
	}
	return v
}
