// Package amazon is the Amazon marketplace: a client for the Selling Partner API, Orders v0
// (getOrders and getOrderItems), with the Login with Amazon refresh-token flow; the mapping
// of its orders to the books' orders; and the account config, its check and booking rules,
// registered with cloud/market as the kind "amazon". Shapes follow the published model
// amzn/selling-partner-api-models, models/orders-api-model/ordersV0.json.
package amazon

// Money is the model's Money: the amount is a decimal string.
type Money struct {
	CurrencyCode string `json:"CurrencyCode"`
	Amount       string `json:"Amount"`
}

// Address is the part of the model's Address the books and invoices need.
type Address struct {
	Name          string `json:"Name,omitempty"`
	CompanyName   string `json:"CompanyName,omitempty"`
	AddressLine1  string `json:"AddressLine1,omitempty"`
	AddressLine2  string `json:"AddressLine2,omitempty"`
	City          string `json:"City,omitempty"`
	StateOrRegion string `json:"StateOrRegion,omitempty"`
	PostalCode    string `json:"PostalCode,omitempty"`
	CountryCode   string `json:"CountryCode"`
}

// TaxClassification is a buyer's tax id, e.g. Name "VATNumber".
type TaxClassification struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// BuyerTaxInfo is a business buyer's tax information.
type BuyerTaxInfo struct {
	CompanyLegalName   string              `json:"CompanyLegalName,omitempty"`
	TaxingRegion       string              `json:"TaxingRegion,omitempty"`
	TaxClassifications []TaxClassification `json:"TaxClassifications,omitempty"`
}

// BuyerInfo is the model's BuyerInfo.
type BuyerInfo struct {
	BuyerEmail   string        `json:"BuyerEmail,omitempty"`
	BuyerName    string        `json:"BuyerName,omitempty"`
	BuyerTaxInfo *BuyerTaxInfo `json:"BuyerTaxInfo,omitempty"`
}

// Order is the model's Order (the fields the books use).
type Order struct {
	AmazonOrderId      string `json:"AmazonOrderId"`
	PurchaseDate       string `json:"PurchaseDate"`
	LastUpdateDate     string `json:"LastUpdateDate"`
	OrderStatus        string `json:"OrderStatus"`
	FulfillmentChannel string `json:"FulfillmentChannel,omitempty"` // AFN (FBA) or MFN (FBM)
	SalesChannel       string `json:"SalesChannel,omitempty"`
	OrderTotal         *Money `json:"OrderTotal,omitempty"`
	MarketplaceId      string `json:"MarketplaceId"`
	IsBusinessOrder    bool   `json:"IsBusinessOrder"`
	// PaymentMethod is COD, CVS or Other; ShipmentServiceLevelCategory how it ships.
	PaymentMethod                string     `json:"PaymentMethod,omitempty"`
	ShipmentServiceLevelCategory string     `json:"ShipmentServiceLevelCategory,omitempty"`
	ShippingAddress              *Address   `json:"ShippingAddress,omitempty"`
	BuyerInfo                    *BuyerInfo `json:"BuyerInfo,omitempty"`
}

