// Package agentlink is the cloud end of the agent websocket (/v1/agent): it authenticates the
// agent, answers its hello with how far the cloud holds its stream, stores each batch and acks
// it only after the database commit.
package agentlink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"tiltas/cloud/db"
	"tiltas/shared/domain"
	"tiltas/shared/protocol"
)

// Store is what the link needs from the database.
type Store interface {
	AuthAgent(ctx context.Context, token string) (db.AgentIdentity, error)
	StreamAcked(ctx context.Context, storeID int64, stream string) (uint64, error)
	IngestBatch(ctx context.Context, who db.AgentIdentity, stream string, b *protocol.Batch) (*protocol.Ack, error)
	AgentSeen(ctx context.Context, storeID int64, h *protocol.Hello) error
	AgentStatus(ctx context.Context, storeID int64, st *protocol.Status) error
	StoreStart(ctx context.Context, storeID int64) (date string, history bool, err error)
	CardsAcked(ctx context.Context, storeID int64) (uint64, error)
	CardsSince(ctx context.Context, tenantID int64, after uint64, limit int) ([]domain.Card, error)
	AckCards(ctx context.Context, storeID int64, batch []domain.Card, ack *protocol.CardsAck) error
}

// CardBatch is how many product cards go in one cards frame.
const CardBatch = 500

// Handler serves /v1/agent.
type Handler struct {
	Store Store
	Log   *slog.Logger
	// PingEvery is how often the cloud pings; an agent silent for three times that is dropped.
	PingEvery time.Duration
}

var upgrader = websocket.Upgrader{
	ReadBufferSize:    64 << 10,
	WriteBufferSize:   16 << 10,
	EnableCompression: false,
	// Agents are not browsers and send no Origin; the bearer token is the authentication.
	CheckOrigin: func(*http.Request) bool { return true },
}

func httpError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		httpError(w, http.StatusUnauthorized, "missing Authorization: Bearer <agent token>; set token in the agent's config")
		return
	}
	who, err := h.Store.AuthAgent(r.Context(), token)
	if errors.Is(err, db.ErrNotFound) {
		h.Log.Warn("agent refused: unknown token", "remote", r.RemoteAddr)
		httpError(w, http.StatusUnauthorized, "agent token not recognised or revoked: enroll the agent again with `tiltas-cloud agent enroll` and put the new token in its config")
		return
	}
	if err != nil {
		h.Log.Error("agent auth", "err", err)
		httpError(w, http.StatusServiceUnavailable, "cloud database unavailable, retry later")
		return
	}
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade already answered
	}
	ping := h.PingEvery
	if ping <= 0 {
		ping = 15 * time.Second
	}
	s := &session{h: h, who: who, token: token, conn: conn, out: make(chan protocol.Frame, 16), done: make(chan struct{}), ping: ping, cardAcks: make(chan *protocol.CardsAck, 1),
		log: h.Log.With("tenant", who.TenantID, "store", who.StoreCode, "remote", r.RemoteAddr)}
	s.run(r.Context())
}

type session struct {
	h     *Handler
	who   db.AgentIdentity
	token string // checked again with every batch: a revoked token is dropped mid-session
	conn  *websocket.Conn
	out   chan protocol.Frame // closed by run when the session ends
	// Set by run before it closes out: the close frame the writer sends last.
	closeCode int
	closeText string
	done      chan struct{} // closed when the writer has finished
	ping      time.Duration
	log       *slog.Logger
	stream    string

	cardAcks chan *protocol.CardsAck // from the reader to the card pusher
	pusher   sync.WaitGroup

	// The store's start date and history choice the agent was last told (in a welcome).
	startDate    string
	startHistory bool
}

// StartEvery is how often a connected agent's store start date is looked at again: a change
// made in the cloud reaches the agent in a new welcome frame.
var StartEvery = 5 * time.Second

// fatal is an error the agent is told about before the connection closes.
type fatal struct{ e protocol.Error }

