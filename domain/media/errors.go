package media

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/hagemi/hagemi/domain"
)

// failure turns a transport error into a client-safe one. Our own refusals
// (from control or checkRedirect) pass through unchanged.
func failure(ctx context.Context, err error) error {
	var fe *domain.FieldError
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.As(err, &fe):
		return fe
	case ctx.Err() != nil:
		return fmt.Errorf("remote image: %w", ctx.Err())
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return invalid("timeout")
	case errors.As(err, &dnsErr):
		return invalid("host not found")
	default:
		return invalid("fetch failed")
	}
}

func (f *Fetcher) tooLarge() error {
	return invalid("too large (max " + formatSize(f.maxBytes) + ")")
}

// invalid builds a client-safe error matching domain.ErrInvalid. Param is
// left empty for the caller, who knows the JSON path, to fill in.
func invalid(msg string) error { return domain.Invalid("", "remote image: "+msg) }

// formatSize renders a limit the way people set it: "20 MiB", not 20971520.
func formatSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	default:
		return strconv.FormatInt(n, 10) + " bytes"
	}
}
