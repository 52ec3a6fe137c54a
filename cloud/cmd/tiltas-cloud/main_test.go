package main

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// stop returns only after every job has returned: serve closes the database after it.
func TestBackgroundStopWaits(t *testing.T) {
	var done atomic.Int32
	slow := func(ctx context.Context) {
		<-ctx.Done()
		time.Sleep(50 * time.Millisecond) // a last write after the cancel
		done.Add(1)
	}
	stop := background(context.Background(), slow, slow)
	stop()
	if n := done.Load(); n != 2 {
		t.Fatalf("stop returned with %d of 2 jobs done", n)
	}
}

// The jobs stop when the serve context ends too (a signal), and stop then waits for them.
func TestBackgroundEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ended := make(chan struct{})
	stop := background(ctx, func(ctx context.Context) { <-ctx.Done(); close(ended) })
	cancel()
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("the job did not see its context end")
	}
	stop()
}

func TestVersionCommand(t *testing.T) {
	for _, arg := range []string{"version", "--version"} {
		if err := run([]string{arg}, nil); err != nil {
			t.Errorf("%s: %v", arg, err)
		}
	}
}
