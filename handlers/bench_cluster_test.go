package handlers_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hagemi/hagemi/domain"
	"github.com/hagemi/hagemi/handlers"
	"github.com/hagemi/hagemi/sqlstore/redisstate"
	"github.com/hagemi/hagemi/sqlstore/sqltest"
	"github.com/redis/go-redis/v9"
)

// BenchmarkChatCounters measures what sharing the pool's counters through
// Redis adds to a chat request: the quota reservation and its settlement,
// and the per-IP limit, against the same pool counting in process. The
// limits are set high enough never to refuse. Run (with .ci/backends up):
//
//	go test ./handlers -run '^$' -bench ChatCounters -benchmem -count 6
func BenchmarkChatCounters(b *testing.B) {
	limits, err := domain.LoadLimits(strings.NewReader(
		`{"gemini-2.5-flash": {"rpm": 100000000, "tpm_input": 100000000000, "rpd": 1000000000, "tpd_input": null}}`))
	if err != nil {
		b.Fatal(err)
	}
	specs := []domain.KeySpec{{Secret: testKey(1)}, {Secret: testKey(2)}}
	b.Run("in-process", func(b *testing.B) {
		e := startEnv(b, benchFake(b), []string{testKey(1), testKey(2)}, nil, func(d *handlers.Deps) {
			d.Pool = domain.NewPool(specs, time.Now, domain.WithLimits(limits))
			d.IPLimiter = domain.NewClientLimiter(1_000_000, 0)
		})
		runBench(b, benchClient(), e.srv.URL+"/v1/chat/completions", benchOpenAI)
	})
	b.Run("redis", func(b *testing.B) {
		st, err := redisstate.Open(context.Background(), sqltest.RedisURL(b), sqltest.RedisPrefix(b))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		e := startEnv(b, benchFake(b), []string{testKey(1), testKey(2)}, nil, func(d *handlers.Deps) {
			d.Pool = domain.NewPool(specs, time.Now, domain.WithLimits(limits),
				domain.WithCluster(domain.Cluster{Ledger: st, Replica: "bench", OnError: func(err error) {
					if !errors.Is(err, redis.ErrClosed) { // settlements still in flight at the end
						b.Error(err)
					}
				}}))
			d.IPLimiter = st.Limiter(1_000_000, 0)
		})
		runBench(b, benchClient(), e.srv.URL+"/v1/chat/completions", benchOpenAI)
	})
}
