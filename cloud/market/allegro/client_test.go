package allegro_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"tiltas/cloud/market/allegro"
	"tiltas/cloud/market/allegrofake"
)

// The checkout-form listing pages by updatedAt, sorted explicitly, so it never meets Allegro's
// cap of 10,000 results a search (offset + limit): 10,250 forms three a second and 150 more in
// one millisecond (more than a page of one instant), each read once.
func TestCheckoutFormsPastTheListingCap(t *testing.T) {
	fake := &allegrofake.Server{ClientID: "c", ClientSecret: "s", RefreshToken: "r"}
	base := fake.Start()
	defer fake.Close()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range 10250 {
		f := allegro.CheckoutForm{ID: fmt.Sprintf("f%06d", i), Status: "READY_FOR_PROCESSING"}
		fake.Put(f, "READY_FOR_PROCESSING", start.Add(time.Duration(i/3)*time.Second)) // three forms a second
	}
	for i := range 150 {
		fake.Put(allegro.CheckoutForm{ID: fmt.Sprintf("g%06d", i), Status: "READY_FOR_PROCESSING"}, "READY_FOR_PROCESSING", start.Add(time.Hour))
	}
	c := allegro.New(allegro.Config{APIURL: base, AuthURL: base, ClientID: "c", ClientSecret: "s", RefreshToken: "r"}, nil)
	c.Rotated = func(string, string, time.Time) error { return nil }
	forms, err := c.CheckoutFormsSince(context.Background(), start)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range forms {
		if seen[f.ID] {
			t.Fatalf("form %s read twice", f.ID)
		}
		seen[f.ID] = true
	}
	if len(forms) != 10400 {
		t.Fatalf("%d forms read, want 10400", len(forms))
	}
}
