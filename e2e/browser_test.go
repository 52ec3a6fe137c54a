package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tiltas/cloud/books"
	"tiltas/cloud/db"
	"tiltas/cloud/posting"
	"tiltas/internal/dbtest"
	"tiltas/internal/fixture"
	"tiltas/possim"
)

// chromium returns a browser context: Debian's headless Chromium, which make test installs.
// Without it this test fails; it does not skip.
func chromium(t *testing.T) context.Context {
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("this test needs Debian's chromium: apt-get install chromium (make test installs it)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.Headless,
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true), chromedp.UserDataDir(t.TempDir()))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func TestAccountantWorksInTheBrowser(t *testing.T) {
	e := newEnv(t, "sqlite")
	e.cloudInProcess()
	e.agentProc()
	e.sell(context.Background(), possim.Options{Registers: 1, Receipts: 30, Seed: 99})
	e.waitEqual(time.Minute)

	ctx := context.Background()
	st, err := db.Open(ctx, e.cloudURL, dbtest.Options())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := books.New(st).PostPending(ctx, 1000); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateUser(ctx, e.who.TenantID, "buhaltere@shop.lt", "Buhalterė", "a long enough password", db.RoleAccountant); err != nil {
		t.Fatal(err)
	}
	// A marketplace order waiting in Errors: its SKU has no product card yet.
	acct, _ := st.CreateMarketAccount(ctx, e.who.TenantID, "amazon", "Amazon EU", []byte(`{}`), time.Hour)
	ma := db.MarketAccount{ID: acct, TenantID: e.who.TenantID, Kind: "amazon", Name: "Amazon EU"}
	st.SaveOrders(ctx, ma, []posting.Order{{Market: "amazon", ID: "302-7777777-1234567", Status: "Shipped", PurchasedAt: time.Now(), Currency: "EUR", ShipTo: "LT",
		Buyer: posting.OrderBuyer{Key: "pirkejas@example.com"}, Lines: []posting.OrderLine{{Kind: posting.LineGoods, SKU: "AMZ-SKU-9", Name: "Arbatinukas", Qty: fixture.D("1"), UnitGross: fixture.D("24.20")}}}})
	books.New(st).PostOrders(ctx, ma, posting.OrderRules{PostStatuses: map[string]bool{"Shipped": true}})
	latest, _ := st.Receipts(ctx, db.Query{TenantID: e.who.TenantID, Limit: db.PageMax})
	last := latest[len(latest)-1]

	b := chromium(t)
	base := "http://" + e.addr
	do(t, b, "sign in", chromedp.Navigate(base+"/ui/"), chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "buhaltere@shop.lt"), chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "a long enough password"),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`nav[aria-label=Main]`)))
	if h := text(t, b, "h1"); h != "Overview" {
		t.Fatalf("after sign-in: %q", h)
	}
	// The receipt synced a moment ago, and the document it produced.
	do(t, b, "find the receipt", chromedp.Navigate(base+"/ui/receipts?store=VLN1"), chromedp.WaitVisible(chromedp.CSS(`main table`)),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/ui/receipts/%d"]`, last.ID))), chromedp.WaitVisible(chromedp.CSS(`main h2`)))
	if h := text(t, b, "h1"); h != "Receipt "+last.Number {
		t.Fatalf("receipt page %q, want %q", h, "Receipt "+last.Number)
	}
	do(t, b, "open its document", chromedp.Click(chromedp.CSS(`main ul a[href^="/ui/documents/"]`)), chromedp.WaitVisible(chromedp.CSS(`main h2`)))
	doc := text(t, b, "main")
	if !strings.Contains(doc, "Journal") || !strings.Contains(doc, last.Total.StringFixed(2)) || !strings.Contains(doc, "Source receipt") {
		t.Fatalf("document page:\n%s", doc)
	}
	// Import cards from a CSV with one bad row: the good rows land, the bad row's error shows.
	csv := filepath.Join(t.TempDir(), "cards.csv")
	os.WriteFile(csv, []byte("name;attributeName;groupName;measurementUnitName;priceWithoutVat;priceWithVat;vatRate;barcode\n"+
		"Arbatinukas;Prekė;Virtuvė;vnt.;20,00;24,20;21;AMZ-SKU-9\n"+strings.Repeat("Ž", 81)+";Prekė;;vnt.;1,00;1,21;21;BAD-1\n"), 0o600)
	do(t, b, "import the CSV", chromedp.Navigate(base+"/ui/products"), chromedp.WaitVisible(chromedp.CSS(`#import`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#import input[type=file]`), []string{csv}), chromedp.Click(chromedp.CSS(`#import button`)),
		chromedp.WaitVisible(chromedp.CSS(`table.errors`)))
	if errs := text(t, b, "table.errors"); !strings.Contains(errs, "3") || !strings.Contains(errs, "81 characters") {
		t.Fatalf("import errors shown:\n%s", errs)
	}
	// Retry the order in Errors, now that its card exists.
	do(t, b, "retry the order", chromedp.Navigate(base+"/ui/orders?state=errors"), chromedp.WaitVisible(chromedp.CSS(`main table`)))
	if row := text(t, b, "main table"); !strings.Contains(row, "302-7777777-1234567") || !strings.Contains(row, "no product card") {
		t.Fatalf("orders in Errors:\n%s", row)
	}
	do(t, b, "click Retry", chromedp.Click(chromedp.CSS(`main table form button`)), chromedp.WaitVisible(chromedp.CSS(`p.flash`)))
	if posted := text(t, b, "main table"); !strings.Contains(posted, "302-7777777-1234567") {
		t.Fatalf("the order is not among Posted:\n%s", posted)
	}
	// Set the company, then download i.SAF and validate it against the XSD.
	do(t, b, "set the company", chromedp.Navigate(base+"/ui/settings"), chromedp.WaitVisible(chromedp.CSS(`input[name=code]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "UAB Parduotuvė"), chromedp.SendKeys(chromedp.CSS(`input[name=code]`), "304123456"),
		chromedp.Click(chromedp.CSS(`form[action="/ui/settings/company"] button`)), chromedp.WaitVisible(chromedp.CSS(`p.flash`)))
	month := time.Now().Format("2006-01")
	x, err := chromedp.Run(b, chromedp.Evaluate[string](`fetch("/ui/reports/isaf?month=`+month+`").then(r => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "isaf.xml")
	os.WriteFile(f, []byte(x), 0o600)
	if out, err := exec.Command("xmllint", "--noout", "--schema", "../testdata/isaf/isaf_1_2.xsd", f).CombinedOutput(); err != nil {
		t.Fatalf("the downloaded i.SAF does not validate: %v\n%s\n%s", err, out, x)
	}
	if !regexp.MustCompile(`<RegistrationNumber>304123456</RegistrationNumber>`).MatchString(x) {
		t.Fatalf("i.SAF: %s", x)
	}
	// Settings forms wired as a browser submits them: a store's own POS mode (its select sits
	// outside the form, tied to it by form=), and an Allegro account added from its form.
	do(t, b, "set VLN1 to day sheets", chromedp.Navigate(base+"/ui/settings"), chromedp.WaitVisible(chromedp.CSS(`#mode-VLN1`)),
		chromedp.SetValue(chromedp.CSS(`select[form="mode-VLN1"]`), "dayclose"), chromedp.Click(chromedp.CSS(`#mode-VLN1 button`)),
		chromedp.WaitVisible(chromedp.CSS(`p.flash`)))
	if sr, _ := st.StoreByCode(ctx, e.who.TenantID, "VLN1"); sr.POSMode != "dayclose" {
		t.Fatalf("store mode after the form: %q", sr.POSMode)
	}
	do(t, b, "add an Allegro account", chromedp.Navigate(base+"/ui/settings"), chromedp.WaitVisible(chromedp.CSS(`#mode-VLN1`)),
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("details").forEach(d => d.open = true)`),
		chromedp.SendKeys(chromedp.CSS(`form:has(input[value=allegro]) input[name=name]`), "Allegro parduotuvė"),
		chromedp.SendKeys(chromedp.CSS(`form:has(input[value=allegro]) input[name=client_id]`), "cid"),
		chromedp.SendKeys(chromedp.CSS(`form:has(input[value=allegro]) input[name=client_secret]`), "secret"),
		chromedp.SendKeys(chromedp.CSS(`form:has(input[value=allegro]) input[name=refresh_token]`), "rt"),
		chromedp.Click(chromedp.CSS(`form:has(input[value=allegro]) button`)), chromedp.WaitVisible(chromedp.CSS(`p.flash`)))
	if flash := text(t, b, "p.flash"); !strings.Contains(flash, `"Allegro parduotuvė" added`) {
		t.Fatalf("adding an Allegro account: %s", flash)
	}
	if accts, _ := st.MarketAccounts(ctx, e.who.TenantID); len(accts) != 2 || !strings.Contains(string(accts[1].Config), `"api_url":"https://api.allegro.pl"`) {
		t.Fatalf("accounts after the form: %+v", accts)
	}
	// With TILTAS_SCREENSHOTS=dir, pictures of two pages for people to look at.
	if dir := os.Getenv("TILTAS_SCREENSHOTS"); dir != "" {
		for name, path := range map[string]string{"overview": "/ui/", "document": "/ui/documents/1"} {
			do(t, b, "open "+name, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS(`h1`)))
			if png, err := chromedp.Run(b, chromedp.FullScreenshot(100)); err == nil {
				os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
			}
		}
	}
}
