package geminitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Request is one request as the fake received it.
type Request struct {
	Method string
	Path   string // decoded path, e.g. /v1beta/models/gemini-2.5-flash:generateContent
	URL    string // path and query as sent (a leaked ?key= shows here)
	// Action is generateContent, streamGenerateContent, countTokens,
	// embedContent, batchEmbedContents, listModels, getModel, or "" for a
	// path the fake does not serve.
	Action     string
	Model      string // bare model id from the path
	Stream     bool   // streamGenerateContent
	SSE        bool   // alt=sse was asked for
	Key        string // from x-goog-api-key, else from ?key=
	KeyInQuery bool   // a key came as ?key=; Hagemi must never send one there
	Bearer     bool   // an Authorization header came
	Header     http.Header
	Body       map[string]any // the JSON body as sent (camelCase or snake_case); nil if none
	Raw        []byte
	Time       time.Time // by the fake's clock
	Cancelled  bool      // the client went away before the reply finished

	norm map[string]any // Body with camelCase names, once validated
}

const (
	actGenerate = "generateContent"
	actStream   = "streamGenerateContent"
	actCount    = "countTokens"
	actEmbed    = "embedContent"
	actBatch    = "batchEmbedContents"
	actList     = "listModels"
	actGet      = "getModel"
)

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	req := s.parse(r)
	body, tooLarge := readBody(r.Body, s.maxBodySize())
	req.Raw = body
	var parsed any
	parseErr := json.Unmarshal(body, &parsed)
	req.Body, _ = parsed.(map[string]any)
	idx := s.log(req)

	if req.Action == "" {
		writeHTML(w, http.StatusNotFound, "Error 404 (Not Found)!!1", "The requested URL <code>"+r.URL.Path+"</code> was not found on this server.")
		return
	}
	if err := s.authorize(&req); err != nil {
		s.writeError(w, err)
		return
	}
	if tooLarge {
		s.writeError(w, plain("Request payload size exceeds the limit: %d bytes.", s.maxBodySize()))
		return
	}
	switch req.Action {
	case actList:
		s.listModels(w, r)
		return
	case actGet:
		s.getModel(w, req.Model)
		return
	}
	model, known := s.model(req.Model)
	if !known || !supports(model, req.Action) {
		method := strings.Replace(req.Action, actStream, actGenerate, 1)
		s.writeError(w, &apiError{code: 404, status: "NOT_FOUND", message: fmt.Sprintf("models/%s is not found for API version v1beta, or is not supported for %s. Call ListModels to see the list of available models and their supported methods.", req.Model, method)})
		return
	}
	if err := s.checkBody(&req, model, parsed, parseErr); err != nil {
		s.writeError(w, err)
		return
	}
	if err := s.admit(req); err != nil {
		s.writeError(w, err)
		return
	}
	s.mu.Lock()
	if idx >= 0 {
		s.reqs[idx].norm = req.norm
	}
	s.mu.Unlock()
	s.reply(w, r, req, idx)
}

// parse reads the route and credentials; Action "" means an unknown path.
func (s *Server) parse(r *http.Request) Request {
	q := r.URL.Query()
	req := Request{Method: r.Method, Path: r.URL.Path, URL: r.URL.RequestURI(), Header: r.Header.Clone(),
		Key: r.Header.Get("x-goog-api-key"), KeyInQuery: q.Has("key"), Bearer: r.Header.Get("Authorization") != "",
		SSE: q.Get("alt") == "sse", Time: s.clock()}
	if req.Key == "" {
		req.Key = q.Get("key")
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/v1beta/models")
	switch {
	case !ok:
	case rest == "" && r.Method == http.MethodGet:
		req.Action = actList
	case strings.HasPrefix(rest, "/") && strings.Contains(rest, ":") && r.Method == http.MethodPost:
		i := strings.LastIndexByte(rest, ':')
		req.Model, req.Action = rest[1:i], rest[i+1:]
		req.Stream = req.Action == actStream
		if !slices.Contains([]string{actGenerate, actStream, actCount, actEmbed, actBatch}, req.Action) {
			req.Action = "" // predict, batchGenerateContent, …: not served by the fake
		}
	case strings.HasPrefix(rest, "/") && !strings.Contains(rest, ":") && r.Method == http.MethodGet:
		req.Model, req.Action = rest[1:], actGet
	}
	return req
}

// readBody reads at most limit bytes and reports whether there were more.
func readBody(body io.Reader, limit int64) ([]byte, bool) {
	b, _ := io.ReadAll(io.LimitReader(body, limit+1))
	if int64(len(b)) > limit {
		return nil, true
	}
	return bytes.TrimSpace(b), false
}

func (s *Server) maxBodySize() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxBody
}

// log records req and counts its key; it returns req's index in Requests,
// or -1 when recording is off.
func (s *Server) log(req Request) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if req.Key != "" {
		s.calls[req.Key]++
	}
	if !s.record {
		return -1
	}
	s.reqs = append(s.reqs, req)
	return len(s.reqs) - 1
}

// authorize checks credentials the way Google's front end does.
func (s *Server) authorize(req *Request) *apiError {
	if req.Bearer { // an API key sent as a Bearer token is taken for a bad OAuth token
		return &apiError{code: 401, status: "UNAUTHENTICATED",
			message: "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
			details: []map[string]any{{"@type": typeErrorInfo, "reason": "ACCESS_TOKEN_TYPE_UNSUPPORTED", "domain": "googleapis.com",
				"metadata": map[string]any{"service": service}}}}
	}
	if req.Key == "" {
		return &apiError{code: 403, status: "PERMISSION_DENIED",
			message: "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."}
	}
	s.mu.Lock()
	k, known := s.keys[req.Key]
	known = known || s.anyKey
	s.mu.Unlock()
	return keyError(req.Key, k, known)
}
