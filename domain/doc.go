// Package domain holds Hagemi's pure rules and vocabulary: Gemini keys and the
// pool that chooses them, cooldowns, per-client limits, Pacific-time days and
// the errors every layer shares. It imports neither net/http nor
// database/sql.
package domain
