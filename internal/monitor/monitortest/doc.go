// Package monitortest owns the simulated newsroom the monitor is tested
// and benchmarked against: a 127.0.0.1 server hosting several outlets by
// virtual host, with RSS, Atom, JSON Feed and sitemaps, whose articles follow
// a script over a simulated clock; a resolver sending *.test names to
// loopback; and a generated fleet of many outlets for benchmarks.
package monitortest
