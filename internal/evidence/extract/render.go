package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// block is one paragraph of rendered text with the number of its words that
// sit inside links, used to spot navigation-like paragraphs.
type block struct {
	text      string
	words     int
	linkWords int
	heading   bool
}

// skippedTags never contribute text.
var skippedTags = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Svg: true, atom.Math: true, atom.Button: true, atom.Select: true, atom.Option: true,
	atom.Textarea: true, atom.Input: true, atom.Iframe: true, atom.Object: true,
	atom.Embed: true, atom.Canvas: true, atom.Audio: true, atom.Video: true,
	atom.Head: true, atom.Title: true, atom.Img: true, atom.Picture: true, atom.Source: true,
}

// blockTags end the current paragraph when they open and when they close.
var blockTags = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Section: true, atom.Article: true, atom.Main: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Li: true, atom.Ul: true, atom.Ol: true, atom.Dl: true, atom.Dd: true, atom.Dt: true,
	atom.Blockquote: true, atom.Pre: true, atom.Table: true, atom.Tr: true, atom.Td: true,
	atom.Th: true, atom.Tbody: true, atom.Thead: true, atom.Tfoot: true, atom.Caption: true,
	atom.Figure: true, atom.Figcaption: true, atom.Header: true, atom.Footer: true,
	atom.Aside: true, atom.Nav: true, atom.Address: true, atom.Hr: true, atom.Br: true,
	atom.Form: true, atom.Fieldset: true, atom.Details: true, atom.Summary: true,
	atom.Center: true, atom.Body: true, atom.Html: true,
}

var headingTags = map[atom.Atom]bool{
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
}

// renderBlocks renders the text under n as paragraphs. Block elements and
// <br> end paragraphs; hidden elements and non-text elements are skipped.
func renderBlocks(n *html.Node) []block {
	r := blockRenderer{}
	r.walk(n, false, 0)
	r.flush()
	return r.blocks
}

type blockRenderer struct {
	blocks    []block
	buf       strings.Builder
	words     int
	linkWords int
	heading   bool
}

func (r *blockRenderer) flush() {
	if r.buf.Len() == 0 {
		return
	}
	text := Normalize(r.buf.String())
	r.buf.Reset()
	if text != "" {
		// A paragraph never contains a blank line: fold anything Normalize kept.
		text = strings.ReplaceAll(text, "\n\n", " ")
		r.blocks = append(r.blocks, block{text: text, words: r.words, linkWords: r.linkWords, heading: r.heading})
	}
	r.words, r.linkWords, r.heading = 0, 0, false
}

func (r *blockRenderer) walk(n *html.Node, inLink bool, depth int) {
	if depth > maxDepth {
		return
	}
	switch n.Type {
	case html.TextNode:
		r.buf.WriteString(n.Data)
		w := countFields(n.Data)
		r.words += w
		if inLink {
			r.linkWords += w
		}
		return
	case html.ElementNode:
		if skippedTags[n.DataAtom] || isHidden(n) {
			return
		}
	case html.DocumentNode:
	default:
		return
	}
	isBlock := n.Type == html.ElementNode && (blockTags[n.DataAtom] || n.DataAtom == 0)
	if isBlock {
		r.flush()
		if headingTags[n.DataAtom] {
			r.heading = true
		}
	}
	link := inLink || n.DataAtom == atom.A
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		r.walk(c, link, depth+1)
	}
	if isBlock {
		r.flush()
	}
}

// maxDepth bounds recursion on hostile, deeply nested documents.
const maxDepth = 512

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// isHidden reports elements a reader never sees.
func isHidden(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	if hasAttr(n, "hidden") || attr(n, "aria-hidden") == "true" {
		return true
	}
	if style := attr(n, "style"); style != "" {
		s := strings.ToLower(strings.ReplaceAll(style, " ", ""))
		if strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden") {
			return true
		}
	}
	return false
}

// proseLen is utf8.RuneCountInString(textOf(n)) computed without building the
// text: visible characters plus one for each gap between words. (It does not
// compose Unicode; the counts only weigh where the prose is.)
func proseLen(n *html.Node) int {
	var p proseCounter
	p.walk(n, 0)
	return p.count
}

type proseCounter struct {
	count          int
	started, space bool
}

func (p *proseCounter) walk(n *html.Node, depth int) {
	if depth > maxDepth {
		return
	}
	if n.Type == html.TextNode {
		for i := 0; i < len(n.Data); {
			r := rune(n.Data[i])
			if r < utf8.RuneSelf {
				i++
			} else {
				var size int
				r, size = utf8.DecodeRuneInString(n.Data[i:])
				i += size
			}
			switch {
			case r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\v' || r == '\f' || r >= utf8.RuneSelf && unicode.IsSpace(r):
				p.space = true
			case r < ' ' || r == 0x7f || r >= utf8.RuneSelf && dropRune(r):
			default:
				if p.space && p.started {
					p.count++
				}
				p.count++
				p.started, p.space = true, false
			}
		}
		return
	}
	if n.Type == html.ElementNode && (skippedTags[n.DataAtom] && n.DataAtom != atom.Title) {
		return
	}
	isBlock := n.Type == html.ElementNode && blockTags[n.DataAtom]
	if isBlock {
		p.space = true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		p.walk(c, depth+1)
	}
	if isBlock {
		p.space = true
	}
}

// textOf returns the normalised text content of n on one line.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node, int)
	walk = func(n *html.Node, depth int) {
		if depth > maxDepth {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			return
		}
		if n.Type == html.ElementNode && (skippedTags[n.DataAtom] && n.DataAtom != atom.Title) {
			return
		}
		isBlock := n.Type == html.ElementNode && blockTags[n.DataAtom]
		if isBlock {
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
		if isBlock {
			b.WriteByte(' ')
		}
	}
	walk(n, 0)
	return strings.Join(strings.Fields(Normalize(b.String())), " ")
}
