package evidence

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Contents are the parts of one of our capture WARCs that pages show: the
// manifest, the final response's decoded body, the extracted text, the
// screenshot and the rendered DOM.
type Contents struct {
	Manifest *Manifest
	// ManifestJSON is the metadata record's block, byte for byte.
	ManifestJSON []byte
	// Body is the final response's body with chunking and Content-Encoding
	// removed; nil for a revisit (the body is in the original capture).
	Body        []byte
	ContentType string
	Revisit     bool
	Text        string
	PNG         []byte
	DOM         []byte
}

// maxDecodedBody bounds a decoded body (a gzip bomb in a WARC).
const maxDecodedBody = 256 << 20

// ReadContents reads a capture WARC written by Capturer.
func ReadContents(warc io.Reader) (*Contents, error) {
	c := &Contents{}
	var responses = map[string]*Record{}
	err := ReadRecords(warc, func(rec Record) error {
		target := rec.TargetURI()
		switch rec.Type() {
		case TypeMetadata:
			if strings.HasPrefix(rec.Header.Get("Content-Type"), "application/vnd.presswatch.manifest+json") {
				c.ManifestJSON = rec.Block
			}
		case TypeResponse, TypeRevisit:
			r := rec
			responses[rec.ID()] = &r
		case TypeResource:
			switch {
			case strings.HasPrefix(target, "urn:text:"):
				c.Text = string(rec.Block)
			case strings.HasPrefix(target, "urn:screenshot:"):
				c.PNG = rec.Block
			case strings.HasPrefix(target, "urn:dom:"):
				c.DOM = rec.Block
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if c.ManifestJSON == nil {
		return nil, fmt.Errorf("evidence: read capture: no manifest record: %w", ErrMalformedWARC)
	}
	if c.Manifest, err = ParseManifest(c.ManifestJSON); err != nil {
		return nil, err
	}
	c.ContentType = c.Manifest.ContentType
	if rec := responses[c.Manifest.ResponseRecordID]; rec != nil {
		if rec.Type() == TypeRevisit {
			c.Revisit = true
		} else {
			c.Body = decodedBody(rec.Block)
		}
	}
	return c, nil
}

// decodedBody returns the HTTP response body of block with transfer and
// content codings removed; what cannot be decoded is returned as it is.
func decodedBody(block []byte) []byte {
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(block)), nil)
	if err != nil {
		return rawPayload(block)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxDecodedBody))
	var r io.Reader
	switch strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))) {
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return body
		}
		r = zr
	case "deflate":
		if zr, err := zlib.NewReader(bytes.NewReader(body)); err == nil {
			r = zr
		} else {
			r = flate.NewReader(bytes.NewReader(body))
		}
	default:
		return body
	}
	out, err := io.ReadAll(io.LimitReader(r, maxDecodedBody))
	if err != nil && len(out) == 0 {
		return body
	}
	return out
}
