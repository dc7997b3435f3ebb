package domain

import (
	"context"
	"time"
)

// KeyStateSink stores the pool's state; *sqlstore.Store implements it.
// SaveKeyState upserts: every value in the snapshot is absolute.
type KeyStateSink interface {
	SaveKeyState(ctx context.Context, s PoolSnapshot) error
}

// finalFlushTimeout bounds the last write at shutdown.
const finalFlushTimeout = 10 * time.Second

// RunPersister writes the pool's changes to sink every interval, behind
// the requests (never on their path), and once more when ctx ends. A
// failed write is retried at the next tick with everything changed since
// the last good one; onErr (may be nil) hears of each failure. It returns
// the error of the final write.
func RunPersister(ctx context.Context, p *Pool, sink KeyStateSink, every time.Duration, onErr func(error)) error {
	var saved uint64
	flush := func(ctx context.Context) error {
		snap, upTo := p.snapshotSince(saved, false)
		if !snap.Empty() {
			if err := sink.SaveKeyState(ctx, snap); err != nil {
				return err
			}
		}
		saved = upTo
		p.markSaved(upTo)
		return nil
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finalFlushTimeout)
			defer cancel()
			return flush(fctx)
		case <-t.C:
			if err := flush(ctx); err != nil && onErr != nil && ctx.Err() == nil {
				onErr(err)
			}
		}
	}
}
