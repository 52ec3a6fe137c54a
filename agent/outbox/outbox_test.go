package outbox

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tiltas/shared/protocol"
)

func cap(ids ...string) []Captured {
	var out []Captured
	for _, id := range ids {
		out = append(out, Captured{Kind: protocol.KindReceipt, SourceID: id, ClosedAt: time.UnixMilli(1000), Data: []byte(`{"id":"` + id + `"}`)})
	}
	return out
}

func TestCaptureAckQuarantineAndReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outbox.db")
	o, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	stream := o.Stream()
	wm := time.UnixMilli(5000).UTC()
	if n, err := o.Capture(protocol.KindReceipt, cap("a", "b", "c"), wm); err != nil || n != 3 {
		t.Fatalf("capture: %d %v", n, err)
	}
	// Captured ids are never captured again, whatever the rereads.
	if n, _ := o.Capture(protocol.KindReceipt, cap("b", "c", "d"), wm); n != 1 {
		t.Fatalf("recapture added %d, want only d", n)
	}
	if un, _ := o.Unseen(protocol.KindReceipt, []string{"a", "x", "d"}); fmt.Sprint(un) != "[x]" {
		t.Fatalf("unseen %v", un)
	}
	items, _ := o.Pending(0, 10)
	if len(items) != 4 || items[0].Seq != 1 || items[3].Seq != 4 || items[3].SourceID != "d" {
		t.Fatalf("pending %+v", items)
	}
	if got, _ := o.Pending(2, 1); len(got) != 1 || got[0].Seq != 3 {
		t.Fatalf("pending after 2: %+v", got)
	}
	if err := o.Ack(&protocol.Ack{FirstSeq: 1, LastSeq: 3, Rejected: []protocol.Rejected{{Seq: 2, Code: "invalid", Message: "total off"}}}); err != nil {
		t.Fatal(err)
	}
	st, _ := o.Stats()
	if st.Backlog != 1 || st.Quarantined != 1 || st.FileBytes == 0 {
		t.Fatalf("stats %+v", st)
	}
	q, _ := o.Quarantine()
	if len(q) != 1 || q[0].Item.SourceID != "b" || q[0].Message != "total off" {
		t.Fatalf("quarantine %+v", q)
	}
	o.Close()

	// Reopened: same stream, same numbers, same watermark, nothing lost.
	o, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if o.Stream() != stream {
		t.Fatal("stream id changed on reopen")
	}
	if h, _ := o.HighestSeq(); h != 4 {
		t.Fatalf("highest %d", h)
	}
	if w, _ := o.Watermark(protocol.KindReceipt); !w.Equal(wm) {
		t.Fatalf("watermark %v", w)
	}
	if n, _ := o.Capture(protocol.KindReceipt, cap("e"), time.UnixMilli(4000)); n != 1 {
		t.Fatal("capture after reopen")
	}
	if w, _ := o.Watermark(protocol.KindReceipt); !w.Equal(wm) {
		t.Fatalf("watermark went back to %v", w)
	}
	if h, _ := o.HighestSeq(); h != 5 {
		t.Fatalf("numbers restarted: highest %d", h)
	}
	// A second process on the same file is refused clearly.
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "another tiltas-agent") {
		t.Fatalf("want a lock error, got %v", err)
	}
}

func TestPruneSeen(t *testing.T) {
	o, err := Open(filepath.Join(t.TempDir(), "o.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	old := Captured{Kind: protocol.KindReceipt, SourceID: "old", ClosedAt: time.UnixMilli(1000)}
	recent := Captured{Kind: protocol.KindReceipt, SourceID: "new", ClosedAt: time.UnixMilli(9000)}
	timeless := Captured{Kind: protocol.KindReceipt, SourceID: "broken"}
	if _, err := o.Capture(protocol.KindReceipt, []Captured{old, recent, timeless}, time.UnixMilli(9000)); err != nil {
		t.Fatal(err)
	}
	if n, _ := o.PruneSeen(protocol.KindReceipt, time.UnixMilli(5000)); n != 1 {
		t.Fatalf("pruned %d, want only the old one", n)
	}
	if un, _ := o.Unseen(protocol.KindReceipt, []string{"old", "new", "broken"}); fmt.Sprint(un) != "[old]" {
		t.Fatalf("unseen after prune %v", un)
	}
}

func TestCompactAfterDrain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "o.db")
	o, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	stream := o.Stream()
	data := []byte(`{"x":"` + strings.Repeat("y", 2000) + `"}`)
	for b := 0; b < 20; b++ {
		var items []Captured
		for i := 0; i < 500; i++ {
			items = append(items, Captured{Kind: protocol.KindReceipt, SourceID: fmt.Sprint(b*500 + i), ClosedAt: time.UnixMilli(int64(b*500 + i)), Data: data})
		}
		if _, err := o.Capture(protocol.KindReceipt, items, time.UnixMilli(int64(b*500+499))); err != nil {
			t.Fatal(err)
		}
	}
	// Drain all but the last item.
	if err := o.Ack(&protocol.Ack{FirstSeq: 1, LastSeq: 9999}); err != nil {
		t.Fatal(err)
	}
	before, after, err := o.Compact()
	if err != nil {
		t.Fatal(err)
	}
	if after >= before/4 {
		t.Fatalf("compaction took the file from %d to %d bytes only", before, after)
	}
	// Everything that matters is still there and the outbox keeps working.
	if o.Stream() != stream {
		t.Fatal("stream changed")
	}
	if h, _ := o.HighestSeq(); h != 10000 {
		t.Fatalf("highest %d", h)
	}
	if p, _ := o.Pending(0, 10); len(p) != 1 || p[0].Seq != 10000 {
		t.Fatalf("pending %+v", p)
	}
	if un, _ := o.Unseen(protocol.KindReceipt, []string{"5", "10001"}); fmt.Sprint(un) != "[10001]" {
		t.Fatalf("seen set lost: %v", un)
	}
	if n, err := o.Capture(protocol.KindReceipt, cap("new"), time.UnixMilli(20000)); err != nil || n != 1 {
		t.Fatal(n, err)
	}
	if h, _ := o.HighestSeq(); h != 10001 {
		t.Fatalf("highest after compaction %d", h)
	}
	t.Logf("compacted %d → %d bytes", before, after)
}
