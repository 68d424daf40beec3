package mirror

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"
)

// The search index of 100,000 incidents is some 30 MB of JSON: an
// incremental build reads the previous one (json.Unmarshal: 0.55 CPU-s)
// and writes the next (json.Marshal: 0.25 CPU-s). Both have a fast path
// here for the bytes json.Marshal writes of []IndexItem, and go through
// encoding/json for anything else.

// appendIndexItems appends items as json.Marshal writes them.
func appendIndexItems(b []byte, items []IndexItem) []byte {
	if items == nil {
		return append(b, "null"...)
	}
	// Sized first: grown from empty, the 30 MB of 100,000 incidents were
	// copied twenty times over, into fresh memory each time.
	n := 2
	for i := range items {
		it := &items[i]
		n += 48 + len(it.Ref) + len(it.Title) + len(it.Summary) + len(it.Date) + len(it.Country) + len(it.Status)
		for _, c := range it.Categories {
			n += 3 + len(c)
		}
	}
	b = slices.Grow(b, n+n/16) // room for escapes
	b = append(b, '[')
	for i := range items {
		it := &items[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"r":`...)
		b = appendJSONString(b, it.Ref)
		b = append(b, `,"t":`...)
		b = appendJSONString(b, it.Title)
		if it.Summary != "" {
			b = append(b, `,"s":`...)
			b = appendJSONString(b, it.Summary)
		}
		if it.Date != "" {
			b = append(b, `,"d":`...)
			b = appendJSONString(b, it.Date)
		}
		if it.Year != 0 {
			b = append(b, `,"y":`...)
			b = strconv.AppendInt(b, int64(it.Year), 10)
		}
		if it.Country != "" {
			b = append(b, `,"c":`...)
			b = appendJSONString(b, it.Country)
		}
		if len(it.Categories) > 0 {
			b = append(b, `,"k":[`...)
			for j, c := range it.Categories {
				if j > 0 {
					b = append(b, ',')
				}
				b = appendJSONString(b, c)
			}
			b = append(b, ']')
		}
		if it.Status != "" {
			b = append(b, `,"st":`...)
			b = appendJSONString(b, it.Status)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// decodeIndexItems reads a search index as json.Unmarshal does.
func decodeIndexItems(raw []byte) ([]IndexItem, error) {
	if items, ok := decodeIndexFast(raw); ok {
		return items, nil
	}
	var items []IndexItem
	err := json.Unmarshal(raw, &items)
	return items, err
}

// decodeIndexFast reads the fields in the order and form appendIndexItems
// writes them; ok is false at the first byte it does not expect.
func decodeIndexFast(raw []byte) (items []IndexItem, ok bool) {
	rest := bytes.TrimRight(raw, " \t\r\n")
	if r, found := bytes.CutPrefix(rest, []byte("[")); !found {
		return nil, false
	} else {
		rest = r
	}
	items = make([]IndexItem, 0, bytes.Count(rest, []byte(`{"r":`)))
	str := func() (string, bool) {
		if len(rest) == 0 || rest[0] != '"' {
			return "", false
		}
		end := 1
		escaped := false
		for ; end < len(rest) && rest[end] != '"'; end++ {
			switch c := rest[end]; {
			case c == '\\':
				escaped = true
				end++ // the escaped byte, a quote perhaps
			case c < 0x20:
				return "", false
			}
		}
		if end >= len(rest) {
			return "", false
		}
		q := rest[:end+1]
		rest = rest[end+1:]
		if !escaped && utf8.Valid(q) {
			return string(q[1 : len(q)-1]), true
		}
		var s string
		return s, json.Unmarshal(q, &s) == nil
	}
	field := func(name string) bool {
		r, found := bytes.CutPrefix(rest, []byte(name))
		if found {
			rest = r
		}
		return found
	}
	for first := true; ; first = false {
		if string(rest) == "]" {
			return items, true
		}
		if !first && !field(",") {
			return nil, false
		}
		var it IndexItem
		if !field(`{"r":`) {
			return nil, false
		}
		if it.Ref, ok = str(); !ok || !field(`,"t":`) {
			return nil, false
		}
		if it.Title, ok = str(); !ok {
			return nil, false
		}
		if field(`,"s":`) {
			if it.Summary, ok = str(); !ok || it.Summary == "" {
				return nil, false
			}
		}
		if field(`,"d":`) {
			if it.Date, ok = str(); !ok || it.Date == "" {
				return nil, false
			}
		}
		if field(`,"y":`) {
			n := 0
			for n < len(rest) && (rest[n] >= '0' && rest[n] <= '9' || n == 0 && rest[n] == '-') {
				n++
			}
			y, err := strconv.Atoi(string(rest[:n]))
			if err != nil || y == 0 || strconv.Itoa(y) != string(rest[:n]) {
				return nil, false
			}
			it.Year, rest = y, rest[n:]
		}
		if field(`,"c":`) {
			if it.Country, ok = str(); !ok || it.Country == "" {
				return nil, false
			}
		}
		if field(`,"k":[`) {
			for k := 0; ; k++ {
				if field("]") {
					break
				}
				if k > 0 && !field(",") {
					return nil, false
				}
				c, ok := str()
				if !ok {
					return nil, false
				}
				it.Categories = append(it.Categories, c)
			}
			if len(it.Categories) == 0 {
				return nil, false
			}
		}
		if field(`,"st":`) {
			if it.Status, ok = str(); !ok || it.Status == "" {
				return nil, false
			}
		}
		if !field("}") {
			return nil, false
		}
		items = append(items, it)
	}
}
