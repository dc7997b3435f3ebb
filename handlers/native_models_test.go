package handlers_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

type nativeModelList struct {
	Models []struct {
		Name                       string   `json:"name"`
		DisplayName                string   `json:"displayName"`
		InputTokenLimit            int      `json:"inputTokenLimit"`
		SupportedGenerationMethods []string `json:"supportedGenerationMethods"`
	} `json:"models"`
	NextPageToken string `json:"nextPageToken"`
	Data          []struct {
		ID string `json:"id"`
	} `json:"data"`
}

func getJSON(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, readAll(t, resp.Body))
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// TestModelsShapeFollowsTheCredential checks that GET /v1/models answers
// Gemini clients (x-goog-api-key, ?key=) in Gemini's shape and everyone
// else in OpenAI's, and that both list embedding models.
func TestModelsShapeFollowsTheCredential(t *testing.T) {
	e := newEnv(t, []string{testKey(1)}, nil)
	for _, tt := range []struct {
		name, path string
		header     []string
	}{
		{"x-goog-api-key", "/v1/models", nil},
		{"key param", "/v1/models?key=" + userSecret, []string{"x-goog-api-key", ""}},
		{"v1beta", "/v1beta/models?pageSize=1000", nil},
		{"v1beta by bearer", "/v1beta/models?pageSize=1000", []string{"x-goog-api-key", "", "Authorization", "Bearer " + userSecret}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var list nativeModelList
			getJSON(t, e.native(t, "GET", tt.path, "", tt.header...), &list)
			names := map[string]bool{}
			for _, m := range list.Models {
				names[m.Name] = true
				if m.InputTokenLimit == 0 || len(m.SupportedGenerationMethods) == 0 {
					t.Errorf("model %+v lacks catalog data", m)
				}
			}
			if !names["models/gemini-2.5-flash"] || !names["models/gemini-embedding-001"] || names["models/imagen-4.0-generate-001"] || len(list.Data) > 0 {
				t.Errorf("models = %v, data = %v", names, list.Data)
			}
		})
	}

	models, err := e.client.Models.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range models.Data {
		ids = append(ids, m.ID)
	}
	if s := strings.Join(ids, " "); !strings.Contains(s, "gemini-2.5-flash") || !strings.Contains(s, "gemini-embedding-001") || strings.Contains(s, "models/") {
		t.Errorf("OpenAI ids = %v", ids)
	}
	if _, err := e.client.Models.Get(context.Background(), "gemini-embedding-001"); err != nil {
		t.Errorf("OpenAI get of an embedding model: %v", err)
	}

	var one struct {
		Name string `json:"name"`
		ID   string `json:"id"`
	}
	getJSON(t, e.native(t, "GET", "/v1/models/gemini-2.5-pro", ""), &one)
	if one.Name != "models/gemini-2.5-pro" || one.ID != "" {
		t.Errorf("GET /v1/models/{id} the Gemini way = %+v", one)
	}
	resp := e.native(t, "GET", "/v1/models/gemini-9-ultra", "")
	if resp.StatusCode != 404 {
		t.Fatalf("unknown model: %d", resp.StatusCode)
	}
	decodeGeminiError(t, resp)
}

func TestNativeModelsPage(t *testing.T) {
	e := newEnv(t, []string{testKey(1)}, nil)
	var all []string
	token := ""
	for range 10 {
		var page nativeModelList
		getJSON(t, e.native(t, "GET", "/v1beta/models?pageSize=4&pageToken="+token, ""), &page)
		for _, m := range page.Models {
			all = append(all, m.Name)
		}
		if token = page.NextPageToken; token == "" {
			break
		}
	}
	// The fake lists ten chat models and one embedding model.
	if len(all) != 11 || all[0] != "models/gemini-2.5-flash" {
		t.Errorf("paged models = %v", all)
	}
}
