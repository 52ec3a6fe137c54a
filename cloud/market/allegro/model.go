// Package allegro is the Allegro marketplace: a client for the Allegro REST API's order
// endpoints (the order event journal, checkout forms and event stats, with OAuth refresh
// tokens rotated on every use); the mapping of checkout forms to the books' orders; and the
// account config, its check and booking rules, registered with cloud/market as the kind
// "allegro". Amounts are decimal strings; the media type is
// application/vnd.allegro.public.v1+json.
package allegro

// MediaType is Allegro's versioned JSON.
const MediaType = "application/vnd.allegro.public.v1+json"

// Money is an Allegro amount.
type Money struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

// Buyer is a checkout form's buyer.
type Buyer struct {
	ID          string `json:"id"`
	Email       string `json:"email"`
	Login       string `json:"login"`
	FirstName   string `json:"firstName,omitempty"`
	LastName    string `json:"lastName,omitempty"`
	CompanyName string `json:"companyName,omitempty"`
	Guest       bool   `json:"guest"`
	// Address is the buyer's own address (CheckoutFormBuyerAddressReference).
	Address *struct {
		City        string `json:"city,omitempty"`
		CountryCode string `json:"countryCode,omitempty"`
	} `json:"address,omitempty"`
}

// Offer is the offer a line item was bought from; External.ID is the seller's SKU.
type Offer struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	External *struct {
		ID string `json:"id"`
	} `json:"external,omitempty"`
}

// LineItem is a bought item.
type LineItem struct {
	ID            string `json:"id"`
	Offer         Offer  `json:"offer"`
	Quantity      int    `json:"quantity"`
	OriginalPrice Money  `json:"originalPrice"`
	// Price is the unit price the buyer paid: below OriginalPrice by the line's Discounts.
	Price    Money  `json:"price"`
	BoughtAt string `json:"boughtAt"`
	// Discounts name the kinds of discount in the price (BUNDLE, UNIT_PERCENTAGE_DISCOUNT,
	// COUPON, CAMPAIGN, ...). The form's own discounts field left the spec in January 2026.
	Discounts []struct {
		Type string `json:"type"`
	} `json:"discounts,omitempty"`
	// SelectedAdditionalServices are charged services (carrying in, assembly, ...): in totalToPay.
	SelectedAdditionalServices []AdditionalService `json:"selectedAdditionalServices,omitempty"`
	// Reconciliation is what the Allegro Prices programme adds for the item (WALLET: to the
	// payment; BILLING: as a billing entry).
	Reconciliation *struct {
		Value Money  `json:"value"`
		Type  string `json:"type,omitempty"`
	} `json:"reconciliation,omitempty"`
	// Deposit is a returnable deposit charged with the offer.
	Deposit *struct {
		Price Money `json:"price"`
	} `json:"deposit,omitempty"`
}

// AdditionalService is the spec's CheckoutFormAdditionalService.
type AdditionalService struct {
	DefinitionID string `json:"definitionId,omitempty"`
	Name         string `json:"name,omitempty"`
	Price        Money  `json:"price"`
	Quantity     int    `json:"quantity,omitempty"`
}

// DeliveryAddress is the spec's CheckoutFormDeliveryAddress: the receiver and where to.
type DeliveryAddress struct {
	FirstName   string `json:"firstName,omitempty"`
	LastName    string `json:"lastName,omitempty"`
	Street      string `json:"street,omitempty"`
	City        string `json:"city,omitempty"`
	ZipCode     string `json:"zipCode,omitempty"`
	CountryCode string `json:"countryCode"`
	CompanyName string `json:"companyName,omitempty"`
}

// Address is the spec's CheckoutFormInvoiceAddress: to whom the invoice is made out.
type Address struct {
	Street      string   `json:"street,omitempty"`
	City        string   `json:"city,omitempty"`
	ZipCode     string   `json:"zipCode,omitempty"`
	CountryCode string   `json:"countryCode"`
	Company     *Company `json:"company,omitempty"`
}

// InvoiceInfo is the spec's CheckoutFormInvoiceInfo: whether the buyer wants an invoice, and to
// whom.
type InvoiceInfo struct {
	Required bool     `json:"required"`
	Address  *Address `json:"address,omitempty"`
	// Features: VAT_EU_VERIFIED (the buyer's VAT_EU number is verified for an intra-Community
	// supply) or VAT_EU_UNVERIFIED.
	Features []string `json:"features,omitempty"`
}