func fail(code, format string, args ...any) *fatal {
	return &fatal{protocol.Error{Code: code, Message: fmt.Sprintf(format, args...)}}
}

func (f *fatal) Error() string { return f.e.Error() }

func (s *session) run(ctx context.Context) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	go s.writer()
	s.conn.SetReadLimit(protocol.MaxFrameBytes)
	s.conn.SetPongHandler(func(string) error { return s.conn.SetReadDeadline(time.Now().Add(3 * s.ping)) })
	err := s.serve(ctx)
	cancel()
	s.pusher.Wait() // it may still be queueing a frame: s.out closes only after it stops
	var f *fatal
	closeCode, closeText := websocket.CloseNormalClosure, ""
	switch {
	case errors.As(err, &f):
		s.log.Warn("agent session refused", "code", f.e.Code, "msg", f.e.Message)
		s.out <- protocol.Frame{Type: protocol.TypeError, Error: &f.e}
		closeCode, closeText = websocket.ClosePolicyViolation, f.e.Code
	case errors.Is(err, websocket.ErrReadLimit):
		s.log.Warn("agent sent an oversized frame", "limit", protocol.MaxFrameBytes)
		closeCode, closeText = websocket.CloseMessageTooBig, fmt.Sprintf("frame over %d bytes", protocol.MaxFrameBytes)
	case errors.Is(err, errProbed):
		s.log.Info("agent probe answered (tiltas-agent doctor)")
	case websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway):
		s.log.Info("agent disconnected")
	default:
		s.log.Info("agent link ended", "err", err)
	}
	// Let the writer send what is queued and a close frame, then drop the connection.
	s.closeCode, s.closeText = closeCode, closeText
	close(s.out)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
	}
	s.conn.Close()
}

// writer is the one goroutine that writes to the connection: frames and pings.
func (s *session) writer() {
	defer close(s.done)
	t := time.NewTicker(s.ping)
	defer t.Stop()
	broken := false
	write := func(typ int, b []byte) {
		if broken {
			return
		}
		_ = s.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if err := s.conn.WriteMessage(typ, b); err != nil {
			broken = true // after a write error the connection is dead
			s.conn.Close()
		}
	}
	for {
		select {
		case f, ok := <-s.out:
			if !ok {
				write(websocket.CloseMessage, websocket.FormatCloseMessage(s.closeCode, s.closeText))
				return
			}
			b, _ := json.Marshal(f)
			write(websocket.TextMessage, b)
		case <-t.C:
			write(websocket.PingMessage, nil)
		}
	}
}

func (s *session) read() (*protocol.Frame, error) {
	typ, b, err := s.conn.ReadMessage()
	if err != nil {
		return nil, err
	}
	_ = s.conn.SetReadDeadline(time.Now().Add(3 * s.ping))
	if typ != websocket.TextMessage {
		return nil, fail(protocol.ErrBadFrame, "expected a JSON text frame, got websocket message type %d", typ)
	}
	var f protocol.Frame
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fail(protocol.ErrBadFrame, "frame is not valid JSON: %v", err)
	}
	return &f, nil
}

// errProbed ends a probe session after its welcome.
var errProbed = errors.New("probe answered")

func (s *session) serve(ctx context.Context) error {
	_ = s.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	f, err := s.read()
	if err != nil {
		return err
	}
	if err := s.hello(ctx, f); err != nil {
		return err
	}
	for {
		f, err := s.read()
		if err != nil {
			return err
		}
		switch f.Type {
		case protocol.TypeBatch:
			if err := s.batch(ctx, f.Batch); err != nil {
				return err
			}
		case protocol.TypeCardsAck:
			if f.CardsAck == nil {
				return fail(protocol.ErrBadFrame, "cards_ack frame without cards_ack")
			}
			select {
			case s.cardAcks <- f.CardsAck:
			default:
				return fail(protocol.ErrBadFrame, "cards_ack for %d while no cards were in flight", f.CardsAck.Upto)
			}
		case protocol.TypeStatus:
			if f.Status == nil {
				return fail(protocol.ErrBadFrame, "status frame without status")
			}
			if err := s.h.Store.AgentStatus(ctx, s.who.StoreID, f.Status); err != nil {
				s.log.Error("record agent status", "err", err)
			}
		default:
			return fail(protocol.ErrBadFrame, "unexpected frame type %q after hello (want batch or status)", f.Type)
		}
	}
}

