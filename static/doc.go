// Package static holds the portal's browser assets, embedded in the binary:
// a hand-written stylesheet, a few lines of script for the copy buttons, and
// htmx vendored from the npm registry's htmx.org package (HTMXVersion).
package static
