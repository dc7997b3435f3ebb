package views

import (
	"fmt"
	"strings"
)

// Lang is a language the portal speaks.
type Lang string

// The languages, English first: it is the fallback.
const (
	English Lang = "en"
	Chinese Lang = "zh-CN"
)

// Langs lists the supported languages in order of preference.
var Langs = []Lang{English, Chinese}

// catalogues holds every string a person reads, one map per language.
var catalogues = map[Lang]map[string]string{
	English: merge(enPages, enAdmin),
	Chinese: merge(zhPages, zhAdmin),
}

// merge joins a language's files into its one catalogue.
func merge(parts ...map[string]string) map[string]string {
	all := map[string]string{}
	for _, p := range parts {
		for k, v := range p {
			all[k] = v
		}
	}
	return all
}

// T translates key, formatting args into it when given. A missing key
// falls back to English, then to the key itself, so a gap shows up as an
// odd word rather than a broken page (and the catalogue test fails).
func (m PageMeta) T(key string, args ...any) string {
	return Translate(m.Lang, key, args...)
}

// Translate is T without a page, for handlers that set headers or titles.
func Translate(lang Lang, key string, args ...any) string {
	s, ok := catalogues[lang][key]
	if !ok {
		if s, ok = catalogues[English][key]; !ok {
			s = key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// CatalogueKeys lists the keys of lang's catalogue, for the test that both
// languages have every key.
func CatalogueKeys(lang Lang) []string {
	keys := make([]string, 0, len(catalogues[lang]))
	for k := range catalogues[lang] {
		keys = append(keys, k)
	}
	return keys
}

// ParseLang maps a tag ("zh", "zh-Hans-CN", "en-GB") to a supported
// language; ok is false for anything else.
func ParseLang(tag string) (Lang, bool) {
	tag = strings.ToLower(strings.TrimSpace(tag))
	switch {
	case tag == "zh" || strings.HasPrefix(tag, "zh-"):
		// Traditional script readers still read Simplified better than English.
		return Chinese, true
	case tag == "en" || strings.HasPrefix(tag, "en-"):
		return English, true
	}
	return "", false
}
