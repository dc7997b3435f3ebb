package domain

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
)

// ModelLimits are one model's quotas per Google Cloud project and its token
// limits. Zero (null in JSON) means unlimited or unknown: it is not checked.
type ModelLimits struct {
	RPM              int64 `json:"rpm"`
	TPMInput         int64 `json:"tpm_input"`
	RPD              int64 `json:"rpd"`
	TPDInput         int64 `json:"tpd_input"`
	InputTokenLimit  int64 `json:"input_token_limit"`
	OutputTokenLimit int64 `json:"output_token_limit"`
}

// Tracked reports whether any quota is set, i.e. whether the pool pre-checks
// calls to this model before Google does.
func (l ModelLimits) Tracked() bool {
	return l.RPM > 0 || l.TPMInput > 0 || l.RPD > 0 || l.TPDInput > 0
}

// LimitTable maps model ids to their limits. It is immutable once built and
// safe for concurrent use.
type LimitTable struct {
	models  map[string]ModelLimits
	aliases map[string]string // e.g. gemini-flash-latest → gemini-3.8-flash
}

//go:embed limits_default.json
var defaultLimitsJSON []byte

// DefaultLimits is the embedded table: the last free-tier numbers Google
// published (see limits_default.json for sources and dates).
func DefaultLimits() *LimitTable {
	t := &LimitTable{models: map[string]ModelLimits{}, aliases: map[string]string{}}
	if err := t.merge(bytes.NewReader(defaultLimitsJSON)); err != nil {
		panic("domain: embedded limits_default.json: " + err.Error())
	}
	return t
}

// LoadLimits reads a table in the original's model_limits.json format,
// {"model": {"rpm": 10, "tpm_input": 250000, "rpd": 250, "tpd_input": null,
// "input_token_limit": 1048576}, …}, over the defaults: a listed model
// replaces its default entry, unlisted models keep theirs. An entry
// {"same_as": "other-model"} makes an alias; keys starting with "_" are
// comments.
func LoadLimits(r io.Reader) (*LimitTable, error) {
	t := DefaultLimits()
	if err := t.merge(r); err != nil {
		return nil, fmt.Errorf("domain: model limits: %w", err)
	}
	return t, nil
}

type limitsEntry struct {
	ModelLimits
	SameAs string `json:"same_as"`
}

func (t *LimitTable) merge(r io.Reader) error {
	var raw map[string]json.RawMessage
	if err := json.NewDecoder(r).Decode(&raw); err != nil {
		return err
	}
	for name, msg := range raw {
		if strings.HasPrefix(name, "_") {
			continue
		}
		var e limitsEntry
		if err := json.Unmarshal(msg, &e); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		l := e.ModelLimits
		if l.RPM < 0 || l.TPMInput < 0 || l.RPD < 0 || l.TPDInput < 0 || l.InputTokenLimit < 0 || l.OutputTokenLimit < 0 {
			return fmt.Errorf("%s: %w", name, Invalid(name, "limits must not be negative"))
		}
		name = normModel(name)
		delete(t.models, name)
		delete(t.aliases, name)
		if e.SameAs != "" {
			t.aliases[name] = normModel(e.SameAs)
			continue
		}
		t.models[name] = l
	}
	return nil
}

func normModel(m string) string { return strings.ToLower(strings.TrimPrefix(m, "models/")) }

// versionSuffix matches one trailing version marker: a -preview/-exp tail
// ("-preview-04-17", "-exp-image-generation"), "-latest", a "-001" revision
// or a date ("-04-17", "-05-2026").
var versionSuffix = regexp.MustCompile(`^(.+?)(?:-(?:preview|exp|experimental)(?:-.*)?|-latest|-\d{3}|-\d{2}-\d{2,4})$`)

// Lookup finds model's limits: the exact id, then the id without its
// version suffixes (gemini-2.5-flash-preview-04-17 → gemini-2.5-flash),
// each through aliases, then the longest listed family the id starts with
// (gemma-3-27b-it → gemma-3). It reports false for an unknown model, which
// is then unlimited and untracked until Google's 429s teach its limits.
func (t *LimitTable) Lookup(model string) (ModelLimits, bool) {
	if t == nil {
		return ModelLimits{}, false
	}
	name := normModel(model)
	for {
		if l, ok := t.resolve(name); ok {
			return l, true
		}
		m := versionSuffix.FindStringSubmatch(name)
		if m == nil {
			break
		}
		name = m[1]
	}
	best := ""
	for f := range t.models {
		if len(f) > len(best) && strings.HasPrefix(name, f+"-") {
			best = f
		}
	}
	if best == "" {
		return ModelLimits{}, false
	}
	return t.models[best], true
}

// resolve follows aliases (at most a few hops, so a cycle in an operator's
// file cannot hang a request).
func (t *LimitTable) resolve(name string) (ModelLimits, bool) {
	for range 4 {
		if l, ok := t.models[name]; ok {
			return l, true
		}
		a, ok := t.aliases[name]
		if !ok {
			return ModelLimits{}, false
		}
		name = a
	}
	return ModelLimits{}, false
}

// Models lists the table's entries by id, for showing the table in force.
func (t *LimitTable) Models() map[string]ModelLimits {
	out := make(map[string]ModelLimits, len(t.models)+len(t.aliases))
	for name, l := range t.models {
		out[name] = l
	}
	for name := range t.aliases {
		if l, ok := t.resolve(name); ok {
			out[name] = l
		}
	}
	return out
}

// Names lists the table's model ids in order.
func (t *LimitTable) Names() []string {
	var out []string
	for name := range t.Models() {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}
