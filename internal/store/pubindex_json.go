package store

import "encoding/json"

// jsonWalk reads the few members the index needs from a stored JSON
// document without decoding the rest (encoding/json into a struct cost
// more than the rest of the index build). Every method reports false on
// anything that is not well-formed JSON of the expected kind.
type jsonWalk struct {
	b []byte
	i int
}

func (w *jsonWalk) ws() {
	for w.i < len(w.b) {
		switch w.b[w.i] {
		case ' ', '\t', '\n', '\r':
			w.i++
		default:
			return
		}
	}
}

// peek returns the next byte after white space, 0 at the end.
func (w *jsonWalk) peek() byte {
	w.ws()
	if w.i < len(w.b) {
		return w.b[w.i]
	}
	return 0
}

// object reads an object, calling member with each key; member must read
// the value.
func (w *jsonWalk) object(member func(key []byte) bool) bool {
	if w.peek() != '{' {
		return false
	}
	w.i++
	if w.peek() == '}' {
		w.i++
		return true
	}
	for {
		key, ok := w.rawString()
		if !ok || w.peek() != ':' {
			return false
		}
		w.i++
		if !member(key) {
			return false
		}
		switch w.peek() {
		case ',':
			w.i++
		case '}':
			w.i++
			return true
		default:
			return false
		}
	}
}

// array reads an array, calling elem for each element; elem must read it.
func (w *jsonWalk) array(elem func() bool) bool {
	if w.peek() != '[' {
		return false
	}
	w.i++
	if w.peek() == ']' {
		w.i++
		return true
	}
	for {
		if !elem() {
			return false
		}
		switch w.peek() {
		case ',':
			w.i++
		case ']':
			w.i++
			return true
		default:
			return false
		}
	}
}

// null reads a null if one is next.
func (w *jsonWalk) null() bool {
	if w.peek() == 'n' && len(w.b)-w.i >= 4 && string(w.b[w.i:w.i+4]) == "null" {
		w.i += 4
		return true
	}
	return false
}

// stringOrNull reads a string or a null ("", true); ok is false, and
// nothing read, when the value is something else.
func (w *jsonWalk) stringOrNull() (s string, isNull, ok bool) {
	if w.null() {
		return "", true, true
	}
	if w.peek() != '"' {
		return "", false, false
	}
	raw, ok := w.rawString()
	return string(raw), false, ok
}

// rawString reads a string and returns its value; only a string with
// escapes is decoded (by encoding/json), others are a slice of the input.
func (w *jsonWalk) rawString() ([]byte, bool) {
	if w.peek() != '"' {
		return nil, false
	}
	start := w.i
	escaped := false
	for j := start + 1; j < len(w.b); j++ {
		switch w.b[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			w.i = j + 1
			if !escaped {
				return w.b[start+1 : j], true
			}
			var s string
			if err := json.Unmarshal(w.b[start:j+1], &s); err != nil {
				return nil, false
			}
			return []byte(s), true
		}
	}
	return nil, false
}

// skip reads any value.
func (w *jsonWalk) skip() bool {
	switch w.peek() {
	case '"':
		_, ok := w.rawString()
		return ok
	case '{':
		return w.object(func([]byte) bool { return w.skip() })
	case '[':
		return w.array(w.skip)
	case 0:
		return false
	}
	// A number, true, false or null: up to the next delimiter.
	start := w.i
	for w.i < len(w.b) {
		switch w.b[w.i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return w.i > start
		}
		w.i++
	}
	return w.i > start
}
