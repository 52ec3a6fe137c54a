package amazonfake

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"tiltas/cloud/market/amazon"
)

// doc is a JSON object as the fake answers it.
type doc map[string]any

func (d doc) str(key string) string { s, _ := d[key].(string); return s }

// salesChannels are the Amazon sites of the marketplace ids (SalesChannel in the model).
var salesChannels = map[string]string{
	"A1PA6795UKMFR9": "Amazon.de", "A13V1IB3VIYZZH": "Amazon.fr", "A1805IZSGTT6HS": "Amazon.nl", "A1C3SOZRARQ6R3": "Amazon.pl",
	"A2NODRKZP88ZB9": "Amazon.se", "A1RKKUPIHCS9HS": "Amazon.es", "APJ6JRA9NG5V4": "Amazon.it", "AMEN7PMS3EDWL": "Amazon.com.be",
	"ATVPDKIKX0DER": "Amazon.com", "A1F83G8C2ARO7P": "Amazon.co.uk",
}

// orderDoc is an order as getOrders answers it: the model's Order (ordersV0.json
// definitions.Order), with the fields the test gave and, for the rest, what the model's published
// getOrders example shows for a standard merchant order (PaymentMethod "Other", OrderType
// "StandardOrder", the Is* flags false, ...). Each key and JSON type is the model's, written here,
// not taken from the client's struct tags.
func orderDoc(o amazon.Order) doc {
	d := doc{
		"AmazonOrderId":                o.AmazonOrderId,
		"PurchaseDate":                 o.PurchaseDate,
		"LastUpdateDate":               o.LastUpdateDate,
		"OrderStatus":                  o.OrderStatus,
		"MarketplaceId":                o.MarketplaceId,
		"NumberOfItemsShipped":         0,
		"NumberOfItemsUnshipped":       0,
		"PaymentMethod":                "Other",
		"PaymentMethodDetails":         []string{"Standard"},
		"ShipmentServiceLevelCategory": "Standard",
		"OrderType":                    "StandardOrder",
		"EarliestShipDate":             o.PurchaseDate,
		"LatestShipDate":               o.PurchaseDate,
		"IsBusinessOrder":              o.IsBusinessOrder,
		"IsPrime":                      false,
		"IsPremiumOrder":               false,
		"IsGlobalExpressEnabled":       false,
		"IsReplacementOrder":           false,
		"IsSoldByAB":                   false,
		"IsIBA":                        false,
		"IsISPU":                       false,
		"IsAccessPointOrder":           false,
	}
	if o.FulfillmentChannel != "" {
		d["FulfillmentChannel"] = o.FulfillmentChannel
	}
	if o.PaymentMethod != "" {
		d["PaymentMethod"] = o.PaymentMethod
	}
	if o.ShipmentServiceLevelCategory != "" {
		d["ShipmentServiceLevelCategory"] = o.ShipmentServiceLevelCategory
	}
	if o.SalesChannel != "" {
		d["SalesChannel"] = o.SalesChannel
	} else if sc, ok := salesChannels[o.MarketplaceId]; ok {
		d["SalesChannel"] = sc
	}
	if o.OrderTotal != nil {
		d["OrderTotal"] = moneyDoc(o.OrderTotal)
	}
	if a := o.ShippingAddress; a != nil {
		ad := doc{"CountryCode": a.CountryCode}
		for k, v := range map[string]string{"Name": a.Name, "CompanyName": a.CompanyName, "AddressLine1": a.AddressLine1, "AddressLine2": a.AddressLine2,
			"City": a.City, "StateOrRegion": a.StateOrRegion, "PostalCode": a.PostalCode} {
			if v != "" {
				ad[k] = v
			}
		}
		d["ShippingAddress"] = ad
	}
	if b := o.BuyerInfo; b != nil {
		bd := doc{}
		if b.BuyerEmail != "" {
			bd["BuyerEmail"] = b.BuyerEmail
		}
		if b.BuyerName != "" {
			bd["BuyerName"] = b.BuyerName
		}
		if t := b.BuyerTaxInfo; t != nil {
			td := doc{}
			if t.CompanyLegalName != "" {
				td["CompanyLegalName"] = t.CompanyLegalName
			}
			if t.TaxingRegion != "" {
				td["TaxingRegion"] = t.TaxingRegion
			}
			var cls []doc
			for _, c := range t.TaxClassifications {
				cls = append(cls, doc{"Name": c.Name, "Value": c.Value})
			}
			if cls != nil {
				td["TaxClassifications"] = cls
			}
			bd["BuyerTaxInfo"] = td
		}
		d["BuyerInfo"] = bd
	}
	return d
}

