package media

import (
	"strconv"
	"testing"
)

func TestFormatSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{{20 << 20, "20 MiB"}, {1024, "1 KiB"}, {1500, "1500 bytes"}, {1<<20 + 1024, "1025 KiB"}}
	for _, tt := range tests {
		t.Run(strconv.FormatInt(tt.n, 10), func(t *testing.T) {
			if got := formatSize(tt.n); got != tt.want {
				t.Errorf("formatSize(%d) = %q; want %q", tt.n, got, tt.want)
			}
		})
	}
}