func (s *session) hello(ctx context.Context, f *protocol.Frame) error {
	h := f.Hello
	switch {
	case f.Type != protocol.TypeHello || h == nil:
		return fail(protocol.ErrBadFrame, "the first frame must be a hello, got %q", f.Type)
	case h.Magic != protocol.Magic:
		return fail(protocol.ErrBadMagic, "not a Tiltas agent (magic %q): point only tiltas-agent at this address", h.Magic)
	case h.Version < protocol.Version:
		return fail(protocol.ErrTooOld, "agent protocol version %d is too old for this cloud (speaks %d): upgrade tiltas-agent", h.Version, protocol.Version)
	case h.Version > protocol.Version:
		return fail(protocol.ErrTooNew, "agent protocol version %d is newer than this cloud knows (%d): upgrade tiltas-cloud", h.Version, protocol.Version)
	case h.Store != s.who.StoreCode:
		return fail(protocol.ErrWrongStore, "this token belongs to store %q but the agent says it is store %q: fix store in the agent config or enroll a token for store %q", s.who.StoreCode, h.Store, h.Store)
	case h.Stream == "" || len(h.Stream) > 64:
		return fail(protocol.ErrBadFrame, "hello has no valid stream id")
	case !protocol.ValidStartDate(h.StartDate):
		return fail(protocol.ErrBadFrame, "hello start_date %q is not a day as YYYY-MM-DD: fix pos.start_date in the agent's agent.toml", h.StartDate)
	}
	s.stream = h.Stream
	if h.Probe {
		acked, err := s.h.Store.StreamAcked(ctx, s.who.StoreID, h.Stream)
		if err != nil {
			return fail(protocol.ErrInternal, "cloud database unavailable: %v", err)
		}
		s.out <- protocol.Frame{Type: protocol.TypeWelcome, Welcome: &protocol.Welcome{Stream: h.Stream, AckedSeq: acked}}
		return errProbed
	}
	if err := s.h.Store.AgentSeen(ctx, s.who.StoreID, h); err != nil {
		return fail(protocol.ErrInternal, "cloud database unavailable: %v; the agent will retry", err)
	}
	acked, err := s.h.Store.StreamAcked(ctx, s.who.StoreID, h.Stream)
	if err != nil {
		return fail(protocol.ErrInternal, "cloud database unavailable: %v; the agent will retry", err)
	}
	start, history, err := s.h.Store.StoreStart(ctx, s.who.StoreID)
	if err != nil {
		return fail(protocol.ErrInternal, "cloud database unavailable: %v; the agent will retry", err)
	}
	s.startDate, s.startHistory = start, history
	s.log = s.log.With("agent", h.AgentID, "stream", h.Stream)
	s.log.Info("agent connected", "agent_highest", h.HighestSeq, "cloud_acked", acked)
	s.out <- protocol.Frame{Type: protocol.TypeWelcome, Welcome: &protocol.Welcome{Stream: h.Stream, AckedSeq: acked, StartDate: start, History: history}}
	s.pusher.Add(1)
	go func() {
		defer s.pusher.Done()
		if err := s.pushCards(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("product card push stopped for this connection", "err", err)
		}
	}()
	return nil
}

