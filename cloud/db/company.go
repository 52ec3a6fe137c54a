package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Company is the tenant itself, as its tax reports name it.
type Company struct {
	Name    string `json:"name"`
	Code    string `json:"code"`     // registration number (juridinio asmens kodas)
	VATCode string `json:"vat_code"` // e.g. LT100001234567
	Address string `json:"address"`
}

var companyCode = regexp.MustCompile(`^[0-9]{7,11}$`)

// Company reads the tenant's company details (empty until set).
func (s *DB) Company(ctx context.Context, tenantID int64) (Company, error) {
	var c Company
	err := s.db.QueryRowContext(ctx, `SELECT name, code, vat_code, address FROM companies WHERE tenant_id = ?`, tenantID).Scan(&c.Name, &c.Code, &c.VATCode, &c.Address)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	return c, err
}

// SetCompany saves the tenant's company details.
func (s *DB) SetCompany(ctx context.Context, tenantID int64, c Company) error {
	c.Name, c.Code, c.VATCode = strings.TrimSpace(c.Name), strings.TrimSpace(c.Code), strings.ToUpper(strings.ReplaceAll(c.VATCode, " ", ""))
	var p []string
	if c.Name == "" {
		p = append(p, "name is empty")
	}
	if !companyCode.MatchString(c.Code) {
		p = append(p, fmt.Sprintf("code %q must be the registration number, 7-11 digits", c.Code))
	}
	if c.VATCode != "" && !strings.HasPrefix(c.VATCode, "LT") {
		p = append(p, fmt.Sprintf("VAT code %q must start with LT", c.VATCode))
	}
	if len(p) > 0 {
		return &InvalidError{errors.New(strings.Join(p, "; "))}
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO companies (tenant_id, name, code, vat_code, address) VALUES (?, ?, ?, ?, ?)`+
		s.upsert("tenant_id", "name", "code", "vat_code", "address"), tenantID, c.Name, c.Code, c.VATCode, c.Address)
	return err
}

// ISAFInvoice is an issued invoice as i.SAF reports it.
type ISAFInvoice struct {
	No, Date, Type string // Type: SF, KS or AN
	CustomerCode   string
	CustomerVAT    string
	CustomerName   string
	RefNo, RefDate string // a KS's original invoice
	Totals         []ISAFTotal
}

// ISAFTotal is one VAT classifier's part of an invoice.
type ISAFTotal struct {
	Class    string
	RateBP   int64
	Net, VAT int64 // cents, EUR
}

// ISAFInvoices lists the invoices issued in [from, to]: SF invoices (POS and marketplace, but
// not OSS sales, which go to the OSS return), credit notes for SF invoices (KS) and cancelled
// invoices (AN).
func (s *DB) ISAFInvoices(ctx context.Context, tenantID int64, from, to string) ([]ISAFInvoice, error) {
	type head struct {
		id  int64
		inv ISAFInvoice
	}
	var heads []head
	err := queryEach(ctx, s.db, func(sc scanner) error {
		var h head
		var op, series, status, treatment, origOp, origSeries, origDate string
		var number, origNumber int64
		if err := sc.Scan(&h.id, &op, &series, &number, &h.inv.Date, &status, &treatment, &h.inv.CustomerCode, &h.inv.CustomerVAT, &h.inv.CustomerName,
			&origOp, &origSeries, &origNumber, &origDate); err != nil {
			return err
		}
		if treatment == "oss" || op == "return" && origOp != "invoice" && origOp != "market_invoice" {
			return nil // OSS sales and returns of plain receipts are not in the register of invoices
		}
		h.inv.No = fmt.Sprintf("%s%d", series, number)
		switch {
		case status == "cancelled":
			h.inv.Type = "AN"
		case op == "return":
			h.inv.Type, h.inv.RefNo, h.inv.RefDate = "KS", fmt.Sprintf("%s%d", origSeries, origNumber), origDate
		default:
			h.inv.Type = "SF"
		}
		heads = append(heads, h)
		return nil
	}, `SELECT d.id, d.op_type, d.series, d.number, d.doc_date, d.status, d.treatment, COALESCE(c.code, ''), COALESCE(c.vat_code, ''), COALESCE(c.name, ''),
		COALESCE(o.op_type, ''), COALESCE(o.series, ''), COALESCE(o.number, 0), COALESCE(o.doc_date, '')
		FROM documents d LEFT JOIN customers c ON c.id = d.customer_id LEFT JOIN documents o ON o.id = d.related_id
		WHERE d.tenant_id = ? AND d.doc_date >= ? AND d.doc_date <= ? AND d.op_type IN (?, ?, ?) ORDER BY d.doc_date, d.series, d.number`,
		tenantID, from, to, "invoice", "market_invoice", "return")
	if err != nil {
		return nil, fmt.Errorf("i.SAF invoices: %w", err)
	}
	var out []ISAFInvoice
	for _, h := range heads {
		h.inv.Totals, err = queryAll(ctx, s.db, func(sc scanner) (ISAFTotal, error) {
			var t ISAFTotal
			err := sc.Scan(&t.Class, &t.RateBP, &t.Net, &t.VAT)
			return t, err
		}, `SELECT vat_class, vat_rate_bp, SUM(net_cents), SUM(vat_cents) FROM document_lines WHERE document_id = ? GROUP BY vat_class, vat_rate_bp ORDER BY vat_class`, h.id)
		if err != nil {
			return nil, err
		}
		out = append(out, h.inv)
	}
	return out, nil
}
