package agentlink_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"tiltas/cloud/db"
	"tiltas/cloud/server"
	"tiltas/internal/dbtest"
	"tiltas/internal/fixture"
	"tiltas/shared/protocol"
)

// link is a cloud serving every endpoint from a fresh database, with one store's agent enrolled.
type link struct {
	srv   *httptest.Server
	st    *db.DB
	token string
	who   db.AgentIdentity
}

func newLink(t *testing.T) *link {
	ctx := context.Background()
	st, err := db.Open(ctx, "sqlite:"+t.TempDir()+"/c.db", dbtest.Options())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tn, err := st.CreateTenant(ctx, "Shop")
	if err != nil {
		t.Fatal(err)
	}
	tok, who := fixture.Agent(t, st, tn.ID, "VLN1")
	srv := httptest.NewServer(server.Handler(st, slog.New(slog.NewTextHandler(io.Discard, nil)), server.Options{}))
	t.Cleanup(srv.Close)
	return &link{srv: srv, st: st, token: tok, who: who}
}

func (f *link) dial(t *testing.T, token string) (*websocket.Conn, *http.Response, error) {
	url := "ws" + strings.TrimPrefix(f.srv.URL, "http") + protocol.Path
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	return websocket.DefaultDialer.Dial(url, h)
}

// welcomed dials with the link's token and says hello; the connection closes with the test.
func (f *link) welcomed(t *testing.T) *websocket.Conn {
	t.Helper()
	c, _, err := f.dial(t, f.token)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	send(t, c, protocol.Frame{Type: protocol.TypeHello, Hello: hello()})
	if w := recv(t, c); w.Type != protocol.TypeWelcome {
		t.Fatalf("want welcome, got %+v", w)
	}
	return c
}

func hello() *protocol.Hello {
	return &protocol.Hello{Magic: protocol.Magic, Version: protocol.Version, AgentID: "a1", Store: "VLN1", Stream: "s1"}
}

func send(t *testing.T, c *websocket.Conn, f protocol.Frame) {
	b, _ := json.Marshal(f)
	if err := c.WriteMessage(websocket.TextMessage, b); err != nil {
		t.Fatal(err)
	}
}

func recv(t *testing.T, c *websocket.Conn) *protocol.Frame {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, b, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("read frame: %v", err)
	}
	var f protocol.Frame
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

