package domain

import (
	"strings"
	"testing"
)

func TestLimitsLookup(t *testing.T) {
	table := DefaultLimits()
	tests := []struct {
		model   string
		rpm     int64
		rpd     int64
		inLimit int64
		found   bool
	}{
		{"gemini-2.5-flash", 10, 250, 1048576, true},
		{"models/gemini-2.5-flash", 10, 250, 1048576, true},
		{"gemini-2.5-flash-preview-04-17", 10, 250, 1048576, true},
		{"gemini-2.5-flash-lite", 15, 1000, 1048576, true},
		{"gemini-2.5-flash-lite-preview-06-17", 15, 1000, 1048576, true},
		{"gemini-2.5-pro-exp-03-25", 5, 100, 1048576, true},
		{"gemini-2.0-flash-001", 15, 200, 1048576, true},
		{"gemini-2.0-flash-thinking-exp-01-21", 15, 200, 1048576, true}, // family gemini-2.0-flash
		{"gemini-3-flash-preview", 10, 20, 1048576, true},
		{"gemini-3.5-flash-05-2026", 10, 20, 1048576, true},
		{"gemini-flash-latest", 10, 25, 1048576, true}, // alias → gemini-3.8-flash
		{"gemma-3-27b-it", 30, 14400, 128000, true},    // family gemma-3
		{"gemma-3-1b-it", 30, 14400, 32000, true},      // its own entry beats the family
		{"gemini-embedding-001", 100, 1000, 2048, true},
		{"gemini-1.5-flash-latest", 0, 0, 0, false},
		{"gemini-3.1-pro-preview", 0, 0, 0, false}, // paid only: learned from 429s
		{"totally-new-model", 0, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			l, ok := table.Lookup(tt.model)
			if ok != tt.found || l.RPM != tt.rpm || l.RPD != tt.rpd || l.InputTokenLimit != tt.inLimit {
				t.Errorf("Lookup = %+v, %v; want rpm %d rpd %d input %d, %v", l, ok, tt.rpm, tt.rpd, tt.inLimit, tt.found)
			}
		})
	}
}

func TestLoadLimitsOverridesDefaults(t *testing.T) {
	file := `{
		"_comment": "ours",
		"gemini-2.5-flash": {"rpm": 1000, "tpm_input": 1000000, "rpd": null, "tpd_input": null, "input_token_limit": 1048576},
		"my-tuned-model": {"rpm": 2, "tpm_input": null, "rpd": 50, "tpd_input": 5000000, "input_token_limit": 32000},
		"gemini-pro-latest": {"same_as": "my-tuned-model"}
	}`
	table, err := LoadLimits(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		model string
		want  ModelLimits
	}{
		{"gemini-2.5-flash", ModelLimits{RPM: 1000, TPMInput: 1000000, InputTokenLimit: 1048576}},
		{"gemini-2.5-flash-preview-05-20", ModelLimits{RPM: 1000, TPMInput: 1000000, InputTokenLimit: 1048576}},
		{"my-tuned-model", ModelLimits{RPM: 2, RPD: 50, TPDInput: 5000000, InputTokenLimit: 32000}},
		{"gemini-pro-latest", ModelLimits{RPM: 2, RPD: 50, TPDInput: 5000000, InputTokenLimit: 32000}},
		{"gemini-2.5-pro", ModelLimits{RPM: 5, TPMInput: 250000, RPD: 100, InputTokenLimit: 1048576, OutputTokenLimit: 65536}},
	}
	for _, tt := range tests {
		if got, _ := table.Lookup(tt.model); got != tt.want {
			t.Errorf("Lookup(%s) = %+v; want %+v", tt.model, got, tt.want)
		}
	}
	if l, _ := table.Lookup("gemini-2.5-flash"); l.Tracked() != true {
		t.Error("a model with an RPM limit is not tracked")
	}
	if _, ok := table.Models()["_comment"]; ok {
		t.Error("a _comment key became a model")
	}
}

func TestLoadLimitsRejectsBadFiles(t *testing.T) {
	for _, file := range []string{`[]`, `{"m": {"rpm": -1}}`, `{"m": {"rpm": "ten"}}`, `{`} {
		if _, err := LoadLimits(strings.NewReader(file)); err == nil {
			t.Errorf("LoadLimits(%s) = nil error", file)
		}
	}
}

func TestAliasLoopDoesNotHang(t *testing.T) {
	table, err := LoadLimits(strings.NewReader(`{"a": {"same_as": "b"}, "b": {"same_as": "a"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := table.Lookup("a"); ok {
		t.Error("an alias loop resolved")
	}
}
