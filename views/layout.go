package views

import (
	"strings"

	"github.com/a-h/templ"
)

// htmxConfig keeps htmx inside the Content-Security-Policy (no inline
// styles, no eval), keeps pages out of localStorage (a new key's secret must
// not linger there), and lets 422 form errors be swapped in like successes.
const htmxConfig = `{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,` +
	`"historyCacheSize":0,"refreshOnHistoryMiss":true,"selfRequestsOnly":true,` +
	`"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},` +
	`{"code":"422","swap":true},{"code":"[45]..","swap":false,"error":true}]}`

// isCurrent tells whether href is the page at path or its section.
func isCurrent(path, href string) bool {
	if href == "/" {
		return path == "/"
	}
	return path == href || strings.HasPrefix(path, href+"/")
}

// flashRole makes errors interrupt a screen reader and notices wait.
func flashRole(f Flash) string {
	if f.Error {
		return "alert"
	}
	return "status"
}

// describedBy links an input to its error message when it has one.
func describedBy(errs FormErrors, field string) string {
	if _, ok := errs[field]; ok {
		return "err-" + field
	}
	return ""
}

// invalidAttrs marks an input that failed validation and points it at its
// message, for screen readers.
func invalidAttrs(errs FormErrors, field string) templ.Attributes {
	if id := describedBy(errs, field); id != "" {
		return templ.Attributes{"aria-invalid": "true", "aria-describedby": id}
	}
	return templ.Attributes{}
}

// fid gives a key form's input an id unique on the page, since the create
// form and an edit form can share one.
func fid(f KeyForm, field string) string {
	if f.ID == 0 {
		return "new-" + field
	}
	return "key" + itoa(f.ID) + "-" + field
}

// meterID names one gauge uniquely on the Gemini page.
func meterID(index int, model, label string) string {
	return "m" + itoa(index) + "-" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, strings.ToLower(model)) + "-" + strings.ToLower(label)
}

// toggleKey names the action that flips a key's disabled state.
func toggleKey(disabled bool) string {
	if disabled {
		return "keys.enable"
	}
	return "keys.disable"
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// toneIf colours a status tile only when its number deserves attention.
func toneIf(cond bool, tone string) string {
	if cond {
		return tone
	}
	return ""
}
