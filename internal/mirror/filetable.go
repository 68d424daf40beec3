package mirror

import (
	"bytes"
	"encoding/json"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// A build reads the previous manifest for two things: the entries of the
// few files it renders again, and, for every other file, whether to keep
// it. Decoding the 455,000 entries of a mirror of 100,000 incidents into a
// map was 1.2 CPU-s of every incremental build, and the map was then copied
// into the next manifest and sorted again. fileTable keeps the manifest's
// bytes instead and finds entries by binary search: the files object is
// sorted by name as writeManifest writes it, and an entry that is kept is
// copied into the next manifest as it is.

// fileTable is a manifest's files: entry i's name is names[i] (sorted), and
// its encoding, `"NAME":{"sha256":…}`, is raw[at[i]:end[i]].
type fileTable struct {
	raw   []byte
	names []string
	at    []int
	end   []int
	// escaped: tableOf encoded the entries, and a name may hold escapes.
	escaped bool
}

// newFileTable reads the files object of a manifest as writeManifest
// writes it: files is the text from the object's first entry up to its
// closing brace. Anything else (escapes in names, fields in another order,
// names out of order) gives ok false, and the caller decodes the manifest
// with encoding/json (tableOf).
func newFileTable(files []byte) (*fileTable, bool) {
	n := bytes.Count(files, []byte(`:{"sha256":"`))
	t := &fileTable{raw: files, names: make([]string, 0, n), at: make([]int, 0, n), end: make([]int, 0, n)}
	for i := 0; i < len(files); {
		if len(t.at) > 0 {
			if files[i] != ',' {
				return nil, false
			}
			i++
		}
		start := i
		name, ok := plainString(files, i)
		if !ok {
			return nil, false
		}
		i += len(name) + 2
		end := bytes.IndexByte(files[i:], '}')
		if end < 0 {
			return nil, false
		}
		if !parseEntryValue(files[i:i+end+1], nil) {
			return nil, false
		}
		i += end + 1
		// The names alias raw, which is never written to: no copy of
		// 455,000 strings.
		s := unsafe.String(unsafe.SliceData(name), len(name))
		if len(t.names) > 0 && t.names[len(t.names)-1] >= s {
			return nil, false
		}
		t.names = append(t.names, s)
		t.at = append(t.at, start)
		t.end = append(t.end, i)
	}
	return t, true
}

// plainString returns the bytes of the JSON string starting at b[i] when
// they need no unescaping: no backslash, no control character, valid
// UTF-8.
func plainString(b []byte, i int) ([]byte, bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, false
	}
	n := bytes.IndexByte(b[i+1:], '"')
	if n < 0 {
		return nil, false
	}
	s := b[i+1 : i+1+n]
	ascii := true
	for _, c := range s {
		if c < 0x20 || c == '\\' {
			return nil, false
		}
		if c >= 0x80 {
			ascii = false
		}
	}
	if !ascii && !utf8.Valid(s) {
		return nil, false
	}
	return s, true
}

// decodeEntryValue reads `:{"sha256":"…","size":N[,"dep":"…"][,"stable":"…"]}`
// as encodeManifest writes it.
func decodeEntryValue(v []byte) (FileEntry, bool) {
	var e FileEntry
	ok := parseEntryValue(v, &e)
	return e, ok
}

// parseEntryValue checks v as decodeEntryValue reads it, and fills e
// unless it is nil (a check allocates nothing).
func parseEntryValue(v []byte, e *FileEntry) bool {
	rest, ok := bytes.CutPrefix(v, []byte(`:{"sha256":`))
	if !ok {
		return false
	}
	var sha, dep, stable []byte
	str := func(to *[]byte) bool {
		s, ok := plainString(rest, 0)
		if !ok {
			return false
		}
		rest = rest[len(s)+2:]
		*to = s
		return true
	}
	if !str(&sha) {
		return false
	}
	if rest, ok = bytes.CutPrefix(rest, []byte(`,"size":`)); !ok {
		return false
	}
	n := 0
	for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
		n++
	}
	if n == 0 || n > 1 && rest[0] == '0' || n > 18 {
		return false
	}
	var size int64
	for _, c := range rest[:n] {
		size = size*10 + int64(c-'0')
	}
	rest = rest[n:]
	if r, found := bytes.CutPrefix(rest, []byte(`,"dep":`)); found {
		rest = r
		if !str(&dep) {
			return false
		}
	}
	if r, found := bytes.CutPrefix(rest, []byte(`,"stable":`)); found {
		rest = r
		if !str(&stable) {
			return false
		}
	}
	if len(rest) != 1 || rest[0] != '}' {
		return false
	}
	if e != nil {
		*e = FileEntry{SHA256: string(sha), Size: size, Dep: string(dep), Stable: string(stable)}
	}
	return true
}

