package evidence

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strings"
)

// Digest convention (stated in every warcinfo record we write):
//
//   - digests are "sha256:" followed by the RFC 4648 base32 encoding
//     (upper case, with padding) of the SHA-256 sum, as other WARC tools do;
//   - WARC-Block-Digest covers the whole record block;
//   - WARC-Payload-Digest of a response covers the HTTP entity body after
//     removing chunked transfer coding but keeping any Content-Encoding
//     (gzip stays gzip); of a resource, the whole block.
//
// Readers accept sha1/sha256 in base32 or hex, and payload digests computed
// over the body with its transfer coding left in place (the other convention
// found in the wild).
const DigestConvention = "WARC-Payload-Digest: SHA-256 (base32) of the HTTP entity body after removing chunked transfer coding, Content-Encoding kept; WARC-Block-Digest: SHA-256 (base32) of the whole block"

// DigestSHA256 returns "sha256:<BASE32>" of b.
func DigestSHA256(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + base32.StdEncoding.EncodeToString(s[:])
}

// SHA256Hex returns the lowercase hex SHA-256 of b (the form evidence
// manifests and the log use).
func SHA256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// ErrDigestMismatch is returned (wrapped) by VerifyRecord.
var ErrDigestMismatch = errors.New("evidence: digest mismatch")

// digestMatches reports whether the labelled digest value (e.g.
// "sha1:ABC…") is the digest of data. ok is false for unknown algorithms.
func digestMatches(value string, data []byte) (match, ok bool) {
	algo, enc, found := strings.Cut(strings.TrimSpace(value), ":")
	if !found {
		return false, false
	}
	var h hash.Hash
	switch strings.ToLower(strings.ReplaceAll(algo, "-", "")) {
	case "sha256":
		h = sha256.New()
	case "sha1":
		h = sha1.New()
	default:
		return false, false
	}
	h.Write(data)
	sum := h.Sum(nil)
	want := decodeDigest(enc, len(sum))
	if want == nil {
		return false, true
	}
	return bytes.Equal(want, sum), true
}

func decodeDigest(s string, size int) []byte {
	if len(s) == hex.EncodedLen(size) {
		if b, err := hex.DecodeString(s); err == nil {
			return b
		}
	}
	s = strings.ToUpper(strings.TrimRight(s, "="))
	b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
	if err != nil || len(b) != size {
		return nil
	}
	return b
}

// Payload returns the payload of a record under our convention: for
// request and response records the HTTP body with chunked coding removed,
// for revisit records nothing, for other records the block. ok is false
// when the record has no payload.
func Payload(rec *Record) ([]byte, bool) {
	switch rec.Type() {
	case TypeResponse, TypeRequest:
		if !isHTTP(rec) {
			return rec.Block, true
		}
		return httpBody(rec.Block, rec.Type() == TypeResponse)
	case TypeRevisit, TypeWarcinfo:
		return nil, false
	default:
		return rec.Block, true
	}
}

// rawPayload returns the HTTP body with its transfer coding left in place.
func rawPayload(block []byte) []byte {
	if i := bytes.Index(block, []byte("\r\n\r\n")); i >= 0 {
		return block[i+4:]
	}
	if i := bytes.Index(block, []byte("\n\n")); i >= 0 {
		return block[i+2:]
	}
	return nil
}

func isHTTP(rec *Record) bool {
	ct := strings.ToLower(rec.Header.Get("Content-Type"))
	if strings.HasPrefix(ct, "application/http") {
		return true
	}
	u := strings.ToLower(rec.TargetURI())
	return ct == "" && (strings.HasPrefix(u, "http:") || strings.HasPrefix(u, "https:"))
}

// httpBody parses an HTTP message and returns its de-chunked body. A body
// cut short (truncated capture) returns what is there.
func httpBody(block []byte, response bool) ([]byte, bool) {
	br := bufio.NewReader(bytes.NewReader(block))
	var body io.ReadCloser
	if response {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return rawPayload(block), rawPayload(block) != nil
		}
		if resp.StatusCode == http.StatusNotModified || resp.StatusCode/100 == 1 || resp.StatusCode == http.StatusNoContent {
			return rawPayload(block), true
		}
		body = resp.Body
	} else {
		req, err := http.ReadRequest(br)
		if err != nil {
			return rawPayload(block), rawPayload(block) != nil
		}
		body = req.Body
	}
	b, _ := io.ReadAll(body)
	return b, true
}

// VerifyRecord recomputes a record's WARC-Block-Digest and
// WARC-Payload-Digest (when present, with a known algorithm). It accepts a
// payload digest over the de-chunked body or over the raw body.
func VerifyRecord(rec *Record) error {
	if v := rec.Header.Get("WARC-Block-Digest"); v != "" {
		if match, ok := digestMatches(v, rec.Block); ok && !match {
			return fmt.Errorf("%w: block of %s record %s", ErrDigestMismatch, rec.Type(), rec.ID())
		}
	}
	v := rec.Header.Get("WARC-Payload-Digest")
	if v == "" || rec.Type() == TypeRevisit {
		return nil
	}
	p, ok := Payload(rec)
	if !ok {
		return nil
	}
	match, known := digestMatches(v, p)
	if !known || match {
		return nil
	}
	if isHTTP(rec) {
		if m, _ := digestMatches(v, rawPayload(rec.Block)); m {
			return nil
		}
	}
	return fmt.Errorf("%w: payload of %s record %s", ErrDigestMismatch, rec.Type(), rec.ID())
}
