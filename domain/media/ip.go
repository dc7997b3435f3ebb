package media

import (
	"context"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
)

// blocked lists ranges that netip.Addr's Is* methods do not cover but that
// still lead inside a network or to no public web server.
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"; Linux dials 0.x as localhost
	netip.MustParsePrefix("100.64.0.0/10"),  // CGNAT, used inside clouds and VPN meshes
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking, sometimes used internally
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, includes broadcast
	netip.MustParsePrefix("::/96"),          // deprecated IPv4-compatible form of any IPv4 address
	netip.MustParsePrefix("64:ff9b::/96"),   // NAT64 translates to any IPv4 address, private ones included
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
	netip.MustParsePrefix("2002::/16"),      // 6to4 embeds an IPv4 address
	netip.MustParsePrefix("fec0::/10"),      // deprecated site-local
}

// allowed reports whether a dial to a may proceed. allow (a test hook) wins
// over every refusal so tests can use httptest servers on 127.0.0.1.
func allowed(a netip.Addr, allow []netip.Prefix) bool {
	// Unmap so ::ffff:10.0.0.1 is judged as 10.0.0.1; drop the zone because
	// Prefix.Contains never matches zoned addresses.
	a = a.Unmap().WithZone("")
	if !a.IsValid() {
		return false
	}
	for _, p := range allow {
		if p.Contains(a) {
			return true
		}
	}
	if a.IsLoopback() || a.IsPrivate() || a.IsUnspecified() ||
		a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() {
		return false
	}
	for _, p := range blocked {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// control runs inside net.Dialer after DNS resolution and before connect, so
// it sees the exact address of every attempt: literal IPs, resolved names,
// DNS rebinding and each redirect hop all pass through here.
func (f *Fetcher) control(_ context.Context, _, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || !allowed(ap.Addr(), f.allow) {
		return invalid("address not allowed")
	}
	return nil
}

// checkURL rejects what the dialer cannot see: the scheme, credentials, and
// the name localhost (refused by name too, whatever it resolves to).
func checkURL(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return invalid("unsupported scheme")
	}
	if u.User != nil {
		return invalid("credentials in url not allowed")
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "" {
		return invalid("invalid url")
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return invalid("address not allowed")
	}
	return nil
}
