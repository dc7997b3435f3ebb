package gemini

import (
	"bytes"
	"errors"
	"io"
	"sync"
	"sync/atomic"
)

// drainClose reads a little of what is left so the connection can be
// reused, then closes the body.
func drainClose(body io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, body, 64<<10)
	_ = body.Close()
}

var bodyBufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// pooledBody is a request body in a pooled buffer. The transport may read
// it after Do returned (HTTP/1 writes bodies concurrently) and may ask for
// copies via GetBody, so the buffer is reference-counted: one reference for
// the sender, one per reader until the transport closes it.
type pooledBody struct {
	buf  *bytes.Buffer
	refs atomic.Int32
}

func newPooledBody() *pooledBody {
	b := &pooledBody{buf: bodyBufPool.Get().(*bytes.Buffer)}
	b.refs.Store(1)
	return b
}

// reader returns a new reader over the buffer, or an error if every
// reference is gone already.
func (b *pooledBody) reader() (io.ReadCloser, error) {
	for {
		n := b.refs.Load()
		if n <= 0 {
			return nil, errors.New("gemini: request body already released")
		}
		if b.refs.CompareAndSwap(n, n+1) {
			return &pooledReader{Reader: bytes.NewReader(b.buf.Bytes()), owner: b}, nil
		}
	}
}

func (b *pooledBody) release() {
	if b.refs.Add(-1) != 0 {
		return
	}
	if b.buf.Cap() <= maxPooledBytes {
		b.buf.Reset()
		bodyBufPool.Put(b.buf)
	}
}

type pooledReader struct {
	*bytes.Reader
	owner *pooledBody
	once  sync.Once
}

func (r *pooledReader) Close() error {
	r.once.Do(r.owner.release)
	return nil
}
