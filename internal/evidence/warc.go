package evidence

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
)

// WARC record types.
const (
	TypeWarcinfo = "warcinfo"
	TypeRequest  = "request"
	TypeResponse = "response"
	TypeResource = "resource"
	TypeMetadata = "metadata"
	TypeRevisit  = "revisit"
)

// ProfileIdenticalPayload is the WARC 1.1 revisit profile used for unchanged
// re-captures.
const ProfileIdenticalPayload = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"

// Field is one WARC named field.
type Field struct {
	Name, Value string
}

// Header is a record's named fields in order.
type Header []Field

// Get returns the first value of name (case-insensitive), or "".
func (h Header) Get(name string) string {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// Set replaces every value of name with value, or appends it.
func (h *Header) Set(name, value string) {
	out := (*h)[:0]
	done := false
	for _, f := range *h {
		if strings.EqualFold(f.Name, name) {
			if !done {
				out = append(out, Field{f.Name, value})
				done = true
			}
			continue
		}
		out = append(out, f)
	}
	if !done {
		out = append(out, Field{name, value})
	}
	*h = out
}

// Record is one WARC record. Offset and Length locate it in the file it was
// read from: for gzip files, the gzip member holding it.
type Record struct {
	Version string // "WARC/1.1"
	Header  Header
	Block   []byte
	Offset  int64
	Length  int64
}

// Type returns WARC-Type.
func (r *Record) Type() string { return r.Header.Get("WARC-Type") }

// TargetURI returns WARC-Target-URI without angle brackets.
func (r *Record) TargetURI() string {
	return strings.Trim(r.Header.Get("WARC-Target-URI"), "<>")
}

// ID returns WARC-Record-ID.
func (r *Record) ID() string { return r.Header.Get("WARC-Record-ID") }

// NewRecordID returns a fresh "<urn:uuid:…>" record id.
func NewRecordID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("<urn:uuid:%x-%x-%x-%x-%x>", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// FormatDate formats t as a WARC-Date (UTC, seconds).
func FormatDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// gzipPool reuses compressors: a flate writer allocates about 1 MB.
var gzipPool = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return zw
}}

// WARCWriter writes records, each in its own gzip member.
type WARCWriter struct {
	w   io.Writer
	off int64
}

// NewWARCWriter returns a writer appending gzipped records to w.
func NewWARCWriter(w io.Writer) *WARCWriter { return &WARCWriter{w: w} }

// Write completes and writes rec. It sets WARC-Record-ID, WARC-Date,
// Content-Length and WARC-Block-Digest when missing, and WARC-Payload-Digest
// for response and resource records (see PayloadDigest). It records the
// member's Offset and Length in rec.
func (w *WARCWriter) Write(rec *Record) error {
	if rec.Version == "" {
		rec.Version = "WARC/1.1"
	}
	if rec.Header.Get("WARC-Record-ID") == "" {
		rec.Header.Set("WARC-Record-ID", NewRecordID())
	}
	if rec.Header.Get("WARC-Date") == "" {
		rec.Header.Set("WARC-Date", FormatDate(time.Now()))
	}
	rec.Header.Set("Content-Length", strconv.Itoa(len(rec.Block)))
	if rec.Header.Get("WARC-Block-Digest") == "" {
		rec.Header.Set("WARC-Block-Digest", DigestSHA256(rec.Block))
	}
	if t := rec.Type(); (t == TypeResponse || t == TypeResource) && rec.Header.Get("WARC-Payload-Digest") == "" {
		if p, ok := Payload(rec); ok {
			rec.Header.Set("WARC-Payload-Digest", DigestSHA256(p))
		}
	}
	var buf bytes.Buffer
	zw := gzipPool.Get().(*gzip.Writer)
	defer gzipPool.Put(zw)
	zw.Reset(&buf)
	if err := writeRecord(zw, rec); err != nil {
		return fmt.Errorf("evidence: write warc record: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("evidence: write warc record: %w", err)
	}
	n, err := w.w.Write(buf.Bytes())
	rec.Offset, rec.Length = w.off, int64(n)
	w.off += int64(n)
	if err != nil {
		return fmt.Errorf("evidence: write warc record: %w", err)
	}
	return nil
}

// Offset returns the number of bytes written so far.
func (w *WARCWriter) Offset() int64 { return w.off }

func writeRecord(w io.Writer, rec *Record) error {
	var hb strings.Builder
	hb.WriteString(rec.Version)
	hb.WriteString("\r\n")
	for _, f := range rec.Header {
		if strings.ContainsAny(f.Name+f.Value, "\r\n") {
			return fmt.Errorf("field %q contains a line break", f.Name)
		}
		hb.WriteString(f.Name)
		hb.WriteString(": ")
		hb.WriteString(f.Value)
		hb.WriteString("\r\n")
	}
	hb.WriteString("\r\n")
	if _, err := io.WriteString(w, hb.String()); err != nil {
		return err
	}
	if _, err := w.Write(rec.Block); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\r\n\r\n")
	return err
}