// OrderItem is the model's OrderItem. ItemPrice is the price for the whole quantity.
type OrderItem struct {
	ASIN              string `json:"ASIN"`
	SellerSKU         string `json:"SellerSKU,omitempty"`
	OrderItemId       string `json:"OrderItemId"`
	Title             string `json:"Title,omitempty"`
	QuantityOrdered   int    `json:"QuantityOrdered"`
	QuantityShipped   int    `json:"QuantityShipped,omitempty"`
	ItemPrice         *Money `json:"ItemPrice,omitempty"`
	ShippingPrice     *Money `json:"ShippingPrice,omitempty"`
	ItemTax           *Money `json:"ItemTax,omitempty"`
	ShippingTax       *Money `json:"ShippingTax,omitempty"`
	ShippingDiscount  *Money `json:"ShippingDiscount,omitempty"`
	PromotionDiscount *Money `json:"PromotionDiscount,omitempty"`
	CODFee            *Money `json:"CODFee,omitempty"`         // cash on delivery
	CODFeeDiscount    *Money `json:"CODFeeDiscount,omitempty"` // taken off the COD fee
	// The tax on the promotion and on the shipping discount (tax-exclusive marketplaces).
	PromotionDiscountTax *Money `json:"PromotionDiscountTax,omitempty"`
	ShippingDiscountTax  *Money `json:"ShippingDiscountTax,omitempty"`
	// TaxCollection says Amazon withheld and remits the tax (Model "MarketplaceFacilitator",
	// the US marketplace): that tax is not the seller's.
	TaxCollection *TaxCollection `json:"TaxCollection,omitempty"`
	// DeemedResellerCategory (IOSS, UOSS) marks Amazon as the deemed supplier for VAT, which
	// applies to sellers established outside the EU.
	DeemedResellerCategory string `json:"DeemedResellerCategory,omitempty"`
	// IsGift is a string in the model ("true" or "false", ordersV0.json definitions.OrderItem),
	// not a boolean: a client that read it as one could decode no paid order's items.
	IsGift string `json:"IsGift,omitempty"`
	// BuyerInfo is the item's buyer information (ItemBuyerInfo): gift wrapping is charged here.
	BuyerInfo *ItemBuyerInfo `json:"BuyerInfo,omitempty"`
}

// TaxCollection is the model's TaxCollection: who withheld the item's tax.
type TaxCollection struct {
	Model            string `json:"Model,omitempty"`            // MarketplaceFacilitator
	ResponsibleParty string `json:"ResponsibleParty,omitempty"` // Amazon Services, Inc.
}

// ItemBuyerInfo is the model's ItemBuyerInfo.
type ItemBuyerInfo struct {
	GiftWrapPrice   *Money `json:"GiftWrapPrice,omitempty"`
	GiftWrapTax     *Money `json:"GiftWrapTax,omitempty"`
	GiftMessageText string `json:"GiftMessageText,omitempty"`
	GiftWrapLevel   string `json:"GiftWrapLevel,omitempty"`
}

// Error is the model's Error.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Details string `json:"details,omitempty"`
}

// OrdersList is GetOrdersResponse.payload.
type OrdersList struct {
	Orders            []Order `json:"Orders"`
	NextToken         string  `json:"NextToken,omitempty"`
	LastUpdatedBefore string  `json:"LastUpdatedBefore,omitempty"`
	CreatedBefore     string  `json:"CreatedBefore,omitempty"`
}

// GetOrdersResponse is the model's GetOrdersResponse.
type GetOrdersResponse struct {
	Payload *OrdersList `json:"payload,omitempty"`
	Errors  []Error     `json:"errors,omitempty"`
}

// OrderItemsList is GetOrderItemsResponse.payload.
type OrderItemsList struct {
	OrderItems    []OrderItem `json:"OrderItems"`
	NextToken     string      `json:"NextToken,omitempty"`
	AmazonOrderId string      `json:"AmazonOrderId"`
}

// GetOrderItemsResponse is the model's GetOrderItemsResponse.
type GetOrderItemsResponse struct {
	Payload *OrderItemsList `json:"payload,omitempty"`
	Errors  []Error         `json:"errors,omitempty"`
}

// RestrictedResource is the Tokens API's RestrictedResource (tokens_2021-03-01.json): a
// restricted operation's method and path, and the kinds of personal data asked for.
type RestrictedResource struct {
	Method       string   `json:"method"`
	Path         string   `json:"path"`
	DataElements []string `json:"dataElements,omitempty"`
}

// CreateRestrictedDataTokenRequest is the Tokens API's request for a Restricted Data Token.
type CreateRestrictedDataTokenRequest struct {
	RestrictedResources []RestrictedResource `json:"restrictedResources"`
}

