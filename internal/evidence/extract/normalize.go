package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize returns the canonical form of an extracted text: valid UTF-8 in
// Unicode NFC, line endings as "\n", control and invisible formatting
// characters removed (ZWJ/ZWNJ are kept: Urdu, Persian and Hindi need them),
// every run of whitespace inside a paragraph folded to one space, and
// paragraphs separated by exactly one blank line. A paragraph break is any
// line that is empty or blank. Normalize is idempotent.
func Normalize(text string) string {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	var out strings.Builder
	out.Grow(len(text))
	inPara := false // the current paragraph has a visible character
	pendingSpace := false
	newlines := 0 // consecutive newlines seen since the last visible character
	// visible starts a visible character: the paragraph break or the space
	// before it, if one is pending.
	visible := func() {
		if newlines >= 2 {
			if inPara {
				out.WriteString("\n\n")
				inPara = false
			}
		} else if pendingSpace && inPara {
			out.WriteByte(' ')
		}
		newlines = 0
		pendingSpace = false
		inPara = true
	}
	for i := 0; i < len(text); {
		if c := text[i]; c > ' ' && c < 0x7f {
			// A run of printable ASCII is copied at once.
			j := i + 1
			for j < len(text) && text[j] > ' ' && text[j] < 0x7f {
				j++
			}
			visible()
			out.WriteString(text[i:j])
			i = j
			continue
		}
		var r rune
		if c := text[i]; c < utf8.RuneSelf {
			r = rune(c)
			i++
		} else {
			var size int
			r, size = utf8.DecodeRuneInString(text[i:])
			i += size
		}
		switch {
		case r == '\r':
			// "\r\n" counts once; a lone "\r" is a line end.
			if i < len(text) && text[i] == '\n' {
				continue
			}
			newlines++
			pendingSpace = true
		case r == '\n' || r == '\u2028' || r == '\u2029' || r == '\u0085':
			newlines++
			if r == '\u2029' {
				newlines++
			}
			pendingSpace = true
		case r == ' ' || r == '\t' || (r >= utf8.RuneSelf || r == '\v' || r == '\f') && unicode.IsSpace(r):
			pendingSpace = true
		case r < utf8.RuneSelf && (r < ' ' || r == 0x7f) || r >= utf8.RuneSelf && dropRune(r):
			// invisible: soft hyphen, BOM, bidi controls, other controls
		default:
			visible()
			out.WriteRune(r)
		}
	}
	// Composition comes last: a dropped control between a letter and its
	// combining mark must not leave the pair uncomposed (Normalize would
	// not be idempotent). NFC returns its input when it is already NFC.
	return norm.NFC.String(out.String())
}

// dropRune reports whether r is invisible formatting that carries no text:
// controls, soft hyphen, byte order mark, bidirectional marks and embeddings.
func dropRune(r rune) bool {
	switch {
	case r == '\u00AD', r == '\uFEFF', r == '\u200B', r == '\u2060':
		return true
	case r >= '\u200E' && r <= '\u200F', r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
		return true
	case r == '\u061C':
		return true
	}
	return unicode.IsControl(r)
}

// countWords is len(Words(text)) without building the words.
func countWords(text string) int {
	n := 0
	inWord := false
	for _, r := range text {
		var w bool
		if r < utf8.RuneSelf {
			w = r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		} else {
			w = unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) || r == '\u200C' || r == '\u200D'
		}
		if w && !inWord {
			n++
		}
		inWord = w
	}
	return n
}

// countFields is len(strings.Fields(s)) without building the fields.
func countFields(s string) int {
	n := 0
	inField := false
	for _, r := range s {
		var space bool
		if r < utf8.RuneSelf {
			space = r == ' ' || r >= '\t' && r <= '\r'
		} else {
			space = unicode.IsSpace(r)
		}
		if !space && !inField {
			n++
		}
		inField = !space
	}
	return n
}

// Words splits a text into the lower-cased words used to compare texts
// (word-overlap F1): runs of letters, marks and digits. Combining marks stay
// with their base letter so Devanagari and Nastaliq words are kept whole.
func Words(text string) []string {
	var words []string
	start := -1
	for i, r := range text {
		inWord := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) || r == '\u200C' || r == '\u200D'
		if inWord && start < 0 {
			start = i
		} else if !inWord && start >= 0 {
			words = append(words, strings.ToLower(text[start:i]))
			start = -1
		}
	}
	if start >= 0 {
		words = append(words, strings.ToLower(text[start:]))
	}
	return words
}

// WordF1 returns the bag-of-words F1 of got against want: precision and recall
// computed over word multisets. Two empty texts score 1.
func WordF1(got, want string) (f1, precision, recall float64) {
	g, w := Words(got), Words(want)
	if len(g) == 0 && len(w) == 0 {
		return 1, 1, 1
	}
	if len(g) == 0 || len(w) == 0 {
		return 0, 0, 0
	}
	counts := make(map[string]int, len(w))
	for _, word := range w {
		counts[word]++
	}
	common := 0
	for _, word := range g {
		if counts[word] > 0 {
			counts[word]--
			common++
		}
	}
	if common == 0 {
		return 0, 0, 0
	}
	precision = float64(common) / float64(len(g))
	recall = float64(common) / float64(len(w))
	return 2 * precision * recall / (precision + recall), precision, recall
}
