package media

import (
	"net/netip"
	"testing"
)

func TestAllowed(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"8.8.8.8", true},
		{"142.250.74.206", true},
		{"2607:f8b0:4004:c1b::65", true},
		{"::ffff:8.8.8.8", true},
		{"127.0.0.1", false},
		{"127.255.255.254", false},
		{"::1", false},
		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"::", false},
		{"10.1.2.3", false},
		{"172.16.0.1", false},
		{"172.31.255.255", false},
		{"192.168.0.1", false},
		{"169.254.169.254", false},
		{"100.64.0.1", false},
		{"100.127.255.255", false},
		{"198.18.0.1", false},
		{"255.255.255.255", false},
		{"224.0.0.251", false},
		{"fc00::1", false},
		{"fd12:3456::1", false},
		{"fe80::1", false},
		{"fe80::1%eth0", false},
		{"ff02::1", false},
		{"::ffff:127.0.0.1", false},
		{"::ffff:10.0.0.1", false},
		{"::ffff:169.254.169.254", false},
		{"::127.0.0.1", false},
		{"64:ff9b::a9fe:a9fe", false},
		{"2002:7f00:1::", false},
		{"fd00:ec2::254", false}, // AWS IMDS over IPv6
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := allowed(netip.MustParseAddr(tt.addr), nil); got != tt.want {
				t.Errorf("allowed(%s) = %v; want %v", tt.addr, got, tt.want)
			}
		})
	}
}

func TestAllowedHook(t *testing.T) {
	allow := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	tests := []struct {
		addr string
		want bool
	}{
		{"127.0.0.1", true},
		{"::ffff:127.0.0.1", true},
		{"127.0.0.2", false},
		{"10.0.0.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := allowed(netip.MustParseAddr(tt.addr), allow); got != tt.want {
				t.Errorf("allowed(%s) = %v; want %v", tt.addr, got, tt.want)
			}
		})
	}
}
