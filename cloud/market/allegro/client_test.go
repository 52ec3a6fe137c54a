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

// A listing whose first page is a full page of forms of one instant goes on through them and
// past them: 150 forms in one millisecond, then 5 later ones.
func TestCheckoutFormsStartingWithOneInstant(t *testing.T) {
	fake := &allegrofake.Server{ClientID: "c", ClientSecret: "s", RefreshToken: "r"}
	base := fake.Start()
	defer fake.Close()
	at := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	for i := range 150 {
		fake.Put(allegro.CheckoutForm{ID: fmt.Sprintf("g%06d", i), Status: "READY_FOR_PROCESSING"}, "READY_FOR_PROCESSING", at)
	}
	for i := range 5 {
		fake.Put(allegro.CheckoutForm{ID: fmt.Sprintf("h%06d", i), Status: "READY_FOR_PROCESSING"}, "READY_FOR_PROCESSING", at.Add(time.Duration(i+1)*time.Second))
	}
	c := allegro.New(allegro.Config{APIURL: base, AuthURL: base, ClientID: "c", ClientSecret: "s", RefreshToken: "r"}, nil)
	c.Rotated = func(string, string, time.Time) error { return nil }
	forms, err := c.CheckoutFormsSince(context.Background(), at.Add(-time.Minute))
	if err != nil || len(forms) != 155 {
		t.Fatalf("%d forms read, want 155 (%v)", len(forms), err)
	}
}

// An access token kept with the account is used only for the connection it was issued for: a
// config whose refresh token (or client, or URLs) changed since gets a new one.
func TestKeptAccessTokenBelongsToItsConnection(t *testing.T) {
	fake := &allegrofake.Server{ClientID: "c", ClientSecret: "s", RefreshToken: "r"}
	base := fake.Start()
	defer fake.Close()
	cfg := allegro.Config{APIURL: base, AuthURL: base, ClientID: "c", ClientSecret: "s", RefreshToken: "r"}
	c := allegro.New(cfg, nil)
	c.Rotated = func(rt, access string, exp time.Time) error {
		cfg.RefreshToken, cfg.AccessToken, cfg.AccessExpires, cfg.AccessFor = rt, access, exp.UTC().Format(time.RFC3339), ""
		cfg.AccessFor = cfg.Fingerprint()
		return nil
	}
	if _, _, err := c.LatestEvent(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := allegro.New(cfg, nil).LatestEvent(context.Background()); err != nil || fake.Rotations != 1 {
		t.Fatalf("the kept token was not reused: %d rotations, %v", fake.Rotations, err)
	}
	changed := cfg
	changed.APIURL = base + "/"
	if changed.Fingerprint() == cfg.AccessFor {
		t.Fatal("a changed API URL keeps the fingerprint")
	}
}
