package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"

	"github.com/presswatch/presswatch/internal/domain"
)

// exportDecoder reads, from the stored JSON document of a published
// incident, the fields the CSV exports print, into a reused
// domain.PublicIncident: no reflection, slices reused from row to row, short
// codes interned. Everything else (body, translations, timeline, details)
// is skipped. It is a fast path only: on anything it does not expect it
// returns an error and the caller decodes the document with encoding/json,
// so it never has to be a complete JSON parser. Tests and FuzzExportDecode
// hold it equal to encoding/json on every document json.Marshal writes.
type exportDecoder struct {
	data   []byte
	pos    int
	intern map[string]string
}

var errExportDecode = errors.New("web: export decode: unexpected input")

// internMax bounds the interned strings of one export (codes, countries,
// dates: a few hundred in practice).
const internMax = 4096

// decode fills p from doc. p's slices are reused: the caller must not keep
// p or anything in it across calls.
func (d *exportDecoder) decode(doc []byte, p *domain.PublicIncident) (err error) {
	if d.intern == nil {
		d.intern = make(map[string]string, 256)
	}
	d.data, d.pos = doc, 0
	vs, tags, srcs := p.Violations[:0], p.Tags[:0], p.Sources[:0]
	*p = domain.PublicIncident{}
	err = d.object(func(key []byte) error {
		switch string(key) {
		case "ref":
			return d.str(&p.Ref, true)
		case "status":
			return d.str(&p.Status, true)
		case "title":
			return d.str(&p.Title, false)
		case "date_start":
			return d.str(&p.DateStart, true)
		case "date_end":
			return d.str(&p.DateEnd, true)
		case "date_precision":
			return d.str(&p.DatePrecision, true)
		case "country":
			return d.str(&p.Country, true)
		case "admin1":
			return d.str(&p.Admin1, true)
		case "district":
			return d.str(&p.District, true)
		case "city":
			return d.str(&p.City, true)
		case "lat":
			return d.float(&p.Lat)
		case "lon":
			return d.float(&p.Lon)
		case "location_precision":
			return d.str(&p.LocationPrecision, true)
		case "verification":
			return d.str(&p.Verification, true)
		case "work_related":
			return d.str(&p.WorkRelated, true)
		case "tags":
			return d.array(func() error {
				var s string
				if err := d.str(&s, true); err != nil {
					return err
				}
				tags = append(tags, s)
				return nil
			})
		case "sources":
			return d.array(func() error {
				if len(srcs) < cap(srcs) {
					srcs = srcs[:len(srcs)+1]
					srcs[len(srcs)-1] = domain.Source{}
				} else {
					srcs = append(srcs, domain.Source{})
				}
				s := &srcs[len(srcs)-1]
				return d.object(func(key []byte) error {
					if string(key) == "url" {
						return d.str(&s.URL, false)
					}
					return d.skip()
				})
			})
		case "violations":
			return d.array(func() error {
				if len(vs) < cap(vs) {
					vs = vs[:len(vs)+1]
				} else {
					vs = append(vs, domain.Violation{})
				}
				return d.violation(&vs[len(vs)-1])
			})
		case "revision":
			return d.int(&p.Revision)
		case "first_published_at":
			return d.time(&p.FirstPublishedAt)
		case "updated_at":
			return d.time(&p.UpdatedAt)
		case "demo":
			return d.bool(&p.Demo)
		}
		return d.skip()
	})
	if err == nil {
		d.ws()
		if d.pos != len(d.data) {
			err = errExportDecode
		}
	}
	// nil and empty print the same in CSV; the slices stay for reuse.
	p.Tags = tags
	p.Violations, p.Sources = vs, srcs
	return err
}

func (d *exportDecoder) violation(v *domain.Violation) error {
	actors, targets := v.Actors[:0], v.Targets[:0]
	*v = domain.Violation{}
	err := d.object(func(key []byte) error {
		switch string(key) {
		case "category":
			return d.str(&v.Category, true)
		case "actors":
			return d.array(func() error {
				if len(actors) < cap(actors) {
					actors = actors[:len(actors)+1]
					actors[len(actors)-1] = domain.Actor{}
				} else {
					actors = append(actors, domain.Actor{})
				}
				a := &actors[len(actors)-1]
				return d.object(func(key []byte) error {
					switch string(key) {
					case "type":
						return d.str(&a.Type, true)
					case "attribution":
						return d.str(&a.Attribution, true)
					}
					return d.skip()
				})
			})
		case "targets":
			return d.array(func() error {
				if len(targets) < cap(targets) {
					targets = targets[:len(targets)+1]
					targets[len(targets)-1] = domain.Target{}
				} else {
					targets = append(targets, domain.Target{})
				}
				t := &targets[len(targets)-1]
				return d.object(func(key []byte) error {
					switch string(key) {
					case "kind":
						return d.str(&t.Kind, true)
					case "name":
						return d.str(&t.Name, false)
					case "name_withheld":
						return d.bool(&t.NameWithheld)
					case "gender":
						return d.str(&t.Gender, true)
					case "role":
						return d.str(&t.Role, true)
					case "employment":
						return d.str(&t.Employment, true)
					case "foreign":
						return d.bool(&t.Foreign)
					case "outlet":
						return d.str(&t.Outlet, true)
					case "url":
						return d.str(&t.URL, false)
					}
					return d.skip()
				})
			})
		}
		return d.skip()
	})
	v.Actors, v.Targets = actors, targets
	return err
}

