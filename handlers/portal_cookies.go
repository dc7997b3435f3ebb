package handlers

import (
	"net/http"
	"net/netip"
)

// secureCookies adds the Secure attribute to every cookie of a response to
// a request that came over HTTPS (directly or via a trusted proxy). scs
// takes Secure from a fixed setting, but one server can be reached both
// ways, and a Secure cookie set over plain HTTP would never come back.
func secureCookies(trusted []netip.Prefix, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !requestIsHTTPS(r, trusted) {
			next.ServeHTTP(w, r)
			return
		}
		sw := &secureWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		// scs writes the cookie after the handler when the handler wrote
		// nothing; the status line has not gone out yet.
		sw.fix()
	})
}

type secureWriter struct {
	http.ResponseWriter
	sent bool
}

func (w *secureWriter) fix() {
	if w.sent {
		return
	}
	w.sent = true
	h := w.Header()
	for i, line := range h["Set-Cookie"] {
		c, err := http.ParseSetCookie(line)
		if err != nil || c.Secure {
			continue
		}
		c.Secure = true
		h["Set-Cookie"][i] = c.String()
	}
}

// WriteHeader fixes the cookies before the header goes out.
func (w *secureWriter) WriteHeader(code int) {
	w.fix()
	w.ResponseWriter.WriteHeader(code)
}

// Write fixes the cookies before the first byte goes out.
func (w *secureWriter) Write(b []byte) (int, error) {
	w.fix()
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *secureWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// setCookie writes a portal cookie (not the session's) with the same
// attributes as the session cookie.
func setCookie(w http.ResponseWriter, r *http.Request, trusted []netip.Prefix, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: requestIsHTTPS(r, trusted),
	})
}