// pushCards sends the store's agent every product card changed since what its POS holds, one
// batch at a time, and records each ack; then it watches for new changes.
func (s *session) pushCards(ctx context.Context) error {
	acked, err := s.h.Store.CardsAcked(ctx, s.who.StoreID)
	if err != nil {
		return err
	}
	lastStart := time.Now()
	for {
		if time.Since(lastStart) >= StartEvery {
			lastStart = time.Now()
			if err := s.retellStart(ctx); err != nil {
				return err
			}
		}
		cards, err := s.h.Store.CardsSince(ctx, s.who.TenantID, acked, CardBatch)
		if err != nil {
			return err
		}
		if len(cards) == 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(time.Second):
			}
			continue
		}
		upto := cards[len(cards)-1].Version
		s.out <- protocol.Frame{Type: protocol.TypeCards, Cards: &protocol.Cards{Upto: upto, Cards: cards}}
		var ack *protocol.CardsAck
		select {
		case <-ctx.Done():
			return nil
		case ack = <-s.cardAcks:
		}
		if ack.Upto != upto {
			return fmt.Errorf("agent acked cards up to %d, but %d was sent", ack.Upto, upto)
		}
		if err := s.h.Store.AckCards(ctx, s.who.StoreID, cards, ack); err != nil {
			return err
		}
		for _, f := range ack.Failed {
			s.log.Warn("POS refused a product card", "barcode", f.Barcode, "msg", f.Message)
		}
		acked = upto
	}
}

// retellStart sends the agent a new welcome when its store's start date changed in the cloud
// since it was told: the agent applies it from its next capture pass.
func (s *session) retellStart(ctx context.Context) error {
	date, history, err := s.h.Store.StoreStart(ctx, s.who.StoreID)
	if err != nil || (date == s.startDate && history == s.startHistory) {
		return err
	}
	s.startDate, s.startHistory = date, history
	s.log.Info("store start date changed: telling the agent", "start_date", date, "history", history)
	s.out <- protocol.Frame{Type: protocol.TypeWelcome, Welcome: &protocol.Welcome{Stream: s.stream, StartDate: date, History: history}}
	return nil
}

func (s *session) batch(ctx context.Context, b *protocol.Batch) error {
	if b == nil || len(b.Items) == 0 {
		return fail(protocol.ErrBadFrame, "batch frame without items")
	}
	if len(b.Items) > protocol.MaxBatchItems {
		return fail(protocol.ErrBadFrame, "batch of %d items is over the limit of %d: lower batch_size", len(b.Items), protocol.MaxBatchItems)
	}
	for i, it := range b.Items {
		if it.Seq != b.FirstSeq+uint64(i) {
			return fail(protocol.ErrBadFrame, "batch %d-%d is not contiguous at item %d (seq %d)", b.FirstSeq, b.LastSeq, i, it.Seq)
		}
	}
	if b.LastSeq != b.FirstSeq+uint64(len(b.Items))-1 {
		return fail(protocol.ErrBadFrame, "batch says %d-%d but carries %d items", b.FirstSeq, b.LastSeq, len(b.Items))
	}
	if _, err := s.h.Store.AuthAgent(ctx, s.token); errors.Is(err, db.ErrNotFound) {
		return fail(protocol.ErrUnauthorized, "the agent token was revoked: enroll the agent again with `tiltas-cloud agent enroll` and put the new token in its config")
	} else if err != nil {
		s.log.Error("recheck agent token", "err", err)
		return fail(protocol.ErrInternal, "the cloud could not check the agent token; batch %d-%d will be resent", b.FirstSeq, b.LastSeq)
	}
	ack, err := s.h.Store.IngestBatch(ctx, s.who, s.stream, b)
	var gap *db.GapError
	if errors.As(err, &gap) {
		return fail(protocol.ErrSeqGap, "%v", gap)
	}
	if err != nil {
		s.log.Error("store batch", "first", b.FirstSeq, "last", b.LastSeq, "err", err)
		return fail(protocol.ErrInternal, "the cloud could not store batch %d-%d; it will be resent", b.FirstSeq, b.LastSeq)
	}
	for _, r := range ack.Rejected {
		s.log.Warn("item rejected", "seq", r.Seq, "source_id", r.SourceID, "code", r.Code, "msg", r.Message)
	}
	s.out <- protocol.Frame{Type: protocol.TypeAck, Ack: ack}
	return nil
}
