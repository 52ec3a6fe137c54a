package isaf_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"tiltas/cloud/books"
	"tiltas/cloud/db"
	"tiltas/cloud/isaf"
	"tiltas/cloud/posting"
	"tiltas/internal/dbtest"
	"tiltas/shared/domain"
	"tiltas/shared/protocol"
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

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func receipt(id string, typ domain.ReceiptType, gross string, buyer *domain.Buyer, orig string) domain.Receipt {
	g := d(gross)
	r := domain.Receipt{SourceID: id, Register: "R01", SessionID: "1", Number: "N" + id, Type: typ, Buyer: buyer, OriginalSourceID: orig,
		OpenedAt: time.Date(2026, 11, 5, 9, 0, 0, 0, time.UTC), ClosedAt: time.Date(2026, 11, 5, 9, 1, 0, 0, time.UTC),
		Lines:    []domain.Line{{No: 1, Barcode: "1", Name: "Prekė", Quantity: d("1"), UnitPrice: g.Abs(), Discount: d("0"), VATRate: d("21"), Total: g, VAT: domain.LineVAT(g, d("21"))}},
		Payments: []domain.Payment{{Code: "CARD", Amount: g}}, Total: g, VAT: domain.LineVAT(g, d("21")), Rounding: d("0")}
	if typ == domain.Return {
		r.Lines[0].Quantity = d("-1")
	}
	return r
}

func TestISAFValidatesAgainstTheXSD(t *testing.T) {
	for _, kind := range dbtest.Kinds {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			st := dbtest.Open(t, kind, dbtest.Options())
			tn, _ := st.CreateTenant(ctx, "Shop")
			tok, _ := st.EnrollAgent(ctx, tn.ID, "S1", "")
			who, _ := st.AuthAgent(ctx, tok)
			if _, err := isaf.Write(db.Company{}, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), nil, "1", time.Now()); err == nil || !strings.Contains(err.Error(), "registration code") {
				t.Fatalf("a file without the company code: %v", err)
			}
			if err := st.SetCompany(ctx, tn.ID, db.Company{Name: "UAB „Parduotuvė“ & Co", Code: "304123456", VATCode: "LT100012345678"}); err != nil {
				t.Fatal(err)
			}
			buyer := &domain.Buyer{Code: "300000001", VATCode: "LT100000000017", Name: "UAB Pirkėjas <Vilnius>"}
			private := &domain.Buyer{Code: "39001010000", Name: "Jonas Jonaitis"}
			rs := []domain.Receipt{
				receipt("1", domain.Sale, "12.10", nil, ""),       // a plain receipt: not in i.SAF
				receipt("2", domain.Invoice, "24.20", buyer, ""),  // SF
				receipt("3", domain.Return, "-12.10", buyer, "2"), // KS for SF 2
				receipt("4", domain.Invoice, "6.05", private, ""), // SF to a person without a VAT code
				receipt("5", domain.Invoice, "121.00", buyer, ""), // SF, then cancelled: AN
			}
			var items []protocol.Item
			for i, r := range rs {
				b, _ := json.Marshal(r)
				items = append(items, protocol.Item{Seq: uint64(i + 1), Kind: protocol.KindReceipt, SourceID: r.SourceID, Data: b})
			}
			if ack, err := st.IngestBatch(ctx, who, "s", &protocol.Batch{FirstSeq: 1, LastSeq: uint64(len(items)), Items: items}); err != nil || len(ack.Rejected) > 0 {
				t.Fatalf("%v %+v", err, ack)
			}
			if _, err := books.New(st).PostPending(ctx, 100); err != nil {
				t.Fatal(err)
			}
			docs, _ := st.Documents(ctx, db.DocQuery{TenantID: tn.ID, Series: "SF"})
			if err := books.New(st).Cancel(ctx, tn.ID, docs[len(docs)-1].ID, "test"); err != nil {
				t.Fatal(err)
			}
			// A marketplace OSS sale is declared in the OSS return, not here; an intra-EU invoice is.
			acct, _ := st.CreateMarketAccount(ctx, tn.ID, "allegro", "A", []byte(`{}`), time.Hour)
			ma := db.MarketAccount{ID: acct, TenantID: tn.ID, Kind: "allegro", Name: "A"}
			ord := func(id, shipTo, vat string) posting.Order {
				return posting.Order{Market: "allegro", ID: id, Status: "READY", Invoice: true, B2B: vat != "", PurchasedAt: time.Date(2026, 11, 6, 10, 0, 0, 0, time.UTC),
					Currency: "EUR", ShipTo: shipTo, Buyer: posting.OrderBuyer{Key: "b" + id, Company: "Firma " + id, VATNumber: vat},
					Lines: []posting.OrderLine{{Kind: posting.LineShipping, Name: "Paslauga", Qty: d("1"), UnitGross: d("50.00")}}}
			}
			st.SaveOrders(ctx, ma, []posting.Order{ord("o1", "DE", ""), ord("o2", "PL", "PL5212345678")})
			if res, err := books.New(st).PostOrders(ctx, ma, posting.OrderRules{PostStatuses: map[string]bool{"READY": true}}); err != nil || res.Posted != 2 {
				t.Fatalf("%+v %v", res, err)
			}

			invs, err := st.ISAFInvoices(ctx, tn.ID, "2026-11-01", "2026-11-30")
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
			company, _ := st.Company(ctx, tn.ID)
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