// expectRefusal reads an error frame with code and then the close.
func expectRefusal(t *testing.T, c *websocket.Conn, code, text string) {
	t.Helper()
	f := recv(t, c)
	if f.Type != protocol.TypeError || f.Error.Code != code || !strings.Contains(f.Error.Message, text) {
		t.Fatalf("want error %s containing %q, got %+v %+v", code, text, f, f.Error)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, _, err := c.ReadMessage(); !websocket.IsCloseError(err, websocket.ClosePolicyViolation) {
		t.Fatalf("want a policy-violation close after the error, got %v", err)
	}
}

func receiptItem(seq uint64, id string) protocol.Item {
	data := `{"source_id":"` + id + `","register":"R01","session_id":"1","number":"N` + id + `","type":"sale","opened_at":"2026-11-02T10:00:00Z","closed_at":"2026-11-02T10:01:00Z",
	"lines":[{"no":1,"barcode":"1","name":"Duona","quantity":"1","unit_price":"1.21","discount":"0","vat_rate":"21","total":"1.21","vat":"0.21"}],
	"payments":[{"code":"CASH","amount":"1.2"}],"rounding":"-0.01","total":"1.2","vat":"0.21"}`
	return protocol.Item{Seq: seq, Kind: protocol.KindReceipt, SourceID: id, Data: json.RawMessage(data)}
}

// The agent's start date in its hello is kept with the store's status; an older agent's hello,
// without one, is welcomed too (the existing tests' hello()).
func TestHelloStartDate(t *testing.T) {
	f := newLink(t)
	c, _, err := f.dial(t, f.token)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	h := hello()
	h.StartDate = "2026-01-01"
	send(t, c, protocol.Frame{Type: protocol.TypeHello, Hello: h})
	if w := recv(t, c); w.Type != protocol.TypeWelcome {
		t.Fatalf("want welcome, got %+v", w)
	}
	st, err := f.st.StoreStatus(context.Background(), db.StoreRef{ID: f.who.StoreID, TenantID: f.who.TenantID, Code: f.who.StoreCode})
	if err != nil || st.StartDate != "2026-01-01" {
		t.Fatalf("store status %+v %v, want start date 2026-01-01", st, err)
	}
}

func TestBadAgentsAreRefusedClearly(t *testing.T) {
	f := newLink(t)
	for _, tc := range []struct {
		name, token, want string
	}{
		{"no token", "", "missing Authorization"},
		{"bad token", f.token + "x", "not recognised"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, resp, err := f.dial(t, tc.token)
			if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("want HTTP 401, got %v %v", resp, err)
			}
			body, _ := io.ReadAll(resp.Body)
			if !strings.Contains(string(body), tc.want) {
				t.Fatalf("401 body %q does not say %q", body, tc.want)
			}
		})
	}
	hellos := []struct {
		name string
		mod  func(*protocol.Hello)
		code string
		text string
	}{
		{"bad magic", func(h *protocol.Hello) { h.Magic = "HTTP" }, protocol.ErrBadMagic, "not a Tiltas agent"},
		{"too old", func(h *protocol.Hello) { h.Version = 0 }, protocol.ErrTooOld, "upgrade tiltas-agent"},
		{"too new", func(h *protocol.Hello) { h.Version = 99 }, protocol.ErrTooNew, "upgrade tiltas-cloud"},
		{"another store", func(h *protocol.Hello) { h.Store = "KNS2" }, protocol.ErrWrongStore, `belongs to store "VLN1"`},
		{"no stream", func(h *protocol.Hello) { h.Stream = "" }, protocol.ErrBadFrame, "stream"},
		{"a start date that is no day", func(h *protocol.Hello) { h.StartDate = "2026-1-1" }, protocol.ErrBadFrame, `start_date "2026-1-1" is not a day`},
	}
	for _, tc := range hellos {
		t.Run(tc.name, func(t *testing.T) {
			c, _, err := f.dial(t, f.token)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			h := hello()
			tc.mod(h)
			send(t, c, protocol.Frame{Type: protocol.TypeHello, Hello: h})
			expectRefusal(t, c, tc.code, tc.text)
		})
	}
	afterHello := []struct {
		name string
		send func(t *testing.T, c *websocket.Conn)
		code string
		text string
	}{
		{"not json", func(t *testing.T, c *websocket.Conn) { _ = c.WriteMessage(websocket.TextMessage, []byte("{batch")) }, protocol.ErrBadFrame, "not valid JSON"},
		{"binary", func(t *testing.T, c *websocket.Conn) { _ = c.WriteMessage(websocket.BinaryMessage, []byte{1, 2}) }, protocol.ErrBadFrame, "JSON text frame"},
		{"unknown type", func(t *testing.T, c *websocket.Conn) { send(t, c, protocol.Frame{Type: "delete_all"}) }, protocol.ErrBadFrame, "delete_all"},
		{"not contiguous", func(t *testing.T, c *websocket.Conn) {
			send(t, c, protocol.Frame{Type: protocol.TypeBatch, Batch: &protocol.Batch{FirstSeq: 1, LastSeq: 3, Items: []protocol.Item{receiptItem(1, "1"), receiptItem(3, "3")}}})
		}, protocol.ErrBadFrame, "not contiguous"},
		{"gap", func(t *testing.T, c *websocket.Conn) {
			send(t, c, protocol.Frame{Type: protocol.TypeBatch, Batch: &protocol.Batch{FirstSeq: 7, LastSeq: 7, Items: []protocol.Item{receiptItem(7, "7")}}})
		}, protocol.ErrSeqGap, "resend from 1"},
	}
	for _, tc := range afterHello {
		t.Run(tc.name, func(t *testing.T) {
			c := f.welcomed(t)
			tc.send(t, c)
			expectRefusal(t, c, tc.code, tc.text)
		})
	}
	t.Run("oversized frame", func(t *testing.T) {
		c, _, err := f.dial(t, f.token)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		send(t, c, protocol.Frame{Type: protocol.TypeHello, Hello: hello()})
		recv(t, c)
		big := make([]byte, protocol.MaxFrameBytes+1)
		_ = c.WriteMessage(websocket.TextMessage, big)
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, _, err := c.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
			t.Fatalf("want close 1009 (message too big), got %v", err)
		}
	})
	// None of that stored anything or blocked the store: a good agent gets through.
	if n, _, _ := f.st.ReceiptTotals(context.Background(), f.who.TenantID, f.who.StoreID); n != 0 {
		t.Fatalf("refused sessions stored %d receipts", n)
	}
	c, _, err := f.dial(t, f.token)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	send(t, c, protocol.Frame{Type: protocol.TypeHello, Hello: hello()})
	if w := recv(t, c); w.Type != protocol.TypeWelcome || w.Welcome.AckedSeq != 0 {
		t.Fatalf("want welcome at 0, got %+v", w)
	}
	send(t, c, protocol.Frame{Type: protocol.TypeBatch, Batch: &protocol.Batch{FirstSeq: 1, LastSeq: 2, Items: []protocol.Item{receiptItem(1, "1"), receiptItem(2, "2")}}})
	a := recv(t, c)
	if a.Type != protocol.TypeAck || a.Ack.LastSeq != 2 || len(a.Ack.Rejected) != 0 {
		t.Fatalf("want a clean ack of 1-2, got %+v %+v", a, a.Ack)
	}
	if n, cents, _ := f.st.ReceiptTotals(context.Background(), f.who.TenantID, f.who.StoreID); n != 2 || cents != 240 {
		t.Fatalf("held %d receipts, %d cents; want 2 and 240", n, cents)
	}
}

// A token revoked while its agent is connected stops that agent at its next batch, which is
// not stored.
func TestRevokedMidSession(t *testing.T) {
	f := newLink(t)
	ctx := context.Background()
	c := f.welcomed(t)
	send(t, c, protocol.Frame{Type: protocol.TypeBatch, Batch: &protocol.Batch{FirstSeq: 1, LastSeq: 1, Items: []protocol.Item{receiptItem(1, "r1")}}})
	if a := recv(t, c); a.Type != protocol.TypeAck {
		t.Fatalf("want ack, got %+v", a)
	}
	if n, err := f.st.RevokeAgentTokens(ctx, f.who.TenantID, "VLN1"); err != nil || n != 1 {
		t.Fatalf("revoke: %d %v", n, err)
	}
	send(t, c, protocol.Frame{Type: protocol.TypeBatch, Batch: &protocol.Batch{FirstSeq: 2, LastSeq: 2, Items: []protocol.Item{receiptItem(2, "r2")}}})
	expectRefusal(t, c, protocol.ErrUnauthorized, "revoked")
	rs, _ := f.st.Receipts(ctx, db.Query{TenantID: f.who.TenantID, Limit: 10})
	if len(rs) != 1 {
		t.Fatalf("%d receipts stored; the batch after the revocation must not be", len(rs))
	}
}
