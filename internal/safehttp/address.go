package safehttp

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// Errors callers test with errors.Is.
var (
	// ErrBlockedAddress: the host is, or resolves to, an address presswatch
	// never connects to (loopback, private, link-local, metadata…).
	ErrBlockedAddress = errors.New("safehttp: blocked address")
	// ErrBlockedScheme: the URL scheme is not http or https.
	ErrBlockedScheme = errors.New("safehttp: blocked scheme")
	// ErrTooManyRedirects: the redirect chain exceeded Options.MaxRedirects.
	ErrTooManyRedirects = errors.New("safehttp: too many redirects")
	// ErrBodyTooLarge: the body exceeded Options.MaxBodyBytes. Fetch does not
	// return it (it keeps the first MaxBodyBytes and sets Truncated); it is
	// returned by readers that must not truncate silently.
	ErrBodyTooLarge = errors.New("safehttp: body too large")
)

// blockedPrefixes lists every range presswatch refuses to connect to.
var blockedPrefixes = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8",       // "this network", unspecified
		"10.0.0.0/8",      // private
		"100.64.0.0/10",   // CGNAT
		"127.0.0.0/8",     // loopback
		"169.254.0.0/16",  // link-local, cloud metadata 169.254.169.254
		"172.16.0.0/12",   // private
		"192.0.0.0/24",    // IETF protocol assignments
		"192.0.2.0/24",    // TEST-NET-1
		"192.88.99.0/24",  // 6to4 relay anycast
		"192.168.0.0/16",  // private
		"198.18.0.0/15",   // benchmarking
		"198.51.100.0/24", // TEST-NET-2
		"203.0.113.0/24",  // TEST-NET-3
		"224.0.0.0/4",     // multicast
		"240.0.0.0/4",     // reserved, broadcast
		"::/128",          // unspecified
		"::1/128",         // loopback
		"::ffff:0:0/96",   // IPv4-mapped
		"::/96",           // IPv4-compatible (deprecated)
		"64:ff9b::/96",    // NAT64 (may embed internal IPv4)
		"64:ff9b:1::/48",  // local-use NAT64
		"100::/64",        // discard
		"2001::/32",       // Teredo
		"2001:db8::/32",   // documentation
		"2002::/16",       // 6to4 (may embed internal IPv4)
		"fc00::/7",        // unique local
		"fe80::/10",       // link-local
		"fec0::/10",       // site-local (deprecated)
		"ff00::/8",        // multicast
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// IsBlockedIP reports whether ip is an address safehttp never dials.
func IsBlockedIP(ip netip.Addr) bool {
	if !ip.IsValid() {
		return true
	}
	ip = ip.WithZone("")
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsMulticast() || ip.IsUnspecified() || ip.IsInterfaceLocalMulticast() {
		return true
	}
	for _, p := range blockedPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// checkHost refuses hosts that are literal internal addresses, internal
// names, or odd numeric IPv4 spellings (2130706433, 0177.0.0.1, 0x7f.1) that
// browsers and inet_aton read as addresses. It returns the literal IP when
// host is one.
func checkHost(host string) (netip.Addr, bool, error) {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	h = strings.TrimPrefix(strings.TrimSuffix(h, "]"), "[")
	if h == "" {
		return netip.Addr{}, false, fmt.Errorf("%w: empty host", ErrBlockedAddress)
	}
	if ip, err := netip.ParseAddr(h); err == nil {
		if IsBlockedIP(ip) {
			return ip, true, fmt.Errorf("%w: %s", ErrBlockedAddress, ip)
		}
		return ip, true, nil
	}
	if looksNumericIPv4(h) {
		return netip.Addr{}, false, fmt.Errorf("%w: non-canonical numeric address %q", ErrBlockedAddress, host)
	}
	if h == "localhost" || strings.HasSuffix(h, ".localhost") || h == "localhost.localdomain" ||
		strings.HasSuffix(h, ".local") || strings.HasSuffix(h, ".internal") {
		return netip.Addr{}, false, fmt.Errorf("%w: internal name %q", ErrBlockedAddress, host)
	}
	return netip.Addr{}, false, nil
}

// looksNumericIPv4 reports whether h is an inet_aton style IPv4 spelling:
// one to four dot-separated parts, each decimal, octal (0…) or hex (0x…).
func looksNumericIPv4(h string) bool {
	parts := strings.Split(h, ".")
	if len(parts) > 4 {
		return false
	}
	for _, p := range parts {
		if p == "" {
			return false
		}
		if _, err := strconv.ParseUint(p, 0, 64); err != nil {
			if !(strings.HasPrefix(p, "0x") && len(p) == 2) {
				return false
			}
		}
	}
	return true
}

// checkDialAddr is the last guard: it checks the ip:port actually being
// dialled. It runs in net.Dialer.Control, so it also covers addresses the
// resolver returned (DNS rebinding gets no second chance).
func checkDialAddr(address string) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %q: %v", ErrBlockedAddress, address, err)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: dial to non-IP %q", ErrBlockedAddress, address)
	}
	if IsBlockedIP(ip) {
		return fmt.Errorf("%w: %s", ErrBlockedAddress, ip)
	}
	return nil
}
