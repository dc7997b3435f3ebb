package gemini

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hagemi/hagemi/domain/openai"
)

// update rewrites the golden files: go test ./domain/gemini -run Golden -update
var update = flag.Bool("update", false, "rewrite golden files under testdata")

const goldenDir = "testdata/convert"

// goldenOpts is the optional <case>.opts.json next to a golden input.
type goldenOpts struct {
	SafetyThreshold string            `json:"safetyThreshold"`
	MaxOutputTokens int               `json:"maxOutputTokens"`
	KeepPenalties   bool              `json:"keepPenalties"`
	Media           map[string]Blob   `json:"media"`
	Signatures      map[string]string `json:"signatures"` // tool call id → signature, for opts.Signature
	Model           string            `json:"model"`      // response side; default gemini-2.5-flash
	IncludeThoughts bool              `json:"includeThoughts"`
	IncludeUsage    bool              `json:"includeUsage"`
}

func loadOpts(t *testing.T, name string) goldenOpts {
	t.Helper()
	var g goldenOpts
	b, err := os.ReadFile(filepath.Join(goldenDir, name+".opts.json"))
	if os.IsNotExist(err) {
		return g
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatalf("%s.opts.json: %v", name, err)
	}
	return g
}

func (g goldenOpts) convert(model string) ConvertOptions {
	o := ConvertOptions{Model: model, SafetyThreshold: g.SafetyThreshold, MaxOutputTokens: g.MaxOutputTokens,
		KeepPenalties: g.KeepPenalties, Media: g.Media}
	if g.Signatures != nil {
		o.Signature = func(id string) (string, bool) { s, ok := g.Signatures[id]; return s, ok }
	}
	return o
}

func (g goldenOpts) response() ResponseOptions {
	model := g.Model
	if model == "" {
		model = "gemini-2.5-flash"
	}
	return ResponseOptions{ID: "chatcmpl-test", Model: model, Created: 1763900000,
		IncludeThoughts: g.IncludeThoughts, NewToolCallID: counterIDs()}
}

// counterIDs issues call_1, call_2, … so golden files are stable.
func counterIDs() func() string {
	n := 0
	return func() string { n++; return "call_" + strconv.Itoa(n) }
}

// goldenCases lists the case names of the files ending in suffix.
func goldenCases(t *testing.T, suffix string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(goldenDir, "*"+suffix))
	if err != nil || len(files) == 0 {
		t.Fatalf("no %s files in %s (%v)", suffix, goldenDir, err)
	}
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = strings.TrimSuffix(filepath.Base(f), suffix)
	}
	return names
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// indentJSON marshals v the way golden files are written: two-space
// indented, HTML characters unescaped, with a final newline.
func indentJSON(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// compactJSON is one line of JSON without HTML escaping.
func compactJSON(t *testing.T, v any) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// checkGolden compares got with the golden file, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(goldenDir, name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
	}
}

// TestConvertGolden converts every <case>.openai.json to <case>.gemini.json.
func TestConvertGolden(t *testing.T) {
	for _, name := range goldenCases(t, ".openai.json") {
		t.Run(name, func(t *testing.T) {
			var req openai.ChatRequest
			if err := json.Unmarshal(readFile(t, name+".openai.json"), &req); err != nil {
				t.Fatal(err)
			}
			model, err := ModelID(req.Model)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ConvertRequest(&req, loadOpts(t, name).convert(model))
			if err != nil {
				t.Fatalf("ConvertRequest: %v", err)
			}
			checkRequestShape(t, got.Request)
			checkGolden(t, name+".gemini.json", indentJSON(t, got.Request))
		})
	}
}

// checkRequestShape asserts what Gemini enforces on every request: each
// part has exactly one data field and no content has empty parts.
func checkRequestShape(t testing.TB, r *GenerateContentRequest) {
	t.Helper()
	if len(r.Contents) == 0 {
		t.Fatalf("request has no contents")
	}
	all := r.Contents
	if r.SystemInstruction != nil {
		all = append(append([]Content(nil), all...), *r.SystemInstruction)
	}
	for i, c := range all {
		if len(c.Parts) == 0 {
			t.Fatalf("contents[%d] has no parts", i)
		}
		for j, p := range c.Parts {
			n := 0
			for _, set := range []bool{p.Text != "", p.InlineData != nil, p.FileData != nil, p.FunctionCall != nil,
				p.FunctionResponse != nil, p.ExecutableCode != nil, p.CodeExecutionResult != nil} {
				if set {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("contents[%d].parts[%d] has %d data fields: %+v", i, j, n, p)
			}
			if p.FunctionCall != nil && (p.FunctionCall.ID != "" || !json.Valid(p.FunctionCall.Args) || p.FunctionCall.Args[0] != '{') {
				t.Fatalf("contents[%d].parts[%d]: bad functionCall %+v", i, j, p.FunctionCall)
			}
			if p.FunctionResponse != nil && (p.FunctionResponse.ID != "" || !json.Valid(p.FunctionResponse.Response) || p.FunctionResponse.Response[0] != '{') {
				t.Fatalf("contents[%d].parts[%d]: bad functionResponse %+v", i, j, p.FunctionResponse)
			}
		}
	}
	if r.Contents[0].Role != "user" {
		t.Fatalf("first content role = %q; want user", r.Contents[0].Role)
	}
}
