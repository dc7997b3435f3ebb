// Package gemini holds everything about Google's Gemini API in one place: the
// wire types, the pure OpenAI ⇄ Gemini conversion (convert*.go, response.go,
// stream.go), and client.go, the only code that calls Google.
//
// Conversion functions are pure: no I/O, no globals, no logging; errors are
// returned.
package gemini
