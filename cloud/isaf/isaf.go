// Package isaf writes the i.SAF 1.2 register of issued VAT invoices (data type S) for the State
// Tax Inspectorate: namespace http://www.vmi.lt/cms/imas/isaf, root iSAFFile, elements in the
// order of the XSD (testdata/isaf/isaf_1_2.xsd).
package isaf

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"regexp"
	"strings"
	"time"

	"tiltas/cloud/db"
	"tiltas/shared/domain"
)

// Namespace is i.SAF's XML namespace.
const Namespace = "http://www.vmi.lt/cms/imas/isaf"

var taxCode = regexp.MustCompile(`^PVM[0-9]*$`)

type writer struct{ bytes.Buffer }

func (w *writer) el(name, value string) {
	w.WriteString("<" + name + ">")
	_ = xml.EscapeText(w, []byte(value))
	w.WriteString("</" + name + ">")
}

func (w *writer) nilEl(name string) { w.WriteString("<" + name + ` xsi:nil="true"/>`) }

func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// Write renders the register of invoices issued in the month starting at first.
func Write(c db.Company, first time.Time, invoices []db.ISAFInvoice, version string, now time.Time) ([]byte, error) {
	if c.Code == "" {
		return nil, fmt.Errorf("the company's registration code is not set: set it in the company settings first")
	}
	last := first.AddDate(0, 1, -1)
	var w writer
	w.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	w.WriteString(`<iSAFFile xmlns="` + Namespace + `" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`)
	w.WriteString("<Header><FileDescription>")
	w.el("FileVersion", "iSAF1.2")
	w.el("FileDateCreated", now.UTC().Format("2006-01-02T15:04:05"))
	w.el("DataType", "S")
	w.el("SoftwareCompanyName", "Tiltas")
	w.el("SoftwareName", "Tiltas")
	w.el("SoftwareVersion", cut(version, 24))
	w.el("RegistrationNumber", c.Code)
	w.el("NumberOfParts", "1")
	w.el("PartNumber", "1")
	w.WriteString("<SelectionCriteria>")
	w.el("SelectionStartDate", first.Format(time.DateOnly))
	w.el("SelectionEndDate", last.Format(time.DateOnly))
	w.WriteString("</SelectionCriteria></FileDescription></Header>")
	if len(invoices) > 0 {
		w.WriteString("<SourceDocuments><SalesInvoices>")
		for _, inv := range invoices {
			w.WriteString("<Invoice>")
			w.el("InvoiceNo", cut(inv.No, 70))
			w.WriteString("<CustomerInfo>")
			if inv.CustomerCode != "" {
				w.el("CustomerID", cut(inv.CustomerCode, 70))
			}
			vat := strings.ToUpper(strings.ReplaceAll(inv.CustomerVAT, " ", ""))
			if vat == "" {
				vat = "ND"
			}
			w.el("VATRegistrationNumber", cut(vat, 35))
			if vat == "ND" {
				reg := inv.CustomerCode
				if reg == "" {
					reg = "ND"
				}
				w.el("RegistrationNumber", cut(reg, 35))
				w.el("Country", "LT")
			} else {
				w.nilEl("Country")
			}
			name := inv.CustomerName
			if name == "" {
				name = "ND"
			}
			w.el("Name", cut(name, 256))
			w.WriteString("</CustomerInfo>")
			w.el("InvoiceDate", inv.Date)
			w.el("InvoiceType", inv.Type)
			w.el("SpecialTaxation", "")
			w.WriteString("<References>")
			if inv.RefNo != "" {
				w.WriteString("<Reference>")
				w.el("ReferenceNo", inv.RefNo)
				w.el("ReferenceDate", inv.RefDate)
				w.WriteString("</Reference>")
			}
			w.WriteString("</References>")
			w.nilEl("VATPointDate")
			w.WriteString("<DocumentTotals>")
			if len(inv.Totals) == 0 {
				return nil, fmt.Errorf("invoice %s has no lines", inv.No)
			}
			for _, t := range inv.Totals {
				w.WriteString("<DocumentTotal>")
				w.el("TaxableValue", domain.FromCents(t.Net).StringFixed(2))
				if taxCode.MatchString(t.Class) && len(t.Class) >= 4 && len(t.Class) <= 6 {
					w.el("TaxCode", t.Class)
				} else {
					w.nilEl("TaxCode")
				}
				w.el("TaxPercentage", domain.FromCents(t.RateBP).String())
				w.el("Amount", domain.FromCents(t.VAT).StringFixed(2))
				w.nilEl("VATPointDate2")
				w.WriteString("</DocumentTotal>")
			}
			w.WriteString("</DocumentTotals></Invoice>")
		}
		w.WriteString("</SalesInvoices></SourceDocuments>")
	}
	w.WriteString("</iSAFFile>\n")
	return w.Bytes(), nil
}

// Source is where a month's register comes from.
type Source interface {
	Company(ctx context.Context, tenantID int64) (db.Company, error)
	ISAFInvoices(ctx context.Context, tenantID int64, from, to string) ([]db.ISAFInvoice, error)
}

// Month writes the register of invoices issued in month ("2026-11") and names its file. A
// request the file cannot be made for (a bad month, no company code) is a *db.InvalidError.
func Month(ctx context.Context, src Source, tenantID int64, month, version string) (xml []byte, filename string, err error) {
	first, err := time.Parse("2006-01", month)
	if err != nil {
		return nil, "", &db.InvalidError{Err: fmt.Errorf("month %q: give it as 2026-11", month)}
	}
	c, err := src.Company(ctx, tenantID)
	if err != nil {
		return nil, "", err
	}
	invs, err := src.ISAFInvoices(ctx, tenantID, first.Format(time.DateOnly), first.AddDate(0, 1, -1).Format(time.DateOnly))
	if err != nil {
		return nil, "", err
	}
	x, err := Write(c, first, invs, version, time.Now())
	if err != nil {
		return nil, "", &db.InvalidError{Err: err}
	}
	return x, fmt.Sprintf("isaf_%s_%s.xml", c.Code, first.Format("200601")), nil
}
