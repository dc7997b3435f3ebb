package domain

// ixheap is a binary heap of small ints (key or project indexes) that
// knows where each one is, so an element can be fixed or removed when its
// priority changes.
type ixheap struct {
	less  func(a, b int32) bool
	items []int32
	pos   []int32 // by element; -1 when absent
}

func newIxheap(n int, less func(a, b int32) bool) ixheap {
	h := ixheap{less: less, pos: make([]int32, n)}
	for i := range h.pos {
		h.pos[i] = -1
	}
	return h
}

// clear empties the heap.
func (h *ixheap) clear() {
	for _, x := range h.items {
		h.pos[x] = -1
	}
	h.items = h.items[:0]
}

// grow makes room for elements up to n-1, absent.
func (h *ixheap) grow(n int) {
	for len(h.pos) < n {
		h.pos = append(h.pos, -1)
	}
}

func (h *ixheap) len() int         { return len(h.items) }
func (h *ixheap) top() int32       { return h.items[0] }
func (h *ixheap) has(x int32) bool { return h.pos[x] >= 0 }

// set inserts x or, when present, moves it to where its priority now puts it.
func (h *ixheap) set(x int32) {
	k := int(h.pos[x])
	if k < 0 {
		h.items = append(h.items, x)
		k = len(h.items) - 1
		h.pos[x] = int32(k)
	}
	if !h.down(k) {
		h.up(k)
	}
}

func (h *ixheap) remove(x int32) {
	k := int(h.pos[x])
	if k < 0 {
		return
	}
	last := len(h.items) - 1
	h.swap(k, last)
	h.items = h.items[:last]
	h.pos[x] = -1
	if k < last && !h.down(k) {
		h.up(k)
	}
}

func (h *ixheap) swap(a, b int) {
	h.items[a], h.items[b] = h.items[b], h.items[a]
	h.pos[h.items[a]], h.pos[h.items[b]] = int32(a), int32(b)
}

func (h *ixheap) up(k int) {
	for k > 0 {
		parent := (k - 1) / 2
		if !h.less(h.items[k], h.items[parent]) {
			return
		}
		h.swap(k, parent)
		k = parent
	}
}

// down sifts k toward the leaves and reports whether it moved.
func (h *ixheap) down(k int) bool {
	start, n := k, len(h.items)
	for {
		c := 2*k + 1
		if c >= n {
			break
		}
		if r := c + 1; r < n && h.less(h.items[r], h.items[c]) {
			c = r
		}
		if !h.less(h.items[c], h.items[k]) {
			break
		}
		h.swap(k, c)
		k = c
	}
	return k > start
}

// A heap stays ordered only if an element's priority changes while it is
// out of the heap (or is the only one changed before it is fixed), so the
// code that changes a priority takes the element out first: refresh for a
// project's score, reserve for a key's last use, rebuild for everything.

// initHeaps sets up the model's three heaps: usable keys best first
// (highest project health score, then least recently used, then lowest
// index, exactly the order a full scan would pick), projects by the time
// their cached check runs out, and cooling keys by the end of cooling.
// The order reads the pool's projOf at each comparison (always under
// mp.mu), as the admin may add keys.
func (mp *modelPool) initHeaps(p *Pool) {
	mp.avail = newIxheap(len(mp.hot), func(a, b int32) bool {
		sa, sb := mp.phot[p.projOf[a]].cached.score, mp.phot[p.projOf[b]].cached.score
		if sa != sb {
			return sa > sb
		}
		if la, lb := mp.hot[a].lastSeq, mp.hot[b].lastSeq; la != lb {
			return la < lb
		}
		return a < b
	})
	mp.ptimer = newIxheap(len(mp.phot), func(a, b int32) bool { return mp.phot[a].cacheUntil < mp.phot[b].cacheUntil })
	mp.ktimer = newIxheap(len(mp.hot), func(a, b int32) bool { return mp.hot[a].coolUntil < mp.hot[b].coolUntil })
}

// advance fires the timers due by now: projects whose cached check ran
// out are re-checked, keys whose cooldown ended are placed again. After
// it, the available heap is exact for a call that fits the token room.
func (mp *modelPool) advance(p *Pool, now int64) {
	for mp.ptimer.len() > 0 {
		j := mp.ptimer.top()
		if mp.phot[j].cacheUntil > now {
			break
		}
		mp.refresh(p, int(j), now)
	}
	for mp.ktimer.len() > 0 {
		i := mp.ktimer.top()
		if mp.hot[i].coolUntil > now {
			break
		}
		mp.ktimer.remove(i)
		mp.place(p, i, now)
	}
}

// place puts key i into the available heap, or takes it out, by its
// state now, and keeps its cooldown timer.
func (mp *modelPool) place(p *Pool, i int32, now int64) {
	cooling := mp.hot[i].coolUntil > now
	if !p.invalid[i].Load() && !cooling && mp.phot[p.projOf[i]].cached.ok {
		mp.avail.set(i)
	} else {
		mp.avail.remove(i)
	}
	if cooling {
		mp.ktimer.set(i)
	} else {
		mp.ktimer.remove(i)
	}
}

// rebuild re-checks every project and places every key, from empty heaps:
// after a new day or a restore.
func (mp *modelPool) rebuild(p *Pool, now int64) {
	mp.avail.clear()
	mp.ptimer.clear()
	mp.ktimer.clear()
	for j := range mp.phot {
		mp.refresh(p, j, now)
	}
	for i := range mp.hot {
		mp.place(p, int32(i), now)
	}
}
