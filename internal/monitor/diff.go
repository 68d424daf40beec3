package monitor

import (
	"strings"
	"unicode"

	"github.com/pmezard/go-difflib/difflib"
	"github.com/sergi/go-diff/diffmatchpatch"
)

// Op is the kind of a diff operation.
type Op string

// Diff operations. Replace appears only at paragraph level.
const (
	OpEqual   Op = "equal"
	OpDelete  Op = "delete"
	OpInsert  Op = "insert"
	OpReplace Op = "replace"
)

// paragraphSep separates paragraphs in normalised text.
const paragraphSep = "\n\n"

// WordOp is one word-level operation; Text is a run of whole tokens (words,
// spaces, punctuation) so that concatenations rebuild the texts exactly.
type WordOp struct {
	Op   Op     `json:"op"`
	Text string `json:"text"`
}

// ParagraphOp is one paragraph-level operation: Old and New paragraphs, and
// for a replacement the word-level diff of the old block against the new
// one (each block joined with a blank line).
type ParagraphOp struct {
	Op    Op       `json:"op"`
	Old   []string `json:"old,omitempty"`
	New   []string `json:"new,omitempty"`
	Words []WordOp `json:"words,omitempty"`
}

// TextDiff is a paragraph- and word-level diff of two texts.
type TextDiff struct {
	Ops []ParagraphOp `json:"ops"`
	// WordsChanged counts the words (letters or digits) deleted or inserted.
	WordsChanged int `json:"words_changed"`
	// WordsTotal counts the words of the longer text.
	WordsTotal int `json:"words_total"`
}

// splitParagraphs splits text at paragraph separators; "" has none.
func splitParagraphs(text string) []string {
	if text == "" {
		return nil
	}
	return strings.Split(text, paragraphSep)
}

// DiffText compares old and new texts paragraph by paragraph (go-difflib),
// then word by word inside replaced blocks (go-diff). OldText and NewText
// rebuild both texts exactly from the result.
func DiffText(oldText, newText string) TextDiff {
	a, b := splitParagraphs(oldText), splitParagraphs(newText)
	m := difflib.NewMatcherWithJunk(a, b, false, nil)
	var d TextDiff
	for _, oc := range m.GetOpCodes() {
		op := ParagraphOp{Old: a[oc.I1:oc.I2], New: b[oc.J1:oc.J2]}
		switch oc.Tag {
		case 'e':
			op.Op = OpEqual
		case 'd':
			op.Op = OpDelete
			d.WordsChanged += countWords(strings.Join(op.Old, " "))
		case 'i':
			op.Op = OpInsert
			d.WordsChanged += countWords(strings.Join(op.New, " "))
		case 'r':
			op.Op = OpReplace
			op.Words = DiffWords(strings.Join(op.Old, paragraphSep), strings.Join(op.New, paragraphSep))
			for _, w := range op.Words {
				if w.Op != OpEqual {
					d.WordsChanged += countWords(w.Text)
				}
			}
		}
		d.Ops = append(d.Ops, op)
	}
	d.WordsTotal = max(countWords(oldText), countWords(newText))
	return d
}

// OldText rebuilds the old text from a diff.
func (d TextDiff) OldText() string { return d.rebuild(true) }

// NewText rebuilds the new text from a diff.
func (d TextDiff) NewText() string { return d.rebuild(false) }

func (d TextDiff) rebuild(old bool) string {
	var paras []string
	for _, op := range d.Ops {
		if old {
			paras = append(paras, op.Old...)
		} else {
			paras = append(paras, op.New...)
		}
	}
	return strings.Join(paras, paragraphSep)
}

// Changed reports whether the texts differ.
func (d TextDiff) Changed() bool {
	for _, op := range d.Ops {
		if op.Op != OpEqual {
			return true
		}
	}
	return false
}

// tokenize splits text into runs of word characters, runs of spaces, and
// single other characters; the tokens concatenate back to text.
func tokenize(text string) []string {
	var toks []string
	start, kind := 0, 0 // kind: 1 word, 2 space, 3 other
	for i, r := range text {
		k := 3
		switch {
		case isWordRune(r):
			k = 1
		case unicode.IsSpace(r):
			k = 2
		}
		if i > start && (k != kind || k == 3) {
			toks = append(toks, text[start:i])
			start = i
		}
		kind = k
	}
	if start < len(text) {
		toks = append(toks, text[start:])
	}
	return toks
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) || r == '\u200C' || r == '\u200D'
}

func countWords(text string) int {
	n := 0
	in := false
	for _, r := range text {
		w := isWordRune(r)
		if w && !in {
			n++
		}
		in = w
	}
	return n
}

