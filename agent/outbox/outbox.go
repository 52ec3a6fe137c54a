// Package outbox is the agent's durable queue (bbolt). Captured items get rising sequence
// numbers in one stream; the capture watermark moves in the same transaction as the items,
// so a crash never loses or duplicates a capture. Items leave only when the cloud acks them;
// rejected ones move to a quarantine bucket for a person to look at.
package outbox

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"tiltas/shared/protocol"
)

var (
	bMeta       = []byte("meta")
	bItems      = []byte("items")      // seq → protocol.Item JSON
	bSeen       = []byte("seen")       // kind/source_id → closed_at unix ms
	bQuarantine = []byte("quarantine") // seq → Quarantined JSON
	kStream     = []byte("stream")
	kNextSeq    = []byte("next_seq")
)

// Outbox is one bbolt file.
type Outbox struct {
	mu     sync.RWMutex // held exclusively only while Compact swaps the file
	db     *bolt.DB
	path   string
	stream string
	notify chan struct{}
}

// view and update run a bbolt transaction on the current file.
func (o *Outbox) view(fn func(*bolt.Tx) error) error {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.db.View(fn)
}

func (o *Outbox) update(fn func(*bolt.Tx) error) error {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.db.Update(fn)
}

// Open opens or creates the outbox file. A new file starts a new random stream id.
func Open(path string) (*Outbox, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("outbox %s is locked by another process: is another tiltas-agent running with this data_dir?", path)
	}
	if err != nil {
		return nil, fmt.Errorf("open outbox %s: %w", path, err)
	}
	o := &Outbox{db: db, path: path, notify: make(chan struct{}, 1)}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bMeta, bItems, bSeen, bQuarantine} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bMeta)
		if s := meta.Get(kStream); s != nil {
			o.stream = string(s)
			return nil
		}
		o.stream = newStreamID()
		if err := meta.Put(kStream, []byte(o.stream)); err != nil {
			return err
		}
		return meta.Put(kNextSeq, u64(1))
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("initialise outbox %s: %w", path, err)
	}
	return o, nil
}

func newStreamID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Close closes the file.
func (o *Outbox) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.db.Close()
}

// Compact rewrites the file without its free pages (a bbolt file never shrinks by itself) and
// swaps it in with an atomic rename: a crash leaves either the old file or the new one whole.
// It returns the sizes before and after.
func (o *Outbox) Compact() (before, after int64, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if fi, err := os.Stat(o.path); err == nil {
		before = fi.Size()
	}
	tmp := o.path + ".compact"
	_ = os.Remove(tmp)
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return before, 0, fmt.Errorf("compact outbox: %w", err)
	}
	if err := bolt.Compact(dst, o.db, 4<<20); err != nil {
		dst.Close()
		os.Remove(tmp)
		return before, 0, fmt.Errorf("compact outbox: %w", err)
	}
	if err := dst.Close(); err != nil {
		os.Remove(tmp)
		return before, 0, fmt.Errorf("compact outbox: %w", err)
	}
	if err := o.db.Close(); err != nil {
		return before, 0, fmt.Errorf("compact outbox: %w", err)
	}
	renameErr := os.Rename(tmp, o.path)
	if d, err := os.Open(filepath.Dir(o.path)); err == nil {
		_ = d.Sync() // make the rename durable
		d.Close()
	}
	db, err := bolt.Open(o.path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return before, 0, fmt.Errorf("reopen outbox after compaction: %w", err)
	}
	o.db = db
	if renameErr != nil {
		os.Remove(tmp)
		return before, before, fmt.Errorf("compact outbox: %w", renameErr)
	}
	if fi, err := os.Stat(o.path); err == nil {
		after = fi.Size()
	}
	return before, after, nil
}

// Stream is this outbox's stream id.
func (o *Outbox) Stream() string { return o.stream }

// Notify is signalled when new items are captured.
func (o *Outbox) Notify() <-chan struct{} { return o.notify }

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func seenKey(kind, id string) []byte { return []byte(kind + "/" + id) }

// Captured is one thing read from the POS.
type Captured struct {
	Kind        string
	SourceID    string
	ClosedAt    time.Time
	Data        []byte
	DecodeError string
}

// Unseen returns the ids of kind that have not been captured yet.
func (o *Outbox) Unseen(kind string, ids []string) ([]string, error) {
	var out []string
	err := o.view(func(tx *bolt.Tx) error {
		seen := tx.Bucket(bSeen)
		for _, id := range ids {
			if seen.Get(seenKey(kind, id)) == nil {
				out = append(out, id)
			}
		}
		return nil
	})
	return out, err
}

// Watermark is how far capture of kind has read (zero before the first capture).
func (o *Outbox) Watermark(kind string) (time.Time, error) {
	var t time.Time
	err := o.view(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bMeta).Get([]byte("wm/" + kind)); v != nil {
			t = time.UnixMilli(int64(binary.BigEndian.Uint64(v))).UTC()
		}
		return nil
	})
	return t, err
}

