// Package handlers serves Hagemi over HTTP: the OpenAI-compatible /v1 API
// and, beside it, the portal. routes.go lists every route on one screen;
// respond.go maps errors to statuses in one place.
package handlers
