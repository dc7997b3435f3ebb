// Package openai holds the wire types of Hagemi's public /v1 contract: the
// OpenAI Chat Completions, Models and Embeddings shapes, JSON only.
//
// Decoding is tolerant on purpose: unknown fields are ignored and explicit
// nulls read as absent, because real clients send both (see
// shared/spec/client-compat.md).
package openai
