// Package views renders the portal's pages with templ. Each page has one
// view-model struct (models.go) and one .templ file; the fragments htmx
// swaps are exported components. Every string a person reads comes from
// the catalogue of the page's language (i18n_en.go, i18n_zh.go).
package views
