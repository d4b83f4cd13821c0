package matching

import (
	"context"
	"time"
)

// workerNice is the nice value of the worker's thread: well below request
// handlers, above nothing that matters.
const workerNice = 10

// onNormalThread runs fn on a goroutine of its own, off the worker's
// low-priority thread, and waits for it: what holds the database's write
// lock must not be descheduled in favour of the pages waiting for it.
func onNormalThread(fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	<-done
}

// pacer pauses the worker so that it works only a share of wall time:
// after each slice of work it sleeps for as long as the share requires.
type pacer struct {
	pace   float64
	paused time.Duration
	n      int
	start  time.Time
}

// pacerSlice is how many records are matched between pauses: a few
// milliseconds of work, so pauses are short and pages rarely wait long.
const pacerSlice = 16

func (m *Matcher) pacer() *pacer { return &pacer{pace: m.cfg.Pace, start: time.Now()} }

func (p *pacer) step(ctx context.Context) {
	p.n++
	if p.pace >= 1 || p.n%pacerSlice != 0 {
		return
	}
	p.pause(ctx)
}

func (p *pacer) pause(ctx context.Context) {
	if p.pace >= 1 {
		return
	}
	worked := time.Since(p.start)
	d := time.Duration(float64(worked) * (1 - p.pace) / p.pace)
	p.paused += d
	t := time.NewTimer(d)
	select {
	case <-t.C:
	case <-ctx.Done():
		t.Stop()
	}
	p.start = time.Now()
}
