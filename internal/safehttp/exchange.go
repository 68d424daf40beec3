package safehttp

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"time"
)

type syscallRawConn = syscall.RawConn

// Response is the outcome of Do: every exchange in order, the last being
// the final one (or the one that failed).
type Response struct {
	Exchanges []*Exchange
}

// Final returns the last exchange, or nil when none was made.
func (r *Response) Final() *Exchange {
	if r == nil || len(r.Exchanges) == 0 {
		return nil
	}
	return r.Exchanges[len(r.Exchanges)-1]
}

// TLSInfo describes the TLS session of an exchange.
type TLSInfo struct {
	Version          string
	CipherSuite      string
	ServerName       string
	PeerCertificates []*x509.Certificate
}

// Exchange is one request and its response as they crossed the wire.
type Exchange struct {
	URL       string
	Method    string
	StartedAt time.Time
	// RemoteAddr is the ip:port actually dialled; empty through a proxy.
	RemoteAddr string
	// RawRequest and RawResponse are the bytes written to and read from the
	// connection (after TLS): status line, headers and body, chunked framing
	// and content encoding included. RawTruncated marks a cut recording.
	RawRequest   []byte
	RawResponse  []byte
	RawTruncated bool
	StatusCode   int
	Proto        string
	Header       http.Header
	// Payload is the de-chunked body with its Content-Encoding kept (what
	// WARC-Payload-Digest covers); Body is Payload decoded.
	Payload     []byte
	Body        []byte
	Truncated   bool
	DecodeError string
	TLS         *TLSInfo
	// Location is the absolute redirect target followed from this exchange.
	Location string
	Err      error

	cookies []*http.Cookie
}

// recorder keeps the bytes of one connection, up to limit in each direction.
type recorder struct {
	mu        sync.Mutex
	limit     int64
	w, r      bytes.Buffer
	truncated bool
	remote    string
	tls       *tls.ConnectionState
}

type plainConn struct {
	net.Conn
	rec    *recorder
	remote string
}

func (rec *recorder) wrap(c net.Conn, remote string) net.Conn {
	if rec == nil {
		return &plainConn{Conn: c, remote: remote}
	}
	rec.setRemote(remote)
	return &plainConn{Conn: c, rec: rec, remote: remote}
}

func (c *plainConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if c.rec != nil && n > 0 {
		c.rec.add(&c.rec.r, p[:n])
	}
	return n, err
}

// Write records before writing: the peer may answer, and the response be
// fully read, before a Write call returns on the transport's write goroutine.
func (c *plainConn) Write(p []byte) (int, error) {
	if c.rec != nil && len(p) > 0 {
		c.rec.add(&c.rec.w, p)
	}
	return c.Conn.Write(p)
}

func (rec *recorder) add(b *bytes.Buffer, p []byte) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	room := rec.limit - int64(b.Len())
	if room <= 0 {
		rec.truncated = true
		return
	}
	if int64(len(p)) > room {
		p = p[:room]
		rec.truncated = true
	}
	b.Write(p)
}

func (rec *recorder) bytes() (w, r []byte, truncated bool) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return bytes.Clone(rec.w.Bytes()), bytes.Clone(rec.r.Bytes()), rec.truncated
}

func (rec *recorder) setRemote(s string) {
	if rec == nil || s == "" {
		return
	}
	rec.mu.Lock()
	rec.remote = s
	rec.mu.Unlock()
}

func (rec *recorder) remoteAddr() string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.remote
}

func (rec *recorder) setTLS(st *tls.ConnectionState) {
	rec.mu.Lock()
	rec.tls = st
	rec.mu.Unlock()
}

func (rec *recorder) tlsState() *tls.ConnectionState {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.tls
}

// decodeBody removes Content-Encoding (gzip, deflate), bounded by max.
func decodeBody(payload []byte, encoding string, max int64) ([]byte, bool, error) {
	var r io.Reader
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "identity", "none":
		return payload, false, nil
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(payload))
		if err != nil {
			return payload, false, fmt.Errorf("safehttp: gzip body: %w", err)
		}
		r = zr
	case "deflate":
		if zr, err := zlib.NewReader(bytes.NewReader(payload)); err == nil {
			r = zr
		} else {
			r = flate.NewReader(bytes.NewReader(payload))
		}
	default:
		return payload, false, fmt.Errorf("safehttp: unsupported content encoding %q", encoding)
	}
	b, trunc, err := readLimited(r, max)
	if err != nil && err != io.ErrUnexpectedEOF {
		return b, trunc, fmt.Errorf("safehttp: decode %s body: %w", encoding, err)
	}
	return b, trunc, nil
}