// itemDoc is an order item as getOrderItems answers it: the model's OrderItem (ordersV0.json
// definitions.OrderItem), with the fields the test gave and the rest as the published sandbox
// example shows a new item: IsGift "false" (a string in the model), ConditionId "New",
// IsTransparency and SerialNumberRequired false, ProductInfo.NumberOfItems "1" (a string).
func itemDoc(it amazon.OrderItem) doc {
	gift := "false"
	if it.IsGift == "true" {
		gift = "true"
	}
	d := doc{
		"ASIN":                 it.ASIN,
		"OrderItemId":          it.OrderItemId,
		"QuantityOrdered":      it.QuantityOrdered,
		"QuantityShipped":      it.QuantityShipped,
		"ProductInfo":          doc{"NumberOfItems": "1"},
		"IsGift":               gift,
		"ConditionId":          "New",
		"ConditionSubtypeId":   "New",
		"IsTransparency":       false,
		"SerialNumberRequired": false,
	}
	if it.SellerSKU != "" {
		d["SellerSKU"] = it.SellerSKU
	}
	if it.Title != "" {
		d["Title"] = it.Title
	}
	for key, m := range map[string]*amazon.Money{"ItemPrice": it.ItemPrice, "ShippingPrice": it.ShippingPrice, "ItemTax": it.ItemTax,
		"ShippingTax": it.ShippingTax, "ShippingDiscount": it.ShippingDiscount, "PromotionDiscount": it.PromotionDiscount,
		"CODFee": it.CODFee, "CODFeeDiscount": it.CODFeeDiscount} {
		if m != nil {
			d[key] = moneyDoc(m)
		}
	}
	if b := it.BuyerInfo; b != nil {
		bd := doc{}
		if b.GiftWrapPrice != nil {
			bd["GiftWrapPrice"] = moneyDoc(b.GiftWrapPrice)
		}
		if b.GiftWrapTax != nil {
			bd["GiftWrapTax"] = moneyDoc(b.GiftWrapTax)
		}
		if b.GiftMessageText != "" {
			bd["GiftMessageText"] = b.GiftMessageText
		}
		if b.GiftWrapLevel != "" {
			bd["GiftWrapLevel"] = b.GiftWrapLevel
		}
		d["BuyerInfo"] = bd
	}
	return d
}

// moneyDoc is the model's Money: CurrencyCode and Amount, a decimal string.
func moneyDoc(m *amazon.Money) doc { return doc{"CurrencyCode": m.CurrencyCode, "Amount": m.Amount} }

// requestID is an x-amzn-RequestId: a random UUID-shaped id, as SP-API sends on every answer.
func requestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return strings.Join([]string{h[:8], h[8:12], h[12:16], h[16:20], h[20:]}, "-")
}

// itemsShipped is what NumberOfItemsShipped and NumberOfItemsUnshipped say for an order.
func itemsShipped(status string, items []amazon.OrderItem) (shipped, unshipped int) {
	for _, it := range items {
		if status == "Shipped" {
			shipped += it.QuantityOrdered
		} else {
			unshipped += it.QuantityOrdered
		}
	}
	return shipped, unshipped
}

// rdt is a Restricted Data Token the fake issued: until when, and for which resources (path →
// data elements).
type rdt struct {
	expires   time.Time
	resources map[string]map[string]bool
}

// elements are the data elements the token grants for a request path: a resource's path
// matches it exactly, or with {orderId} standing for the order id.
func (t rdt) elements(path string) map[string]bool {
	for p, els := range t.resources {
		if matches(p, path) {
			return els
		}
	}
	return nil
}

// matches says whether a resource path matches a request path: exactly, or with {orderId}
// standing for one path segment.
func matches(pattern, path string) bool {
	if pattern == path {
		return true
	}
	pre, post, ok := strings.Cut(pattern, "{orderId}")
	return ok && strings.HasPrefix(path, pre) && strings.HasSuffix(path, post) &&
		len(path) > len(pre)+len(post) && !strings.Contains(path[len(pre):len(path)-len(post)], "/")
}

// restrictedPaths are the resources of the Orders API the fake issues RDTs for, and the data
// elements each takes (Tokens API use case guide; tokens_2021-03-01.json RestrictedResource).
var restrictedPaths = map[string][]string{
	"/orders/v0/orders":                      {"buyerInfo", "shippingAddress", "buyerTaxInformation"},
	"/orders/v0/orders/{orderId}":            {"buyerInfo", "shippingAddress", "buyerTaxInformation"},
	"/orders/v0/orders/{orderId}/orderItems": {"buyerInfo"},
}

// restrictOrder is an order as an answer carries it for the data elements granted: without
// buyerInfo no BuyerInfo; without shippingAddress only the address's city and country.
func restrictOrder(o doc, pii map[string]bool) doc {
	out := doc{}
	for k, v := range o {
		out[k] = v
	}
	if !pii["buyerInfo"] {
		delete(out, "BuyerInfo")
	}
	if a, ok := o["ShippingAddress"].(doc); ok && !pii["shippingAddress"] {
		kept := doc{}
		for _, k := range []string{"City", "StateOrRegion", "PostalCode", "CountryCode"} {
			if v, ok := a[k]; ok {
				kept[k] = v
			}
		}
		out["ShippingAddress"] = kept
	}
	return out
}

// restrictItem is an item without its BuyerInfo (gift wrap) unless buyerInfo is granted.
func restrictItem(it doc, pii map[string]bool) doc {
	if pii["buyerInfo"] {
		return it
	}
	out := doc{}
	for k, v := range it {
		if k != "BuyerInfo" {
			out[k] = v
		}
	}
	return out
}