// tokenRune encodes token index i as a valid rune (surrogates skipped), so
// that go-diff's rune strings survive conversion to string intact.
func tokenRune(i int) rune {
	r := rune(i + 1)
	if r >= 0xD800 {
		r += 0x800
	}
	return r
}

func runeToken(r rune) int {
	if r >= 0xE000 {
		r -= 0x800
	}
	return int(r) - 1
}

// maxWordTokens bounds the distinct tokens a word diff encodes.
const maxWordTokens = 0x10FFFF - 0x800 - 1

// DiffWords is a word-level diff of two texts (go-diff over word tokens).
// Concatenating the Equal and Delete texts gives oldText; Equal and Insert
// give newText.
func DiffWords(oldText, newText string) []WordOp {
	index := map[string]int{}
	var vocab []string
	encode := func(text string) []rune {
		toks := tokenize(text)
		rs := make([]rune, len(toks))
		for i, t := range toks {
			id, ok := index[t]
			if !ok {
				if len(vocab) >= maxWordTokens {
					return nil
				}
				id = len(vocab)
				index[t] = id
				vocab = append(vocab, t)
			}
			rs[i] = tokenRune(id)
		}
		return rs
	}
	ra, rb := encode(oldText), encode(newText)
	if (ra == nil && oldText != "") || (rb == nil && newText != "") {
		return []WordOp{{Op: OpDelete, Text: oldText}, {Op: OpInsert, Text: newText}}
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	diffs := dmp.DiffMainRunes(ra, rb, false)
	diffs = dmp.DiffCleanupSemantic(diffs)
	out := make([]WordOp, 0, len(diffs))
	for _, df := range diffs {
		var sb strings.Builder
		for _, r := range df.Text {
			sb.WriteString(vocab[runeToken(r)])
		}
		op := OpEqual
		switch df.Type {
		case diffmatchpatch.DiffDelete:
			op = OpDelete
		case diffmatchpatch.DiffInsert:
			op = OpInsert
		}
		if sb.Len() == 0 {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Op == op {
			out[n-1].Text += sb.String()
			continue
		}
		out = append(out, WordOp{Op: op, Text: sb.String()})
	}
	return out
}

// Segment is a run of text in a side-by-side row; Changed marks words
// deleted (left) or inserted (right).
type Segment struct {
	Text    string `json:"text"`
	Changed bool   `json:"changed,omitempty"`
}

// Row is one line of a side-by-side view: the old paragraph on the left,
// the new one on the right (either may be empty), and the operation.
type Row struct {
	Op    Op        `json:"op"`
	Left  []Segment `json:"left,omitempty"`
	Right []Segment `json:"right,omitempty"`
}

// SideBySide turns a diff into rows the back office prints in two columns.
// Replaced blocks are shown with their changed words marked.
func SideBySide(d TextDiff) []Row {
	var rows []Row
	for _, op := range d.Ops {
		switch op.Op {
		case OpEqual:
			for i := range op.Old {
				rows = append(rows, Row{Op: OpEqual, Left: []Segment{{Text: op.Old[i]}}, Right: []Segment{{Text: op.New[i]}}})
			}
		case OpDelete:
			for _, p := range op.Old {
				rows = append(rows, Row{Op: OpDelete, Left: []Segment{{Text: p, Changed: true}}})
			}
		case OpInsert:
			for _, p := range op.New {
				rows = append(rows, Row{Op: OpInsert, Right: []Segment{{Text: p, Changed: true}}})
			}
		case OpReplace:
			rows = append(rows, replaceRows(op.Words)...)
		}
	}
	return rows
}

// replaceRows lays out a replaced block paragraph by paragraph: the word
// ops are cut at paragraph separators on each side, and the i-th old
// paragraph is put beside the i-th new one.
func replaceRows(words []WordOp) []Row {
	var left, right [][]Segment
	left, right = [][]Segment{nil}, [][]Segment{nil}
	add := func(side *[][]Segment, text string, changed bool) {
		parts := strings.Split(text, paragraphSep)
		for i, p := range parts {
			if i > 0 {
				*side = append(*side, nil)
			}
			if p != "" {
				cur := &(*side)[len(*side)-1]
				*cur = append(*cur, Segment{Text: p, Changed: changed})
			}
		}
	}
	for _, w := range words {
		switch w.Op {
		case OpEqual:
			add(&left, w.Text, false)
			add(&right, w.Text, false)
		case OpDelete:
			add(&left, w.Text, true)
		case OpInsert:
			add(&right, w.Text, true)
		}
	}
	n := max(len(left), len(right))
	rows := make([]Row, n)
	for i := range rows {
		rows[i].Op = OpReplace
		if i < len(left) {
			rows[i].Left = left[i]
		}
		if i < len(right) {
			rows[i].Right = right[i]
		}
	}
	return rows
}
