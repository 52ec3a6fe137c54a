package catalog

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseCSV(t *testing.T) {
	in := "\xef\xbb\xbfname;attributeName;groupName;measurementUnitName;priceWithoutVat;priceWithVat;vatRate;barcode\n" +
		"Duona;Prekė;Kepiniai;vnt.;1,00;1,21;21;4770001\n" +
		"Konsultacija;Paslauga;;val.;50,00;60,50;21%;SRV1\n" +
		";Prekė;;vnt.;1,00;1,21;21;4770002\n" + // line 4: no name
		"Pienas;Prekė;;l;1,00;1,22;21;4770003\n" + // line 5: prices disagree
		"Sūris;Prekė;;kg;abc;1,21;21;4770004\n" + // line 6: not a number
		"Dešra;Prekė;;kg;1,00;1,21;21;4770001\n" + // line 7: duplicate barcode
		"\n" +
		strings.Repeat("Ž", 81) + ";Prekė;;vnt.;1,00;1,09;9;4770005\n" + // line 9: long name
		"Vanduo;gift;;vnt.;1,00;1,21;21;4770006\n" + // line 10: attribute
		"Arbata;Prekė;;vnt.;1,00;1,19;19;4770007\n" // line 11: unknown rate
	cards, errs, err := ParseCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(cards) != 2 || cards[0].Name != "Duona" || cards[0].PriceGross.String() != "1.21" || !cards[1].Service || cards[1].Unit != "val." {
		t.Fatalf("cards %+v", cards)
	}
	want := map[int]string{4: "name is empty", 5: "does not match", 6: `priceWithoutVat "abc" is not a number`, 7: "already on line 2", 9: "81 characters", 10: "attributeName", 11: "VAT rate 19%"}
	got := map[int]string{}
	for _, e := range errs {
		got[e.Line] = e.Message
	}
	for line, w := range want {
		if !strings.Contains(got[line], w) {
			t.Errorf("line %d: want %q, got %q", line, w, got[line])
		}
	}
	if len(errs) != len(want) {
		t.Errorf("%d errors, want %d: %+v", len(errs), len(want), errs)
	}
}

func TestParseCSVCommaAndHeaderErrors(t *testing.T) {
	cards, errs, err := ParseCSV(strings.NewReader("barcode,name,attributeName,groupName,measurementUnitName,priceWithoutVat,priceWithVat,vatRate\n1,\"Kava, pupelės\",goods,Gėrimai,vnt.,10.00,12.10,21\n"))
	if err != nil || len(errs) != 0 || len(cards) != 1 || cards[0].Name != "Kava, pupelės" {
		t.Fatalf("%+v %+v %v", cards, errs, err)
	}
	if _, _, err := ParseCSV(strings.NewReader("name;barcode\nx;1\n")); err == nil || !strings.Contains(err.Error(), "lacks column(s) attributeName") {
		t.Fatalf("missing columns: %v", err)
	}
	if _, _, err := ParseCSV(strings.NewReader("")); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("empty: %v", err)
	}
}

func TestParseCSVVATCategory(t *testing.T) {
	in := "name;attributeName;groupName;measurementUnitName;priceWithoutVat;priceWithVat;vatRate;barcode;vatCategory\n" +
		"Knyga;prekė;Knygos;vnt.;10,00;10,90;9;B1;Books\n" +
		"Puodelis;prekė;;vnt.;10,00;12,10;21;B2;\n" +
		"Kita;prekė;;vnt.;10,00;12,10;21;B3;knygos ir žurnalai\n"
	cards, errs, err := ParseCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(cards) != 2 || cards[0].VATCategory != "books" || cards[1].VATCategory != "" {
		t.Fatalf("cards %+v", cards)
	}
	if len(errs) != 1 || errs[0].Line != 4 || !strings.Contains(errs[0].Message, "VAT category") {
		t.Fatalf("row errors %+v", errs)
	}
}

func BenchmarkParseCSV(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("name;attributeName;groupName;measurementUnitName;priceWithoutVat;priceWithVat;vatRate;barcode\n")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&sb, "Prekė %d;Prekė;Grupė;vnt.;1,00;1,21;21;%d\n", i, 4770000000000+i)
	}
	for i := 0; i < b.N; i++ {
		if cards, _, _ := ParseCSV(strings.NewReader(sb.String())); len(cards) != 10000 {
			b.Fatal(len(cards))
		}
	}
}
