// Package uplink ships the outbox to the cloud over one websocket. It resends from where the
// cloud says it holds the stream, keeps a bounded window of batches in flight, and deletes
// items only when their ack (sent after the cloud's commit) arrives.
package uplink

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"tiltas/shared/domain"
	"tiltas/shared/protocol"
)

// Outbox is what the uplink ships from.
type Outbox interface {
	Stream() string
	NewStream() error
	HighestSeq() (uint64, error)
	Pending(after uint64, max int) ([]protocol.Item, error)
	Ack(ack *protocol.Ack) error
	Notify() <-chan struct{}
}

// Uplink is the agent's connection to the cloud.
type Uplink struct {
	URL       string      // ws(s)://host/v1/agent
	TLS       *tls.Config // for wss://: whom to trust; nil is the system's CAs
	Token     string
	Store     string
	AgentID   string
	Build     string
	StartDate string // pos.start_date, sent in the hello; "" is the whole history
	Outbox    Outbox
	BatchSize int // items per batch; default 500
	Window    int // batches in flight; default 4
	Log       *slog.Logger
	Status    func() protocol.Status // what to report now and then
	// ReadTimeout is how long the link may be silent (the cloud pings every 15 s); default 45 s.
	ReadTimeout time.Duration
	// Cards writes product cards from the cloud into the POS; nil ignores them.
	Cards CardSink
	// OnWelcome, when set, is given each welcome the cloud sends (the store's start date).
	OnWelcome func(*protocol.Welcome)

	mu           sync.Mutex
	lastUpload   time.Time
	lastErr      string
	connected    bool
	cardsVersion uint64
	cardFailures map[string]bool
}

// CardSink applies product cards. An error means nothing was written and it is retried.
type CardSink interface {
	Apply(ctx context.Context, cards []domain.Card) ([]protocol.CardFailure, error)
}

// State is the link as last seen.
type State struct {
	Connected    bool
	LastUpload   time.Time
	LastError    string
	CardsVersion uint64 // the newest product card version written into the POS
	CardsFailed  int    // cards the POS currently refuses
}

// State reports the link's state.
func (u *Uplink) State() State {
	u.mu.Lock()
	defer u.mu.Unlock()
	return State{Connected: u.connected, LastUpload: u.lastUpload, LastError: u.lastErr, CardsVersion: u.cardsVersion, CardsFailed: len(u.cardFailures)}
}

func (u *Uplink) set(f func()) {
	u.mu.Lock()
	f()
	u.mu.Unlock()
}

// PermanentError is a refusal that retrying will not fix without a person (bad token, wrong
// store). The uplink keeps retrying slowly anyway, so a fix on the cloud side is picked up.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Run keeps the link up until ctx ends, reconnecting with exponential backoff and jitter.
func (u *Uplink) Run(ctx context.Context) {
	backoff := 250 * time.Millisecond
	for ctx.Err() == nil {
		welcomed, err := u.session(ctx)
		u.set(func() { u.connected = false })
		if ctx.Err() != nil {
			return
		}
		if welcomed {
			// The cloud was reachable and accepted us: a dropped link retries quickly again.
			backoff = 250 * time.Millisecond
		}
		var perm *PermanentError
		wait := backoff
		if errors.As(err, &perm) {
			wait = max(backoff, time.Minute)
		}
		u.set(func() { u.lastErr = err.Error() })
		u.Log.Warn("cloud link down; will retry", "err", err, "in", wait.Round(time.Millisecond))
		// Full jitter in [wait/2, wait): many agents reconnecting after a cloud restart spread out.
		wait = wait/2 + time.Duration(rand.Int64N(int64(wait/2)+1))
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		backoff = min(backoff*2, 30*time.Second)
	}
}

type inflight struct{ first, last uint64 }

