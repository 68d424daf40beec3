// Package safehttp owns presswatch's only outbound HTTP client. It refuses
// loopback, private, link-local, CGNAT, multicast, metadata and other internal
// addresses after DNS resolution, at dial time, on every connection and every
// redirect; allows only http and https; bounds time, size and redirects; and
// records the raw bytes of every exchange for the evidence pipeline.
package safehttp