// Capture appends items not captured before and moves kind's watermark to wm, in one
// transaction. It returns how many items were new.
func (o *Outbox) Capture(kind string, items []Captured, wm time.Time) (int, error) {
	n := 0
	err := o.update(func(tx *bolt.Tx) error {
		n = 0
		meta, bi, seen := tx.Bucket(bMeta), tx.Bucket(bItems), tx.Bucket(bSeen)
		next := binary.BigEndian.Uint64(meta.Get(kNextSeq))
		for _, c := range items {
			k := seenKey(c.Kind, c.SourceID)
			if seen.Get(k) != nil {
				continue
			}
			it := protocol.Item{Seq: next, Kind: c.Kind, SourceID: c.SourceID, Data: c.Data, DecodeError: c.DecodeError}
			b, err := json.Marshal(it)
			if err != nil {
				return err
			}
			if err := bi.Put(u64(next), b); err != nil {
				return err
			}
			at := uint64(c.ClosedAt.UnixMilli())
			if c.ClosedAt.IsZero() {
				at = math.MaxInt64 // no closing time: outside every window, so never pruned
			}
			if err := seen.Put(k, u64(at)); err != nil {
				return err
			}
			next++
			n++
		}
		if err := meta.Put(kNextSeq, u64(next)); err != nil {
			return err
		}
		if wm.IsZero() {
			return nil
		}
		if old := meta.Get([]byte("wm/" + kind)); old == nil || int64(binary.BigEndian.Uint64(old)) < wm.UnixMilli() {
			return meta.Put([]byte("wm/"+kind), u64(uint64(wm.UnixMilli())))
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("write outbox: %w", err)
	}
	if n > 0 {
		select {
		case o.notify <- struct{}{}:
		default:
		}
	}
	return n, nil
}

// PruneSeen forgets captured ids closed before t: capture never rereads that far back.
func (o *Outbox) PruneSeen(kind string, before time.Time) (int, error) {
	n := 0
	prefix := []byte(kind + "/")
	err := o.update(func(tx *bolt.Tx) error {
		c := tx.Bucket(bSeen).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if int64(binary.BigEndian.Uint64(v)) < before.UnixMilli() {
				if err := c.Delete(); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	return n, err
}

// HighestSeq is the last sequence number given out (0 when none).
func (o *Outbox) HighestSeq() (uint64, error) {
	var h uint64
	err := o.view(func(tx *bolt.Tx) error {
		h = binary.BigEndian.Uint64(tx.Bucket(bMeta).Get(kNextSeq)) - 1
		return nil
	})
	return h, err
}

// Pending returns up to max items with sequence numbers after seq, in order.
func (o *Outbox) Pending(after uint64, max int) ([]protocol.Item, error) {
	var out []protocol.Item
	err := o.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bItems).Cursor()
		for k, v := c.Seek(u64(after + 1)); k != nil && len(out) < max; k, v = c.Next() {
			var it protocol.Item
			if err := json.Unmarshal(v, &it); err != nil { // copies out of the mmap
				return fmt.Errorf("outbox item %x is corrupt: %w", k, err)
			}
			out = append(out, it)
		}
		return nil
	})
	return out, err
}

// Quarantined is an item the cloud refused.
type Quarantined struct {
	Item    protocol.Item `json:"item"`
	Code    string        `json:"code"`
	Message string        `json:"message"`
	At      time.Time     `json:"at"`
}

// Ack removes what the cloud now holds: every item up to ack.LastSeq. Rejected ones move
// to quarantine, in the same transaction.
func (o *Outbox) Ack(ack *protocol.Ack) error {
	rejected := map[uint64]protocol.Rejected{}
	for _, r := range ack.Rejected {
		rejected[r.Seq] = r
	}
	err := o.update(func(tx *bolt.Tx) error {
		bi, q := tx.Bucket(bItems), tx.Bucket(bQuarantine)
		c := bi.Cursor()
		for k, v := c.First(); k != nil && binary.BigEndian.Uint64(k) <= ack.LastSeq; k, v = c.Next() {
			seq := binary.BigEndian.Uint64(k)
			if r, ok := rejected[seq]; ok {
				var it protocol.Item
				if err := json.Unmarshal(v, &it); err != nil {
					return err
				}
				b, _ := json.Marshal(Quarantined{Item: it, Code: r.Code, Message: r.Message, At: time.Now().UTC()})
				if err := q.Put(u64(seq), b); err != nil {
					return err
				}
			}
			if err := c.Delete(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record ack %d-%d: %w", ack.FirstSeq, ack.LastSeq, err)
	}
	return nil
}

// Quarantine lists the items the cloud refused.
func (o *Outbox) Quarantine() ([]Quarantined, error) {
	var out []Quarantined
	err := o.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bQuarantine).ForEach(func(_, v []byte) error {
			var q Quarantined
			if err := json.Unmarshal(v, &q); err != nil {
				return err
			}
			out = append(out, q)
			return nil
		})
	})
	return out, err
}

// Stats is the outbox's size.
type Stats struct {
	Backlog     int
	Quarantined int
	FileBytes   int64
}

// Stats counts items waiting and quarantined, and the file's size.
func (o *Outbox) Stats() (Stats, error) {
	var s Stats
	err := o.view(func(tx *bolt.Tx) error {
		s.Backlog = tx.Bucket(bItems).Stats().KeyN
		s.Quarantined = tx.Bucket(bQuarantine).Stats().KeyN
		return nil
	})
	if fi, ferr := os.Stat(o.path); ferr == nil {
		s.FileBytes = fi.Size()
	}
	return s, err
}

// NewStream gives the outbox a fresh stream id, keeping its items and numbers. It is used when
// the cloud holds more of this stream than the file has (the file was restored from a backup):
// the cloud then sees everything pending as new and deduplicates it by source id.
func (o *Outbox) NewStream() error {
	id := newStreamID()
	err := o.update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put(kStream, []byte(id)) })
	if err != nil {
		return fmt.Errorf("start a new outbox stream: %w", err)
	}
	o.stream = id
	return nil
}