// session runs one connection. welcomed says whether the cloud accepted the hello.
func (u *Uplink) session(ctx context.Context) (welcomed bool, err error) {
	batchSize, window := u.BatchSize, u.Window
	if batchSize <= 0 {
		batchSize = 500
	}
	if window <= 0 {
		window = 4
	}
	readTimeout := u.ReadTimeout
	if readTimeout <= 0 {
		readTimeout = 45 * time.Second
	}
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	dialer := websocket.Dialer{HandshakeTimeout: 10 * time.Second, EnableCompression: false, Proxy: http.ProxyFromEnvironment, TLSClientConfig: u.TLS}
	conn, resp, err := dialer.DialContext(dctx, u.URL, http.Header{"Authorization": {"Bearer " + u.Token}})
	if err != nil {
		if resp != nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			var e struct{ Error string }
			_ = json.Unmarshal(body, &e)
			if resp.StatusCode == http.StatusUnauthorized {
				return false, &PermanentError{fmt.Errorf("cloud refused the agent token: %s", e.Error)}
			}
			return false, fmt.Errorf("connect to %s: HTTP %d %s", u.URL, resp.StatusCode, e.Error)
		}
		if hint := TLSHint(err); hint != "" {
			return false, fmt.Errorf("connect to %s: %w (%s)", u.URL, err, hint)
		}
		return false, fmt.Errorf("connect to %s: %w", u.URL, err)
	}
	defer conn.Close()
	conn.SetReadLimit(protocol.MaxFrameBytes)
	conn.SetPingHandler(func(data string) error {
		_ = conn.SetReadDeadline(time.Now().Add(readTimeout))
		err := conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(5*time.Second))
		if errors.Is(err, websocket.ErrCloseSent) {
			return nil
		}
		return err
	})

	highest, err := u.Outbox.HighestSeq()
	if err != nil {
		return false, err
	}
	stream := u.Outbox.Stream()
	if err := writeFrame(conn, protocol.Frame{Type: protocol.TypeHello, Hello: &protocol.Hello{Magic: protocol.Magic, Version: protocol.Version,
		AgentID: u.AgentID, AgentBuild: u.Build, Store: u.Store, Stream: stream, HighestSeq: highest, StartDate: u.StartDate}}); err != nil {
		return false, fmt.Errorf("send hello: %w", err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	f, err := readFrame(conn)
	if err != nil {
		return false, fmt.Errorf("wait for welcome: %w", err)
	}
	if f.Type == protocol.TypeError && f.Error != nil {
		switch f.Error.Code {
		case protocol.ErrWrongStore, protocol.ErrTooOld, protocol.ErrTooNew, protocol.ErrBadMagic:
			return false, &PermanentError{fmt.Errorf("cloud refused the agent: %w", f.Error)}
		}
		return false, fmt.Errorf("cloud refused the agent: %w", f.Error)
	}
	if f.Type != protocol.TypeWelcome || f.Welcome == nil {
		return false, fmt.Errorf("cloud answered hello with %q, not welcome", f.Type)
	}
	if u.OnWelcome != nil {
		u.OnWelcome(f.Welcome)
	}
	acked := f.Welcome.AckedSeq
	if acked > highest {
		// The cloud has more of this stream than we ever wrote: the outbox file was restored
		// from a backup. Start a new stream; the cloud deduplicates what it already has.
		u.Log.Warn("cloud holds more of this stream than the outbox has; starting a new stream", "cloud_acked", acked, "outbox_highest", highest)
		if err := u.Outbox.NewStream(); err != nil {
			return false, err
		}
		return false, errors.New("outbox stream restarted; reconnecting")
	}
	// Everything up to acked is held by the cloud: drop it.
	if acked > 0 {
		if err := u.Outbox.Ack(&protocol.Ack{LastSeq: acked}); err != nil {
			return false, err
		}
	}
	welcomed = true
	u.set(func() { u.connected = true; u.lastErr = "" })
	u.Log.Info("connected to cloud", "url", u.URL, "stream", stream, "cloud_acked", acked, "outbox_highest", highest)

	// Reader: frames to acks and card batches; any error ends the session.
	acks := make(chan *protocol.Ack, window)
	readErr := make(chan error, 1)
	cardsIn := make(chan *protocol.Cards, 1)
	cardsDone := make(chan *protocol.CardsAck, 1)
	sctx, cancelSession := context.WithCancel(ctx)
	defer cancelSession()
	go u.applyCards(sctx, cardsIn, cardsDone)
	go func() {
		for {
			_ = conn.SetReadDeadline(time.Now().Add(readTimeout))
			f, err := readFrame(conn)
			if err != nil {
				readErr <- err
				return
			}
			switch {
			case f.Type == protocol.TypeAck && f.Ack != nil:
				acks <- f.Ack
			case f.Type == protocol.TypeCards && f.Cards != nil:
				select {
				case cardsIn <- f.Cards:
				default:
					readErr <- errors.New("cloud sent a card batch while one was still being written")
					return
				}
			case f.Type == protocol.TypeWelcome && f.Welcome != nil:
				// A later welcome: the store's start date changed in the cloud.
				if u.OnWelcome != nil {
					u.OnWelcome(f.Welcome)
				}
			case f.Type == protocol.TypeError && f.Error != nil:
				readErr <- fmt.Errorf("cloud: %w", f.Error)
				return
			default:
				readErr <- fmt.Errorf("unexpected frame %q from cloud", f.Type)
				return
			}
		}
	}()

	// This goroutine is the only writer.
	var queue []inflight
	sent := acked
	statusTick := time.NewTicker(10 * time.Second)
	defer statusTick.Stop()
	u.sendStatus(conn)
	for {
		for len(queue) < window {
			items, err := u.Outbox.Pending(sent, batchSize)
			if err != nil {
				return welcomed, err
			}
			if len(items) == 0 {
				break
			}
			b := &protocol.Batch{FirstSeq: items[0].Seq, LastSeq: items[len(items)-1].Seq, Items: items}
			if b.FirstSeq != sent+1 {
				return welcomed, fmt.Errorf("outbox is missing items %d-%d (next is %d): the outbox file is damaged", sent+1, b.FirstSeq-1, b.FirstSeq)
			}
			if err := writeFrame(conn, protocol.Frame{Type: protocol.TypeBatch, Batch: b}); err != nil {
				return welcomed, fmt.Errorf("send batch %d-%d: %w", b.FirstSeq, b.LastSeq, err)
			}
			queue = append(queue, inflight{b.FirstSeq, b.LastSeq})
			sent = b.LastSeq
		}
		select {
		case <-ctx.Done():
			// Close handshake; what is in flight is resent next time and deduplicated.
			_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "agent stopping"), time.Now().Add(time.Second))
			return welcomed, ctx.Err()
		case err := <-readErr:
			return welcomed, err
		case a := <-acks:
			if len(queue) == 0 || a.FirstSeq != queue[0].first || a.LastSeq != queue[0].last {
				return welcomed, fmt.Errorf("cloud acked %d-%d, which was not the oldest batch in flight", a.FirstSeq, a.LastSeq)
			}
			queue = queue[1:]
			if err := u.Outbox.Ack(a); err != nil {
				return welcomed, err
			}
			for _, r := range a.Rejected {
				u.Log.Warn("cloud rejected an item; quarantined", "seq", r.Seq, "source_id", r.SourceID, "code", r.Code, "msg", r.Message)
			}
			u.set(func() { u.lastUpload = time.Now() })
		case a := <-cardsDone:
			if err := writeFrame(conn, protocol.Frame{Type: protocol.TypeCardsAck, CardsAck: a}); err != nil {
				return welcomed, fmt.Errorf("send cards ack: %w", err)
			}
		case <-u.Outbox.Notify():
		case <-statusTick.C:
			u.sendStatus(conn)
		}
	}
}