// Company is the spec's CheckoutFormInvoiceAddressCompany: a company buyer (null: a private
// purchase).
type Company struct {
	Name string      `json:"name"`
	IDs  []CompanyID `json:"ids,omitempty"`
	// VATPayerStatus is ACTIVE, NON_ACTIVE (declared not a VAT payer) or NOT_APPLICABLE.
	VATPayerStatus string `json:"vatPayerStatus,omitempty"`
	// TaxID is deprecated in the spec (IDs replace it); read only when IDs is empty.
	TaxID string `json:"taxId,omitempty"`
}

// CompanyID is one of a company's tax ids: PL_NIP, CZ_ICO, CZ_DIC, HU_ADOSZAM, SK_ICO,
// SK_IC_DPH, VAT_EU or OTHER.
type CompanyID struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// CheckoutForm is an order.
type CheckoutForm struct {
	ID      string `json:"id"`
	Status  string `json:"status"` // BOUGHT, FILLED_IN, READY_FOR_PROCESSING, CANCELLED
	Buyer   Buyer  `json:"buyer"`
	Payment *struct {
		ID         string `json:"id"`
		Type       string `json:"type"`
		FinishedAt string `json:"finishedAt,omitempty"`
		PaidAmount *Money `json:"paidAmount,omitempty"`
	} `json:"payment,omitempty"`
	Delivery *struct {
		Address *DeliveryAddress `json:"address,omitempty"`
		Method  *struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"method,omitempty"`
		Cost *Money `json:"cost,omitempty"`
	} `json:"delivery,omitempty"`
	Invoice *InvoiceInfo `json:"invoice,omitempty"`
	// Surcharges are further payments the buyer made for the order (CheckoutFormPaymentReference).
	Surcharges []struct {
		ID         string `json:"id"`
		Type       string `json:"type"`
		PaidAmount *Money `json:"paidAmount,omitempty"`
	} `json:"surcharges,omitempty"`
	// MessageToSeller is what the buyer wrote.
	MessageToSeller string `json:"messageToSeller,omitempty"`
	// Marketplace is where it was bought: allegro-pl, allegro-cz, allegro-sk, allegro-hu,
	// allegro-business-cz, ...
	Marketplace *struct {
		ID string `json:"id"`
	} `json:"marketplace,omitempty"`
	// Fulfillment is the seller's side of the order: its status (NEW, ..., SENT, CANCELLED,
	// RETURNED) is the seller's, apart from the buyer's Status.
	Fulfillment *struct {
		Status string `json:"status,omitempty"`
	} `json:"fulfillment,omitempty"`
	LineItems []LineItem `json:"lineItems"`
	Summary   struct {
		TotalToPay Money `json:"totalToPay"`
	} `json:"summary"`
	UpdatedAt string `json:"updatedAt"`
	Revision  string `json:"revision,omitempty"`
}

// Event is an order event in the journal.
type Event struct {
	ID    string `json:"id"`
	Type  string `json:"type"`
	Order struct {
		CheckoutForm struct {
			ID       string `json:"id"`
			Revision string `json:"revision,omitempty"`
		} `json:"checkoutForm"`
	} `json:"order"`
	OccurredAt string `json:"occurredAt"`
}

// EventsResponse is GET /order/events.
type EventsResponse struct {
	Events []Event `json:"events"`
}

// EventStats is GET /order/event-stats.
type EventStats struct {
	LatestEvent struct {
		ID         string `json:"id"`
		OccurredAt string `json:"occurredAt"`
	} `json:"latestEvent"`
}

// CheckoutForms is GET /order/checkout-forms.
type CheckoutForms struct {
	CheckoutForms []CheckoutForm `json:"checkoutForms"`
	Count         int            `json:"count"`
	TotalCount    int            `json:"totalCount"`
}

// Error is an entry of Allegro's error list.
type Error struct {
	Code        string `json:"code"`
	Message     string `json:"message"`
	Details     string `json:"details,omitempty"`
	Path        string `json:"path,omitempty"`
	UserMessage string `json:"userMessage,omitempty"`
}

// Token is the OAuth token answer.
type Token struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
	Scope        string `json:"scope,omitempty"`
	JTI          string `json:"jti,omitempty"`
}

// Text is the error as a person reads it.
func (e Error) Text() string { return e.Code + ": " + e.Message }
