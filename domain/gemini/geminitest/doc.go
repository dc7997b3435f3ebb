// Package geminitest is an in-process fake of the Gemini API (v1beta) for
// unit, end-to-end, fault and load tests. It answers like Google on the
// wire and is as strict as Google about what it receives; it decodes bodies
// into plain maps, independently of package gemini's types, so a test
// checks what Hagemi really sends.
//
// # Starting
//
//	fake := geminitest.New(t, geminitest.WithKey("AIza…", geminitest.Key{RPM: 2}))
//	client := &gemini.Client{HTTP: fake.Client(), BaseURL: fake.URL}
//
// New starts an httptest.Server and closes it in t.Cleanup. Unknown keys get
// Google's 400 API_KEY_INVALID, so add every key a test uses (AddKey,
// WithKey) or accept all with WithAnyKey.
//
// # Endpoints
//
//   - POST /v1beta/models/{model}:generateContent: one pretty-printed JSON answer.
//   - POST …:streamGenerateContent?alt=sse: "data: <json>\r\n\r\n" events
//     (WithLF for "\n\n"), text/event-stream, no [DONE], flushed one by one;
//     usageMetadata cumulative on each event, finishReason on the last,
//     responseId and modelVersion on all, function calls whole in one event.
//     Without alt=sse: Google's growing JSON array ("[{…}\n,\r\n{…}]").
//   - POST …:countTokens (both body forms; about 4 characters per token),
//     …:embedContent and …:batchEmbedContents (at most 100 requests, each
//     naming the URL model; deterministic vectors of outputDimensionality,
//     default 3072, unit length only at 3072).
//   - GET /v1beta/models (pageSize default 50, max 1000; nextPageToken) and
//     GET /v1beta/models/{id}, from DefaultModels or SetModels.
//   - Anything else: Google's HTML 404 page.
//
// # Credentials
//
// The key is read from x-goog-api-key, else from ?key= (Request.KeyInQuery
// records that, so tests can assert Hagemi never puts a key in a URL). An
// Authorization header gets 401 UNAUTHENTICATED, no key 403. Key configures
// invalid, suspended (the full key appears in Google's message: test your
// masking), leaked and disabled keys, permanent failures (Key.Fail; 502 is
// an HTML page), and RPM/RPD/TPM quotas per project×model that answer
// Google's 429 with QuotaFailure (quotaValue as a string), Help and
// RetryInfo. Per-minute windows slide; daily ones reset at midnight
// America/Los_Angeles. SetClock makes both deterministic.
//
// # Strictness
//
// Every problem Google rejects gets a 400 INVALID_ARGUMENT with Google's
// text: unknown fields at any level (camelCase or snake_case accepted, not
// both for one field), wrong JSON types, enum values, bad base64, missing
// or empty contents or parts, roles other than user/model, a part with zero
// or two data fields, schema keywords outside the OpenAPI subset in
// parameters/responseSchema (additionalProperties, $ref, oneOf, const, type
// arrays…), OBJECT with empty properties, ARRAY without items, non-string
// enums, parameters together with parametersJsonSchema, more than 5 stop
// sequences, thinkingBudget with thinkingLevel, function call turns not
// right after a user or function response turn, response counts that do
// not match the calls, and on gemini-3* models a missing thoughtSignature
// on the first function call of each model step since the last user text.
// Unknown models (or methods a model lacks) get Google's 404. Prompts over
// the model's inputTokenLimit get the context-length 400; bodies over
// WithMaxBody the payload-size 400. Where Google's exact text is not known,
// the fake uses its "* Request.field: problem" form.
//
// # Scripting
//
// Handle(model, responder) scripts answers (model "" for all); the
// DefaultResponder echoes the last user text. A Reply sets text (or
// chunks), a thought summary, function calls (signed on gemini-3*), finish
// and block reasons, usage, or raw events, and plays faults: an HTTP error,
// a raw or data: error in the middle of a stream, a cut (clean or killed)
// stream, a stall, delays, or a hang until the client gives up.
//
// # Observing
//
// Requests returns everything received, Calls counts per key, Cancelled
// counts requests the client abandoned, InFlight shows requests still
// being served; Wait polls a condition, since the server learns of
// cancellations asynchronously.
package geminitest