// applyCards writes each card batch into the POS, retrying while the POS is down, and hands
// the ack to the writer. It ends with the session; the cloud resends unacked cards next time.
func (u *Uplink) applyCards(ctx context.Context, in <-chan *protocol.Cards, done chan<- *protocol.CardsAck) {
	for {
		var batch *protocol.Cards
		select {
		case <-ctx.Done():
			return
		case batch = <-in:
		}
		ack := &protocol.CardsAck{Upto: batch.Upto}
		for wait := time.Second; u.Cards != nil; wait = min(wait*2, time.Minute) {
			failed, err := u.Cards.Apply(ctx, batch.Cards)
			if err == nil {
				ack.Failed = failed
				u.set(func() { u.cardsVersion = batch.Upto; u.noteCardFailures(batch.Cards, failed) })
				u.Log.Info("product cards written into the POS", "cards", len(batch.Cards), "upto", batch.Upto, "refused", len(failed))
				break
			}
			u.Log.Warn("cannot write product cards into the POS; will retry", "err", err, "in", wait)
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
		}
		select {
		case done <- ack:
		case <-ctx.Done():
			return
		}
	}
}

// noteCardFailures keeps the set of cards the POS currently refuses. Call with u.mu held.
func (u *Uplink) noteCardFailures(batch []domain.Card, failed []protocol.CardFailure) {
	if u.cardFailures == nil {
		u.cardFailures = map[string]bool{}
	}
	for _, c := range batch {
		delete(u.cardFailures, c.Barcode)
	}
	for _, f := range failed {
		u.cardFailures[f.Barcode] = true
	}
}

func (u *Uplink) sendStatus(conn *websocket.Conn) {
	if u.Status == nil {
		return
	}
	st := u.Status()
	_ = writeFrame(conn, protocol.Frame{Type: protocol.TypeStatus, Status: &st})
}

func writeFrame(conn *websocket.Conn, f protocol.Frame) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	_ = conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
	return conn.WriteMessage(websocket.TextMessage, b)
}

func readFrame(conn *websocket.Conn) (*protocol.Frame, error) {
	typ, b, err := conn.ReadMessage()
	if err != nil {
		return nil, err
	}
	if typ != websocket.TextMessage {
		return nil, fmt.Errorf("cloud sent websocket message type %d, want text", typ)
	}
	var f protocol.Frame
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("cloud sent a frame that is not JSON: %w", err)
	}
	return &f, nil
}

// TLSHint says what to do about a certificate the agent does not trust, or "" for other errors.
func TLSHint(err error) string {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var host x509.HostnameError
	switch {
	case errors.As(err, &unknown):
		return "the cloud's certificate is signed by a CA this machine does not trust: set cloud_ca_file to that CA's PEM file, or install it in the system's trust store"
	case errors.As(err, &host):
		return "the cloud's certificate is not for this address: use the name in its certificate in cloud"
	case errors.As(err, &invalid):
		return "the cloud's certificate is not valid (expired, or not yet valid): check its dates and this machine's clock"
	}
	return ""
}
