package evidence

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestWARCRoundTrip(t *testing.T) {
	httpResp := "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
	in := []*Record{
		{Header: Header{{"WARC-Type", TypeWarcinfo}, {"Content-Type", "application/warc-fields"}}, Block: []byte("software: test\r\n")},
		{Header: Header{{"WARC-Type", TypeRequest}, {"WARC-Target-URI", "http://example.org/"}, {"Content-Type", "application/http;msgtype=request"}}, Block: []byte("GET / HTTP/1.1\r\nHost: example.org\r\n\r\n")},
		{Header: Header{{"WARC-Type", TypeResponse}, {"WARC-Target-URI", "http://example.org/"}, {"Content-Type", "application/http;msgtype=response"}}, Block: []byte(httpResp)},
		{Header: Header{{"WARC-Type", TypeResource}, {"WARC-Target-URI", "urn:text:http://example.org/"}, {"Content-Type", "text/plain"}}, Block: []byte("اردو متن हिन्दी")},
		{Header: Header{{"WARC-Type", TypeMetadata}, {"Content-Type", "application/json"}}, Block: []byte(`{"a":1}`)},
		{Header: Header{{"WARC-Type", TypeResource}, {"WARC-Target-URI", "urn:empty"}}, Block: nil},
	}
	var buf bytes.Buffer
	w := NewWARCWriter(&buf)
	for _, r := range in {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	out := MustVerified(t, buf.Bytes())
	if len(out) != len(in) {
		t.Fatalf("read %d records, wrote %d", len(out), len(in))
	}
	for i := range in {
		if out[i].ID() != in[i].ID() || !bytes.Equal(out[i].Block, in[i].Block) || out[i].Offset != in[i].Offset || out[i].Length != in[i].Length {
			t.Errorf("record %d differs", i)
		}
	}
	if got := out[2].Header.Get("WARC-Payload-Digest"); got != DigestSHA256([]byte("hello world")) {
		t.Errorf("payload digest %s is not over the de-chunked body", got)
	}
	if !strings.HasSuffix(out[2].Header.Get("WARC-Payload-Digest"), "====") {
		t.Errorf("digest not padded base32")
	}

	t.Run("flipped byte is found", func(t *testing.T) {
		for i := range out {
			r := out[i]
			if len(r.Block) == 0 {
				continue
			}
			r.Block = bytes.Clone(r.Block)
			r.Block[len(r.Block)-1] ^= 1
			if err := VerifyRecord(&r); !errors.Is(err, ErrDigestMismatch) {
				t.Errorf("record %d (%s): err = %v", i, r.Type(), err)
			}
		}
	})
	t.Run("uncompressed", func(t *testing.T) {
		var raw bytes.Buffer
		for _, r := range in {
			writeRecord(&raw, r)
		}
		recs := MustVerified(t, raw.Bytes())
		if len(recs) != len(in) || recs[3].Offset == 0 || !bytes.HasPrefix(raw.Bytes()[recs[3].Offset:], []byte("WARC/1.1")) {
			t.Fatalf("uncompressed read: %d records", len(recs))
		}
	})
	t.Run("hex digests accepted", func(t *testing.T) {
		r := out[3]
		r.Header.Set("WARC-Block-Digest", "sha256:"+SHA256Hex(r.Block))
		r.Header.Set("WARC-Payload-Digest", "sha256:"+SHA256Hex(r.Block))
		if err := VerifyRecord(&r); err != nil {
			t.Fatal(err)
		}
	})
}

func TestReadMalformed(t *testing.T) {
	cases := map[string]string{
		"not warc":          "HTTP/1.1 200 OK\r\n\r\n",
		"no content length": "WARC/1.1\r\nWARC-Type: resource\r\n\r\nabc",
		"negative length":   "WARC/1.1\r\nContent-Length: -1\r\n\r\n",
		"short block":       "WARC/1.1\r\nContent-Length: 100\r\n\r\nabc",
		"huge length":       "WARC/1.1\r\nContent-Length: 99999999999999\r\n\r\n",
		"bad header":        "WARC/1.1\r\nno colon here\r\n\r\n",
		"truncated gzip":    "\x1f\x8b\x08\x00\x00\x00",
		"header never ends": "WARC/1.1\r\nA: b\r\n",
		"overlong line":     "WARC/1.1\r\nA: " + strings.Repeat("x", 70000) + "\r\n\r\n",
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			err := ReadRecords(strings.NewReader(in), func(Record) error { return nil })
			if err == nil {
				t.Fatal("want error")
			}
		})
	}
}

func FuzzReadWARC(f *testing.F) {
	f.Add([]byte("WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 3\r\n\r\nabc\r\n\r\n"))
	f.Add([]byte("WARC/1.0\r\nWARC-Type: response\r\nContent-Type: application/http;msgtype=response\r\nWARC-Payload-Digest: sha1:AAAA\r\nContent-Length: 40\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n := 0
		_ = ReadRecords(bytes.NewReader(data), func(r Record) error {
			n++
			_ = VerifyRecord(&r)
			_, _ = Payload(&r)
			if r.Offset < 0 || r.Length < 0 || r.Offset+r.Length > int64(len(data)) {
				t.Fatalf("record outside input: offset %d length %d of %d", r.Offset, r.Length, len(data))
			}
			return nil
		})
	})
}
