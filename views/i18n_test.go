package views_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hagemi/hagemi/views"
)

func TestCataloguesHaveTheSameKeys(t *testing.T) {
	en, zh := views.CatalogueKeys(views.English), views.CatalogueKeys(views.Chinese)
	slices.Sort(en)
	slices.Sort(zh)
	for _, k := range en {
		if _, ok := slices.BinarySearch(zh, k); !ok {
			t.Errorf("zh-CN lacks %q", k)
		}
	}
	for _, k := range zh {
		if _, ok := slices.BinarySearch(en, k); !ok {
			t.Errorf("en lacks %q", k)
		}
	}
}

var verb = regexp.MustCompile(`%[sd]`)

func TestCataloguesAgreeOnArguments(t *testing.T) {
	for _, k := range views.CatalogueKeys(views.English) {
		en := verb.FindAllString(views.Translate(views.English, k), -1)
		zh := verb.FindAllString(views.Translate(views.Chinese, k), -1)
		if !slices.Equal(en, zh) {
			t.Errorf("%s: en takes %v, zh-CN takes %v", k, en, zh)
		}
		if strings.TrimSpace(views.Translate(views.Chinese, k)) == "" {
			t.Errorf("%s: empty in zh-CN", k)
		}
	}
}

// TestTemplatesUseOnlyKnownKeys reads every literal key the templates
// translate, so a typo fails here instead of showing a raw key.
func TestTemplatesUseOnlyKnownKeys(t *testing.T) {
	known := map[string]bool{}
	for _, k := range views.CatalogueKeys(views.English) {
		known[k] = true
	}
	files, _ := filepath.Glob("*.templ")
	lit := regexp.MustCompile(`\.T\("([a-z0-9.]+)"\s*[,)]`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range lit.FindAllStringSubmatch(string(b), -1) {
			if !known[m[1]] {
				t.Errorf("%s uses unknown key %q", f, m[1])
			}
		}
	}
	for _, k := range []string{"role.user", "role.model", "role.tool", "error.403.title", "error.404.text", "error.429.text", "error.500.title"} {
		if !known[k] {
			t.Errorf("computed key %q missing", k)
		}
	}
}

func TestParseLang(t *testing.T) {
	for _, tc := range []struct {
		tag  string
		want views.Lang
		ok   bool
	}{
		{"zh-CN", views.Chinese, true}, {"zh", views.Chinese, true}, {"ZH-hant-TW", views.Chinese, true},
		{"en-GB", views.English, true}, {"fr", "", false}, {"", "", false},
	} {
		got, ok := views.ParseLang(tc.tag)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseLang(%q) = %q, %v; want %q, %v", tc.tag, got, ok, tc.want, tc.ok)
		}
	}
}
