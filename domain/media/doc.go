// Package media downloads remote images that OpenAI clients reference by
// http(s) URL, so they can be sent to Gemini as inline data.
//
// Because the URL comes from the client, every download is a server-side
// request forgery risk. The Fetcher therefore checks the address it actually
// dials (after DNS resolution, on every redirect hop), refuses loopback,
// private, link-local and similar ranges, never uses a proxy, and caps time,
// size and redirects. Errors match domain.ErrInvalid and carry short messages
// that are safe to show the client.
package media
