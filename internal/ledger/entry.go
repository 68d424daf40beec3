package ledger

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Entry kinds: what a leaf of the log records.
const (
	KindIncidentRevision = "incident_revision"
	KindWithdrawal       = "withdrawal"
	KindCapture          = "capture"
	KindStoryRevision    = "story_revision"
	KindDeposit          = "deposit"
	KindMeasurement      = "measurement"
	KindDetection        = "detection"
)

// MaxEntrySize is the largest canonical entry the log accepts: C2SP
// tlog-tiles entry bundles prefix each entry with a 2-byte length.
const MaxEntrySize = 1<<16 - 1

var kinds = []string{KindIncidentRevision, KindWithdrawal, KindCapture, KindStoryRevision,
	KindDeposit, KindMeasurement, KindDetection}

// Entry is one leaf of the log. Its bytes in the tree are Canonical(): JSON
// with sorted keys, no insignificant whitespace, UTF-8, no HTML escaping, the
// time in UTC to the second.
type Entry struct {
	Kind string    // one of the Kind* constants
	Ref  string    // public reference of the record (incident ref, capture id, ...)
	Time time.Time // when the recorded change happened
	// SHA256 is the lowercase hex SHA-256 of the canonical public content the
	// entry commits to (or of the WARC file for a capture); may be empty.
	SHA256 string
	// Data holds kind-specific details as a JSON object; may be empty. An
	// entry concerns an incident other than Ref when Data has "incident":
	// "<ref>" or "incidents": ["<ref>", ...] (see Mentions).
	Data json.RawMessage
}

// Validate reports what is wrong with e, if anything.
func (e Entry) Validate() error {
	if !slices.Contains(kinds, e.Kind) {
		return fmt.Errorf("ledger: entry kind %q is not one of %s", e.Kind, strings.Join(kinds, ", "))
	}
	if e.Ref == "" || !utf8.ValidString(e.Ref) {
		return errors.New("ledger: entry ref must be non-empty UTF-8")
	}
	if e.Time.IsZero() {
		return errors.New("ledger: entry time is missing")
	}
	if e.SHA256 != "" && !isLowerHex(e.SHA256, 64) {
		return errors.New("ledger: entry sha256 must be 64 lowercase hex digits")
	}
	if len(e.Data) > 0 {
		d := bytes.TrimSpace(e.Data)
		if len(d) == 0 || d[0] != '{' {
			return errors.New("ledger: entry data must be a JSON object")
		}
	}
	return nil
}

func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Canonical returns the bytes of e as they are stored in the log.
func (e Entry) Canonical() ([]byte, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	obj := map[string]any{
		"kind": e.Kind,
		"ref":  e.Ref,
		"time": e.Time.UTC().Truncate(time.Second).Format(time.RFC3339),
	}
	if e.SHA256 != "" {
		obj["sha256"] = e.SHA256
	}
	if len(e.Data) > 0 {
		v, err := decodeJSON(e.Data)
		if err != nil {
			return nil, fmt.Errorf("ledger: entry data: %w", err)
		}
		obj["data"] = v
	}
	var buf bytes.Buffer
	if err := writeCanonical(&buf, obj); err != nil {
		return nil, err
	}
	if buf.Len() > MaxEntrySize {
		return nil, fmt.Errorf("ledger: entry is %d bytes, more than the %d a log entry may hold", buf.Len(), MaxEntrySize)
	}
	return buf.Bytes(), nil
}

// ParseEntry decodes a log entry and checks that b is exactly its canonical
// form, so two different byte strings never decode to the same entry.
func ParseEntry(b []byte) (Entry, error) {
	var raw struct {
		Kind   string          `json:"kind"`
		Ref    string          `json:"ref"`
		Time   string          `json:"time"`
		SHA256 string          `json:"sha256"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return Entry{}, fmt.Errorf("ledger: parse entry: %w", err)
	}
	t, err := time.Parse(time.RFC3339, raw.Time)
	if err != nil {
		return Entry{}, fmt.Errorf("ledger: parse entry time: %w", err)
	}
	e := Entry{Kind: raw.Kind, Ref: raw.Ref, Time: t, SHA256: raw.SHA256, Data: raw.Data}
	c, err := e.Canonical()
	if err != nil {
		return Entry{}, err
	}
	if !bytes.Equal(c, b) {
		return Entry{}, errors.New("ledger: entry is not in canonical form")
	}
	return e, nil
}

// Mentions reports whether e concerns ref: its Ref is ref, or its Data names
// ref in "incident" or "incidents".
func (e Entry) Mentions(ref string) bool {
	if e.Ref == ref {
		return true
	}
	if len(e.Data) == 0 {
		return false
	}
	var d struct {
		Incident  string   `json:"incident"`
		Incidents []string `json:"incidents"`
	}
	if json.Unmarshal(e.Data, &d) != nil {
		return false
	}
	return d.Incident == ref || slices.Contains(d.Incidents, ref)
}

// Canonicalize rewrites any JSON text in the log's canonical form.
func Canonicalize(b []byte) ([]byte, error) {
	v, err := decodeJSON(b)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := writeCanonical(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decodeJSON(b []byte) (any, error) {
	if !utf8.Valid(b) {
		return nil, errors.New("ledger: JSON is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("ledger: decode JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("ledger: trailing data after JSON value")
	}
	return v, nil
}

func writeCanonical(buf *bytes.Buffer, v any) error {
	switch v := v.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		if v {
			buf.WriteString("true")
		} else {
			buf.WriteString("false")
		}
	case json.Number:
		buf.WriteString(v.String())
	case string:
		writeString(buf, v)
	case []any:
		buf.WriteByte('[')
		for i, x := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeCanonical(buf, x); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeString(buf, k)
			buf.WriteByte(':')
			if err := writeCanonical(buf, v[k]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	default:
		return fmt.Errorf("ledger: cannot canonicalize %T", v)
	}
	return nil
}

// writeString writes s as a JSON string the way RFC 8785 (JCS) does: only
// the quote, the backslash and control characters are escaped (\b \t \n \f
// \r in short form, others as \u00xx); everything else is raw UTF-8, with
// no HTML escaping.
func writeString(buf *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	buf.WriteByte('"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		buf.WriteString(s[start:i])
		switch c {
		case '"', '\\':
			buf.WriteByte('\\')
			buf.WriteByte(c)
		case '\b':
			buf.WriteString(`\b`)
		case '\t':
			buf.WriteString(`\t`)
		case '\n':
			buf.WriteString(`\n`)
		case '\f':
			buf.WriteString(`\f`)
		case '\r':
			buf.WriteString(`\r`)
		default:
			buf.WriteString(`\u00`)
			buf.WriteByte(hex[c>>4])
			buf.WriteByte(hex[c&0xf])
		}
		start = i + 1
	}
	buf.WriteString(s[start:])
	buf.WriteByte('"')
}