// tableOf encodes files as writeManifest does and reads them back: the
// table of a manifest that was not in that form.
func tableOf(files map[string]FileEntry) *fileTable {
	names := slices.Sorted(func(yield func(string) bool) {
		for name := range files {
			if !yield(name) {
				return
			}
		}
	})
	t := &fileTable{names: names, at: make([]int, len(names)), end: make([]int, len(names)), escaped: true}
	for i, name := range names {
		if i > 0 {
			t.raw = append(t.raw, ',')
		}
		t.at[i] = len(t.raw)
		t.raw = appendEntry(t.raw, name, files[name])
		t.end[i] = len(t.raw)
	}
	return t
}

// appendEntry appends `"NAME":{…}` as encodeManifest writes a file.
func appendEntry(b []byte, name string, e FileEntry) []byte {
	b = appendJSONString(b, name)
	b = append(b, `:{"sha256":`...)
	b = appendJSONString(b, e.SHA256)
	b = append(b, `,"size":`...)
	b = strconv.AppendInt(b, e.Size, 10)
	if e.Dep != "" {
		b = append(b, `,"dep":`...)
		b = appendJSONString(b, e.Dep)
	}
	if e.Stable != "" {
		b = append(b, `,"stable":`...)
		b = appendJSONString(b, e.Stable)
	}
	return append(b, '}')
}

// len is the number of files.
func (t *fileTable) len() int { return len(t.names) }

// find returns the index of name, or -1.
func (t *fileTable) find(name string) int {
	i := sort.SearchStrings(t.names, name)
	if i < len(t.names) && t.names[i] == name {
		return i
	}
	return -1
}

// get returns the entry of name.
func (t *fileTable) get(name string) (FileEntry, bool) {
	i := t.find(name)
	if i < 0 {
		return FileEntry{}, false
	}
	return t.entry(i), true
}

// entry decodes entry i.
func (t *fileTable) entry(i int) FileEntry {
	v := t.raw[t.at[i]:t.end[i]]
	if !t.escaped {
		if e, ok := decodeEntryValue(v[len(t.names[i])+2:]); ok {
			return e
		}
	}
	// An entry tableOf encoded, with escapes: the value follows the
	// quoted name.
	var e FileEntry
	json.Unmarshal(v[len(appendJSONString(nil, t.names[i]))+1:], &e)
	return e
}

// dep returns entry i's Dep without decoding the rest (the bytes alias
// raw: valid while the table is).
func (t *fileTable) dep(i int) string {
	if t.escaped {
		return t.entry(i).Dep
	}
	v := t.raw[t.at[i]:t.end[i]]
	k := bytes.Index(v, []byte(`,"dep":"`))
	if k < 0 {
		return ""
	}
	d := v[k+len(`,"dep":"`):]
	d = d[:bytes.IndexByte(d, '"')]
	return unsafe.String(unsafe.SliceData(d), len(d))
}

// encoded returns entry i as the manifest has it.
func (t *fileTable) encoded(i int) []byte { return t.raw[t.at[i]:t.end[i]] }

// decodeAll decodes every entry (for callers that need a Manifest).
func (t *fileTable) decodeAll() map[string]FileEntry {
	m := make(map[string]FileEntry, t.len())
	for i, name := range t.names {
		m[strings.Clone(name)] = t.entry(i)
	}
	return m
}
