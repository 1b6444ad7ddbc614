package limits

import (
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// heapMetric is the Go heap: live objects and dead ones not yet swept.
const heapMetric = "/memory/classes/heap/objects:bytes"

// WatchInterval is how often the watchdog reads the heap. Reading it costs
// about a microsecond; an allocation loop gains at most a few tens of
// megabytes between two reads.
const WatchInterval = 10 * time.Millisecond

// WatchMemory reads the Go heap every interval until stop is called, and
// calls exceeded, once, when the heap holds more than max bytes; the
// caller ends the process there, since whatever allocates (CUE
// evaluation, a policy) cannot be interrupted.
//
// It also lowers the runtime's soft memory limit to max (debug.
// SetMemoryLimit; stop restores it), so that garbage is collected before
// it could count: what passes the bound is what the run holds.
func WatchMemory(max int64, interval time.Duration, exceeded func(heap uint64)) (stop func()) {
	prev := debug.SetMemoryLimit(-1)
	if max < prev {
		debug.SetMemoryLimit(max)
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		sample := []metrics.Sample{{Name: heapMetric}}
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() != metrics.KindUint64 {
				return
			}
			// max is positive: ParseSize refuses anything else (gosec G115).
			if heap := sample[0].Value.Uint64(); heap > uint64(max) { //nolint:gosec
				exceeded(heap)
				return
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
		debug.SetMemoryLimit(prev)
	}
}
