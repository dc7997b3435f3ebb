package media

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/hagemi/hagemi/domain"
)

// loopback lets tests reach httptest servers, which listen on 127.0.0.1.
var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

var (
	webpBytes = []byte("RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00")
	heicBytes = []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic")
	gifBytes  = []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")
	svgBytes  = []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`)
	htmlBytes = []byte("<!DOCTYPE html><html><body>secret internal page</body></html>")
)

func encode(t *testing.T, jpg bool) []byte {
	t.Helper()
	var b bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	var err error
	if jpg {
		err = jpeg.Encode(&b, img, nil)
	} else {
		err = png.Encode(&b, img)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// serveOn starts a test server on addr ("127.0.0.1:0", "[::1]:0", …) and
// skips the test when the OS cannot bind it.
func serveOn(t *testing.T, addr string, h http.Handler) *httptest.Server {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	s := httptest.NewUnstartedServer(h)
	s.Listener.Close()
	s.Listener = l
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// body serves data with the given Content-Type; "" sends none at all.
func body(contentType string, data []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if contentType == "" {
			w.Header()["Content-Type"] = nil // stop net/http sniffing one in
		} else {
			w.Header().Set("Content-Type", contentType)
		}
		w.Write(data)
	}
}

// wantInvalid checks err is a client error with exactly the message want.
func wantInvalid(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil; want %q", want)
	}
	if got := err.Error(); got != want {
		t.Errorf("err = %q; want %q", got, want)
	}
	if !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("errors.Is(%v, domain.ErrInvalid) = false; want true", err)
	}
}

func TestFetch(t *testing.T) {
	pngBytes, jpegBytes := encode(t, false), encode(t, true)
	tests := []struct {
		name, contentType string
		data              []byte
		want              string
	}{
		{"png", "image/png", pngBytes, "image/png"},
		{"jpeg", "image/jpeg", jpegBytes, "image/jpeg"},
		{"jpg normalised", "IMAGE/JPG; charset=binary", jpegBytes, "image/jpeg"},
		{"header wrong", "text/html", pngBytes, "image/png"},
		{"header missing", "", jpegBytes, "image/jpeg"},
		{"octet-stream webp", "application/octet-stream", webpBytes, "image/webp"},
		{"octet-stream heic", "application/octet-stream", heicBytes, "image/heic"},
		{"heif header", "image/heif", heicBytes, "image/heif"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := serveOn(t, "127.0.0.1:0", body(tt.contentType, tt.data))
			f := NewFetcher(FetcherOptions{AllowHosts: loopback})
			mt, data, err := f.Fetch(t.Context(), s.URL+"/img")
			if err != nil {
				t.Fatalf("Fetch: %v", err)
			}
			if mt != tt.want {
				t.Errorf("mimeType = %q; want %q", mt, tt.want)
			}
			if !bytes.Equal(data, tt.data) {
				t.Errorf("data = %d bytes; want the %d served", len(data), len(tt.data))
			}
		})
	}
}

func TestFetchErrors(t *testing.T) {
	big := bytes.Repeat([]byte{0x89}, 2048)
	tests := []struct {
		name    string
		h       http.HandlerFunc
		timeout time.Duration
		want    string
	}{
		{"too large declared", body("image/png", big), 0, "remote image: too large (max 1 KiB)"},
		{"too large streamed", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/png")
			for range 2 { // flushing forces chunked encoding: no Content-Length to trust
				w.Write(big)
				http.NewResponseController(w).Flush()
			}
		}, 0, "remote image: too large (max 1 KiB)"},
		{"gif", body("image/gif", gifBytes), 0, "remote image: unsupported type image/gif"},
		{"gif as octet-stream", body("application/octet-stream", gifBytes), 0, "remote image: unsupported type image/gif"},
		{"svg", body("image/svg+xml", svgBytes), 0, "remote image: unsupported type image/svg+xml"},
		{"html", body("text/html; charset=utf-8", htmlBytes), 0, "remote image: unsupported type text/html"},
		{"empty", body("image/png", nil), 0, "remote image: empty body"},
		{"404", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "secret internal page", http.StatusNotFound)
		}, 0, "remote image: upstream status 404"},
		{"slow headers", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, 100 * time.Millisecond, "remote image: timeout"},
		{"slow body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "100")
			w.Write([]byte("\x89PNG"))
			http.NewResponseController(w).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, 100 * time.Millisecond, "remote image: timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := serveOn(t, "127.0.0.1:0", tt.h)
			f := NewFetcher(FetcherOptions{MaxBytes: 1024, Timeout: tt.timeout, AllowHosts: loopback})
			_, _, err := f.Fetch(t.Context(), s.URL+"/img")
			wantInvalid(t, err, tt.want)
		})
	}
}

// A caller that gives up is not a bad URL: the error must say so, so a
// handler does not answer 400 to a client that already left.
func TestFetchCallerCanceled(t *testing.T) {
	s := serveOn(t, "127.0.0.1:0", body("image/png", encode(t, false)))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, _, err := NewFetcher(FetcherOptions{AllowHosts: loopback}).Fetch(ctx, s.URL)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v; want context.Canceled", err)
	}
	if errors.Is(err, domain.ErrInvalid) {
		t.Errorf("errors.Is(%v, domain.ErrInvalid) = true; want false", err)
	}
}