func (d *exportDecoder) ws() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// next skips white space and returns the next byte without consuming it
// (0 at the end).
func (d *exportDecoder) next() byte {
	d.ws()
	if d.pos >= len(d.data) {
		return 0
	}
	return d.data[d.pos]
}

func (d *exportDecoder) null() bool {
	if d.next() == 'n' && bytes.HasPrefix(d.data[d.pos:], []byte("null")) {
		d.pos += 4
		return true
	}
	return false
}

// object calls field for each key, positioned at its value, which field
// must consume. null is an empty object.
func (d *exportDecoder) object(field func(key []byte) error) error {
	if d.null() {
		return nil
	}
	if d.next() != '{' {
		return errExportDecode
	}
	d.pos++
	if d.next() == '}' {
		d.pos++
		return nil
	}
	for {
		key, esc, err := d.rawString()
		if err != nil {
			return err
		}
		if esc {
			// Our keys are plain ASCII; an escaped key is for encoding/json.
			return errExportDecode
		}
		if d.next() != ':' {
			return errExportDecode
		}
		d.pos++
		if err := field(key); err != nil {
			return err
		}
		switch d.next() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return nil
		default:
			return errExportDecode
		}
	}
}

// array calls elem once per element, positioned at it. null is empty.
func (d *exportDecoder) array(elem func() error) error {
	if d.null() {
		return nil
	}
	if d.next() != '[' {
		return errExportDecode
	}
	d.pos++
	if d.next() == ']' {
		d.pos++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch d.next() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return nil
		default:
			return errExportDecode
		}
	}
}

// rawString consumes a string and returns its bytes between the quotes
// and whether it holds escapes.
func (d *exportDecoder) rawString() ([]byte, bool, error) {
	if d.next() != '"' {
		return nil, false, errExportDecode
	}
	start := d.pos + 1
	esc := false
	for i := start; i < len(d.data); i++ {
		switch c := d.data[i]; {
		case c == '"':
			d.pos = i + 1
			return d.data[start:i], esc, nil
		case c == '\\':
			esc = true
			i++
		case c < 0x20:
			return nil, false, errExportDecode
		}
	}
	return nil, false, errExportDecode
}

// str reads a string (null leaves it empty). intern shares the copies of
// short values (codes, dates) across rows.
func (d *exportDecoder) str(dst *string, intern bool) error {
	if d.null() {
		return nil
	}
	start := d.pos
	raw, esc, err := d.rawString()
	if err != nil {
		return err
	}
	if esc {
		// Rare: let encoding/json unescape (and replace invalid UTF-8).
		return json.Unmarshal(d.data[start:d.pos], dst)
	}
	if intern && len(raw) <= 32 {
		if s, ok := d.intern[string(raw)]; ok {
			*dst = s
			return nil
		}
		s := string(raw)
		if !validUTF8(raw) {
			return json.Unmarshal(d.data[start:d.pos], dst)
		}
		if len(d.intern) < internMax {
			d.intern[s] = s
		}
		*dst = s
		return nil
	}
	if !validUTF8(raw) {
		return json.Unmarshal(d.data[start:d.pos], dst)
	}
	*dst = string(raw)
	return nil
}

// validUTF8 reports whether b needs no replacement characters; bytes
// below 0x80 are checked first because they are the usual case.
func validUTF8(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return utf8.Valid(b)
		}
	}
	return true
}

// literal consumes a number, true or false (not strings, objects or
// arrays).
func (d *exportDecoder) literal() []byte {
	d.ws()
	start := d.pos
	for d.pos < len(d.data) && isLiteralByte(d.data[d.pos]) {
		d.pos++
	}
	return d.data[start:d.pos]
}

func isLiteralByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '-' || c == '+' || c == '.' || c == 'E'
}

func (d *exportDecoder) float(dst **float64) error {
	if d.null() {
		return nil
	}
	lit := d.literal()
	if len(lit) == 0 || !(lit[0] == '-' || lit[0] >= '0' && lit[0] <= '9') {
		return errExportDecode
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil {
		return errExportDecode
	}
	*dst = &f
	return nil
}

func (d *exportDecoder) int(dst *int) error {
	if d.null() {
		return nil
	}
	n, err := strconv.Atoi(string(d.literal()))
	if err != nil {
		return errExportDecode
	}
	*dst = n
	return nil
}

func (d *exportDecoder) bool(dst *bool) error {
	if d.null() {
		return nil
	}
	switch string(d.literal()) {
	case "true":
		*dst = true
	case "false":
		*dst = false
	default:
		return errExportDecode
	}
	return nil
}

func (d *exportDecoder) time(dst interface{ UnmarshalJSON([]byte) error }) error {
	if d.null() {
		return nil
	}
	d.ws()
	start := d.pos
	if _, _, err := d.rawString(); err != nil {
		return err
	}
	return dst.UnmarshalJSON(d.data[start:d.pos])
}

// skip consumes any value.
func (d *exportDecoder) skip() error {
	switch d.next() {
	case '"':
		_, _, err := d.rawString()
		return err
	case '{':
		return d.object(func([]byte) error { return d.skip() })
	case '[':
		return d.array(d.skip)
	case 'n':
		if d.null() {
			return nil
		}
		return errExportDecode
	}
	if len(d.literal()) == 0 {
		return errExportDecode
	}
	return nil
}