// CreateRestrictedDataTokenResponse is its answer: the token and its lifetime in seconds.
type CreateRestrictedDataTokenResponse struct {
	RestrictedDataToken string `json:"restrictedDataToken"`
	ExpiresIn           int    `json:"expiresIn"`
}

// TokenResponse is Login with Amazon's answer to a refresh-token grant.
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// Marketplace is one of Amazon's marketplaces as SP-API lists them.
type Marketplace struct {
	ID, Name string
	Country  string // ISO 3166 alpha-2 (the United Kingdom is GB, where Amazon's table writes UK)
	Region   string // na, eu or fe: the SP-API endpoint that serves it (Endpoints)
	// TaxExclusive marketplaces (the US and Canada) price before tax: ItemTax and the other tax
	// fields come on top, and OrderTotal includes them.
	TaxExclusive bool
}

// MarketplaceList is Amazon's published list of marketplace ids with their selling regions
// (developer-docs.amazon.com/sp-api/docs/marketplace-ids and .../sp-api-endpoints).
var MarketplaceList = []Marketplace{
	{"A2EUQ1WTGCTBG2", "Canada", "CA", "na", true}, {"ATVPDKIKX0DER", "United States", "US", "na", true},
	{"A1AM78C64UM0Y8", "Mexico", "MX", "na", false}, {"A2Q3Y263D00KWC", "Brazil", "BR", "na", false},
	{"A28R8C7NBKEWEA", "Ireland", "IE", "eu", false}, {"A1RKKUPIHCS9HS", "Spain", "ES", "eu", false},
	{"A1F83G8C2ARO7P", "United Kingdom", "GB", "eu", false}, {"A13V1IB3VIYZZH", "France", "FR", "eu", false},
	{"AMEN7PMS3EDWL", "Belgium", "BE", "eu", false}, {"A1805IZSGTT6HS", "Netherlands", "NL", "eu", false},
	{"A1PA6795UKMFR9", "Germany", "DE", "eu", false}, {"APJ6JRA9NG5V4", "Italy", "IT", "eu", false},
	{"A2NODRKZP88ZB9", "Sweden", "SE", "eu", false}, {"AE08WJ6YKNBMC", "South Africa", "ZA", "eu", false},
	{"A1C3SOZRARQ6R3", "Poland", "PL", "eu", false}, {"ARBP9OOSHTCHU", "Egypt", "EG", "eu", false},
	{"A33AVAJ2PDY3EV", "Turkey", "TR", "eu", false}, {"A17E79C6D8DWNP", "Saudi Arabia", "SA", "eu", false},
	{"A2VIGQ35RCS4UG", "United Arab Emirates", "AE", "eu", false}, {"A21TJRUUN4KGV", "India", "IN", "eu", false},
	{"A19VAU5U5O7RUS", "Singapore", "SG", "fe", false}, {"A39IBJ37TRP1C6", "Australia", "AU", "fe", false},
	{"A1VC38T7YXB528", "Japan", "JP", "fe", false},
}

// Marketplaces maps each marketplace id to its country.
var Marketplaces = func() map[string]string {
	m := map[string]string{}
	for _, mp := range MarketplaceList {
		m[mp.ID] = mp.Country
	}
	return m
}()

// MarketplaceByID is the marketplace with that id, and false when Amazon publishes none.
func MarketplaceByID(id string) (Marketplace, bool) {
	for _, mp := range MarketplaceList {
		if mp.ID == id {
			return mp, true
		}
	}
	return Marketplace{}, false
}

// Regional endpoints.
var Endpoints = map[string]string{
	"eu": "https://sellingpartnerapi-eu.amazon.com",
	"na": "https://sellingpartnerapi-na.amazon.com",
	"fe": "https://sellingpartnerapi-fe.amazon.com",
}

// TokenURL is Login with Amazon's token endpoint.
const TokenURL = "https://api.amazon.com/auth/o2/token"

// Text is the error as a person reads it.
func (e Error) Text() string { return e.Code + ": " + e.Message }
