// Package redisstate keeps on Redis what several Hagemi replicas must
// share: the quota ledger per project×model, the pool events, the job
// leases, the clients' request limits and a small cache. It implements
// the interfaces of domain/cluster.go.
//
// Every check-and-change is one Lua script, so it is atomic across
// replicas. The scripts use the caller's clock (QuotaRequest.Now, the
// limiter's now), not Redis TIME: replicas' clocks agree to well within the
// window skew, and tests can move time. Every key has a TTL or is bounded,
// and every key and channel starts with the State's prefix, so several
// deployments (and parallel tests) can share one Redis.
package redisstate
