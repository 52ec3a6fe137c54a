// Command tiltas-marketfakes serves fake Amazon SP-API and Allegro endpoints on loopback for the
// demo, selling a few orders a minute of the given SKUs, and prints the account configs to
// give tiltas-cloud market add.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/cloud/market/allegro"
	"tiltas/cloud/market/allegrofake"
	"tiltas/cloud/market/amazon"
	"tiltas/cloud/market/amazonfake"
)

func main() {
	amzAddr := flag.String("amazon", "127.0.0.1:8091", "address for the fake Amazon")
	alAddr := flag.String("allegro", "127.0.0.1:8092", "address for the fake Allegro")
	skus := flag.String("skus", "4771234500000,4771234500001,4771234500004,4771234500007", "SKUs the fakes sell, comma separated")
	every := flag.Duration("every", 3*time.Second, "how often each marketplace sells")
	outDir := flag.String("configs", ".", "where to write amazon.json and allegro.json")
	flag.Parse()

	amz := &amazonfake.Server{ClientID: "demo-client", ClientSecret: "demo-secret", RefreshToken: "Atzr|demo",
		Plans: map[string]amazonfake.Plan{"getOrders": {Rate: 5, Burst: 20}, "getOrderItems": {Rate: 20, Burst: 30}}}
	amzURL, err := amz.Listen(*amzAddr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake Amazon:", err)
		os.Exit(1)
	}
	al := &allegrofake.Server{ClientID: "demo-client", ClientSecret: "demo-secret", RefreshToken: "demo-refresh"}
	alURL, err := al.Listen(*alAddr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake Allegro:", err)
		os.Exit(1)
	}
	amzCfg, _ := json.Marshal(amazon.AccountConfig{Config: amazon.Config{Endpoint: amzURL, TokenURL: amzURL + "/auth/o2/token", ClientID: "demo-client",
		ClientSecret: "demo-secret", RefreshToken: "Atzr|demo", MarketplaceIDs: []string{"A1PA6795UKMFR9", "A13V1IB3VIYZZH", "A1C3SOZRARQ6R3"}}, CreateMissing: true})
	alCfg, _ := json.Marshal(allegro.AccountConfig{Config: allegro.Config{APIURL: alURL, AuthURL: alURL, ClientID: "demo-client", ClientSecret: "demo-secret", RefreshToken: "demo-refresh"}, CreateMissing: true})
	for name, b := range map[string][]byte{"amazon.json": amzCfg, "allegro.json": alCfg} {
		if err := os.WriteFile(*outDir+"/"+name, b, 0o600); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	fmt.Printf("fake Amazon at %s, fake Allegro at %s; account configs in %s/amazon.json and allegro.json\n", amzURL, alURL, *outDir)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	list := strings.Split(*skus, ",")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	markets := []struct{ id, country, currency string }{{"A1PA6795UKMFR9", "DE", "EUR"}, {"A13V1IB3VIYZZH", "FR", "EUR"}, {"A1C3SOZRARQ6R3", "PL", "PLN"}}
	for n := 1; ; n++ {
		now := time.Now().UTC()
		m := markets[rng.IntN(len(markets))]
		sku := list[rng.IntN(len(list))]
		price := decimal.New(int64(500+rng.IntN(5000)), -2)
		o := amazon.Order{AmazonOrderId: fmt.Sprintf("302-%07d-%07d", n, now.Unix()%10000000), PurchaseDate: now.Format(time.RFC3339), LastUpdateDate: now.Format(time.RFC3339),
			OrderStatus: "Shipped", FulfillmentChannel: []string{"AFN", "MFN"}[n%2], MarketplaceId: m.id, OrderTotal: &amazon.Money{CurrencyCode: m.currency, Amount: price.StringFixed(2)},
			ShippingAddress: &amazon.Address{CountryCode: m.country}, BuyerInfo: &amazon.BuyerInfo{BuyerEmail: fmt.Sprintf("buyer%d@example.com", n%20)}}
		amz.Put(o, []amazon.OrderItem{{ASIN: "B0DEMO", SellerSKU: sku, OrderItemId: fmt.Sprint(n), Title: "Demo " + sku, QuantityOrdered: 1,
			ItemPrice: &amazon.Money{CurrencyCode: m.currency, Amount: price.StringFixed(2)}}})
		f := allegro.CheckoutForm{ID: fmt.Sprintf("d%07d-0000-11ef-8000-%012d", n, now.Unix()), Status: "READY_FOR_PROCESSING",
			Buyer: allegro.Buyer{Login: fmt.Sprintf("kupujacy_%d", n%20), Email: "k@allegromail.pl", FirstName: "Jan", LastName: "Kowalski"}}
		f.Summary.TotalToPay = allegro.Money{Amount: price.StringFixed(2), Currency: "PLN"}
		f.Buyer.Address = &struct {
			City        string `json:"city,omitempty"`
			CountryCode string `json:"countryCode,omitempty"`
		}{"Warszawa", "PL"} // no delivery address: a parcel-locker pickup, taxed where the buyer lives
		li := allegro.LineItem{ID: fmt.Sprint(n), Quantity: 1, Price: allegro.Money{Amount: price.StringFixed(2), Currency: "PLN"},
			OriginalPrice: allegro.Money{Amount: price.StringFixed(2), Currency: "PLN"}, BoughtAt: now.Format(time.RFC3339)}
		li.Offer.ID, li.Offer.Name = "1", "Demo "+sku
		li.Offer.External = &struct {
			ID string `json:"id"`
		}{ID: sku}
		f.LineItems = []allegro.LineItem{li}
		al.Put(f, "READY_FOR_PROCESSING", now)
		select {
		case <-ctx.Done():
			amz.Close()
			al.Close()
			return
		case <-time.After(*every):
		}
	}
}
