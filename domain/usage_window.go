package domain

import "time"

// Window is the length of Google's per-minute quotas: a true sliding window,
// not a calendar minute.
const Window = time.Minute

// WindowSkew covers the time between our Acquire and Google stamping the
// call on arrival. An entry leaves the window 60 s after the latest moment
// Google could have stamped it: the Report time for a quick call, at most
// Acquire+WindowSkew for a long one (a stream is stamped when it starts).
const WindowSkew = time.Second

// window is one project×model's calls in the last minute: one entry per
// call Google may still count, ordered by the time it leaves (until).
// Entries are few (at most the RPM limit when one is set), so finding one
// by a linear scan from the back is cheaper than any index.
type window struct {
	e      []winEntry // e[head:] are live
	head   int
	tokens int64 // input tokens of the live entries
}

type winEntry struct {
	until  int64 // Unix nanoseconds when it stops counting
	seq    uint64
	tokens int64
}

// prune drops the entries that left the window by now.
func (w *window) prune(now int64) {
	for w.head < len(w.e) && w.e[w.head].until <= now {
		w.tokens -= w.e[w.head].tokens
		w.head++
	}
	switch {
	case w.head == len(w.e):
		w.e, w.head = w.e[:0], 0
	case w.head > 16 && 2*w.head > len(w.e): // reuse the array instead of growing it forever
		n := copy(w.e, w.e[w.head:])
		w.e, w.head = w.e[:n], 0
	}
}

// count is the number of live entries (call prune first).
func (w *window) count() int { return len(w.e) - w.head }

// insert adds x in until order; new entries usually go last.
func (w *window) insert(x winEntry) {
	w.e = append(w.e, x)
	i := len(w.e) - 1
	for i > w.head && w.e[i-1].until > x.until {
		w.e[i] = w.e[i-1]
		i--
	}
	w.e[i] = x
	w.tokens += x.tokens
}

// find returns the index of the entry with seq, or -1. Recent entries are
// at the back, where the search starts.
func (w *window) find(seq uint64) int {
	for i := len(w.e) - 1; i >= w.head; i-- {
		if w.e[i].seq == seq {
			return i
		}
	}
	return -1
}

// remove takes out entry i and returns it.
func (w *window) remove(i int) winEntry {
	x := w.e[i]
	copy(w.e[i:], w.e[i+1:])
	w.e = w.e[:len(w.e)-1]
	w.tokens -= x.tokens
	return x
}

// countWait is how long until one more call fits under limit calls.
func (w *window) countWait(limit int64, now int64) int64 {
	n := int64(w.count())
	if n < limit {
		return 0
	}
	return w.e[w.head+int(n-limit)].until - now
}

// tokenWait is how long until need more tokens fit under limit. A call
// larger than the limit itself fits only in an empty window: Google is
// then left to judge it.
func (w *window) tokenWait(need, limit int64, now int64) int64 {
	used := w.tokens
	if used+need <= limit || used == 0 {
		return 0
	}
	for i := w.head; i < len(w.e); i++ {
		used -= w.e[i].tokens
		if used+need <= limit || used == 0 {
			return w.e[i].until - now
		}
	}
	return 0
}

// entries copies the live entries, for snapshots.
func (w *window) entries() []WindowEntry {
	out := make([]WindowEntry, 0, w.count())
	for _, x := range w.e[w.head:] {
		out = append(out, WindowEntry{Until: time.Unix(0, x.until).UTC(), Tokens: x.tokens})
	}
	return out
}
