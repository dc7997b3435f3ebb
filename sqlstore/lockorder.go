package sqlstore

import (
	"cmp"
	"slices"

	"github.com/hagemi/hagemi/domain"
)

// On PostgreSQL, replicas write the same shared rows (every replica saves
// the pool state of the same keys). Two transactions that upsert the same
// rows in different orders can deadlock, and PostgreSQL then aborts one;
// writing in primary-key order makes the second simply wait for the
// first. Sorting is stable, so of two rows with the same key the later
// still wins, as before.

// inKeyOrder returns a copy of snap with every list in primary-key order.
func inKeyOrder(snap domain.PoolSnapshot) domain.PoolSnapshot {
	snap.Keys = sortedStable(snap.Keys, func(a, b domain.KeyState) int { return cmp.Compare(a.ID, b.ID) })
	snap.KeyModels = sortedStable(snap.KeyModels, func(a, b domain.KeyModelState) int {
		return cmp.Or(cmp.Compare(a.KeyID, b.KeyID), cmp.Compare(a.Model, b.Model))
	})
	snap.Projects = sortedStable(snap.Projects, func(a, b domain.ProjectState) int {
		return cmp.Or(cmp.Compare(a.Project, b.Project), cmp.Compare(a.Model, b.Model))
	})
	snap.History = usageInKeyOrder(snap.History)
	return snap
}

func usageInKeyOrder(rows []domain.KeyUsageDay) []domain.KeyUsageDay {
	return sortedStable(rows, func(a, b domain.KeyUsageDay) int {
		return cmp.Or(cmp.Compare(a.KeyID, b.KeyID), cmp.Compare(a.Model, b.Model), cmp.Compare(a.Day, b.Day))
	})
}

// sortedStable sorts a copy, leaving the caller's slice as it was.
func sortedStable[T any](s []T, f func(a, b T) int) []T {
	s = slices.Clone(s)
	slices.SortStableFunc(s, f)
	return s
}
