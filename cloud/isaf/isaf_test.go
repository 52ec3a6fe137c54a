package isaf_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tiltas/cloud/books"
	"tiltas/cloud/db"
	"tiltas/cloud/isaf"
	"tiltas/cloud/posting"
	"tiltas/internal/dbtest"
	"tiltas/internal/fixture"
	"tiltas/shared/domain"
)

const xsd = "../../testdata/isaf/isaf_1_2.xsd"

// validate runs xmllint against the published schema. xmllint (Debian's libxml2-utils) is
// installed by make test; without it this test fails, it does not skip.
func validate(t *testing.T, x []byte) error {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Fatal("xmllint is needed to validate i.SAF files: apt-get install libxml2-utils (make test does it)")
	}
	f := filepath.Join(t.TempDir(), "isaf.xml")
	if err := os.WriteFile(f, x, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("xmllint", "--noout", "--schema", xsd, f).CombinedOutput()
	if err != nil {
		return &schemaError{string(out)}
	}
	return nil
}

type schemaError struct{ out string }

func (e *schemaError) Error() string { return e.out }

// billed is r issued as typ to buyer; a return names the receipt it returns.
func billed(r domain.Receipt, typ domain.ReceiptType, buyer *domain.Buyer, orig string) domain.Receipt {
	r.Type, r.Buyer, r.OriginalSourceID = typ, buyer, orig
	return r
}

func TestISAFValidatesAgainstTheXSD(t *testing.T) {
	for _, kind := range dbtest.Kinds {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			st := dbtest.Open(t, kind, dbtest.Options())
			who := fixture.Tenant(t, st, "Shop", "S1")
			if _, err := isaf.Write(db.Company{}, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), nil, "1", time.Now()); err == nil || !strings.Contains(err.Error(), "registration code") {
				t.Fatalf("a file without the company code: %v", err)
			}
			if err := st.SetCompany(ctx, who.TenantID, db.Company{Name: "UAB „Parduotuvė“ & Co", Code: "304123456", VATCode: "LT100012345678"}); err != nil {
				t.Fatal(err)
			}
			buyer := &domain.Buyer{Code: "300000001", VATCode: "LT100000000017", Name: "UAB Pirkėjas <Vilnius>"}
			private := &domain.Buyer{Code: "39001010000", Name: "Jonas Jonaitis"}
			rs := []domain.Receipt{
				fixture.Receipt("1", "12.10"),                                     // a plain receipt: not in i.SAF
				billed(fixture.Receipt("2", "24.20"), domain.Invoice, buyer, ""),  // SF
				billed(fixture.Receipt("3", "-12.10"), domain.Return, buyer, "2"), // KS for SF 2
				billed(fixture.Receipt("4", "6.05"), domain.Invoice, private, ""), // SF to a person without a VAT code
				billed(fixture.Receipt("5", "121.00"), domain.Invoice, buyer, ""), // SF, then cancelled: AN
			}
			fixture.Ingest(t, st, who, "s", rs...)
			if _, err := books.New(st).PostPending(ctx, 100); err != nil {
				t.Fatal(err)
			}
			docs, _ := st.Documents(ctx, db.DocQuery{TenantID: who.TenantID, Series: "SF"})
			if err := books.New(st).Cancel(ctx, who.TenantID, docs[len(docs)-1].ID, "test"); err != nil {
				t.Fatal(err)
			}
			// A marketplace OSS sale is declared in the OSS return, not here; an intra-EU invoice is.
			acct, _ := st.CreateMarketAccount(ctx, who.TenantID, "allegro", "A", []byte(`{}`), time.Hour)
			ma := db.MarketAccount{ID: acct, TenantID: who.TenantID, Kind: "allegro", Name: "A"}
			ord := func(id, shipTo, vat string) posting.Order {
				return posting.Order{Market: "allegro", ID: id, Status: "READY", Invoice: true, B2B: vat != "", PurchasedAt: time.Date(2026, 11, 6, 10, 0, 0, 0, time.UTC),
					Currency: "EUR", ShipTo: shipTo, Buyer: posting.OrderBuyer{Key: "b" + id, Company: "Firma " + id, VATNumber: vat},
					Lines: []posting.OrderLine{{Kind: posting.LineShipping, Name: "Paslauga", Qty: fixture.D("1"), UnitGross: fixture.D("50.00")}}}
			}
			st.SaveOrders(ctx, ma, []posting.Order{ord("o1", "DE", ""), ord("o2", "PL", "PL5212345678")})
			if res, err := books.New(st).PostOrders(ctx, ma, posting.OrderRules{PostStatuses: map[string]bool{"READY": true}}); err != nil || res.Posted != 2 {
				t.Fatalf("%+v %v", res, err)
			}

			invs, err := st.ISAFInvoices(ctx, who.TenantID, "2026-11-01", "2026-11-30")
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, inv := range invs {
				kinds = append(kinds, inv.No+":"+inv.Type)
			}
			if got := strings.Join(kinds, " "); got != "GRZ1:KS SF1:SF SF2:SF SF3:AN MSF2:SF" { // by date, series, number; MSF1 is an OSS sale
				t.Fatalf("invoices in i.SAF: %s", got)
			}
			company, _ := st.Company(ctx, who.TenantID)
			x, err := isaf.Write(company, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), invs, "1.0", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if err := validate(t, x); err != nil {
				t.Fatalf("the i.SAF file does not validate against the XSD:\n%v\n%s", err, x)
			}
			for _, want := range []string{"<RegistrationNumber>304123456</RegistrationNumber>", "<InvoiceType>KS</InvoiceType><SpecialTaxation></SpecialTaxation><References><Reference><ReferenceNo>SF1</ReferenceNo>",
				"<TaxCode>PVM13</TaxCode><TaxPercentage>0</TaxPercentage>", "<TaxableValue>20.00</TaxableValue><TaxCode>PVM1</TaxCode><TaxPercentage>21</TaxPercentage><Amount>4.20</Amount>",
				"<VATRegistrationNumber>ND</VATRegistrationNumber><RegistrationNumber>39001010000</RegistrationNumber><Country>LT</Country>", "UAB Pirkėjas &lt;Vilnius&gt;"} {
				if !strings.Contains(string(x), want) {
					t.Errorf("i.SAF lacks %s", want)
				}
			}
			// The check itself bites: a file out of the XSD's order is refused.
			broken := strings.Replace(string(x), "<InvoiceType>SF</InvoiceType><SpecialTaxation></SpecialTaxation>", "<SpecialTaxation></SpecialTaxation><InvoiceType>SF</InvoiceType>", 1)
			if err := validate(t, []byte(broken)); err == nil {
				t.Fatal("xmllint accepted a file with elements out of order")
			}
			// An empty month is a valid file too.
			empty, _ := isaf.Write(company, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), nil, "1.0", time.Now())
			if err := validate(t, empty); err != nil {
				t.Fatalf("an empty month: %v", err)
			}
		})
	}
}
