// Package memory holds the pure rules of server-side conversation memory:
// how a request's contents combine with the stored history (Merge), how big
// a history is (Estimate) and how it is cut to fit a model (Truncate).
//
// It works on gemini.Content because that is what is stored and replayed;
// it does no I/O, so the store and the handlers can both rely on it.
package memory
