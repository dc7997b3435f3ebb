package domain

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkAcquire measures one key choice plus its Report over 1,000
// keys under parallel load. The clock moves 1 ms per call, so projects
// keep headroom (1,000 keys × 100 RPM is more than 1,000 calls a second)
// and windows stay realistically full.
func BenchmarkAcquire(b *testing.B) {
	for _, bc := range []struct{ name, limits string }{
		{"tracked", `{"m": {"rpm": 100, "tpm_input": 1000000, "rpd": 100000000}}`},
		{"untracked", `{}`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			table, err := LoadLimits(strings.NewReader(bc.limits))
			if err != nil {
				b.Fatal(err)
			}
			var ns atomic.Int64
			ns.Store(noon.UnixNano())
			now := func() time.Time { return time.Unix(0, ns.Add(int64(time.Millisecond))) }
			p := NewPool(specs(1000, nil), now, WithLimits(table))
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					var tried Tried
					l, err := p.Acquire("m", 500, &tried)
					if err != nil {
						b.Error(err)
						return
					}
					p.Report(l, Outcome{InputTokens: 480, OutputTokens: 20})
				}
			})
		})
	}
}
