package evidence

import (
	"bytes"
	"testing"
)

// FuzzReadContents feeds ReadContents (the evidence page's reader of a stored
// WARC, with gzip/deflate bodies) arbitrary input. The committed seeds in
// testdata/fuzz/FuzzReadContents are real captures (copies of FuzzReadWARC's).
func FuzzReadContents(f *testing.F) {
	f.Add([]byte("WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:1>\r\nWARC-Target-URI: http://x/\r\nContent-Type: application/http;msgtype=response\r\nContent-Length: 62\r\n\r\nHTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ReadContents(bytes.NewReader(data))
		if err != nil {
			return
		}
		if len(c.Body) > maxDecodedBody {
			t.Fatalf("decoded body of %d bytes", len(c.Body))
		}
	})
}
