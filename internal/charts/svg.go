package charts

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Options are shared by every chart.
type Options struct {
	// Title and Desc become the SVG's <title> and <desc> (already translated).
	Title string
	Desc  string
	// Direction is "ltr" (default) or "rtl"; "rtl" mirrors the layout.
	Direction string
	// Lang is an optional BCP 47 tag for the lang attribute.
	Lang string
	// FormatNumber formats counts for labels and tooltips; strconv.Itoa if nil.
	FormatNumber func(int) string
	// ID prefixes element ids (patterns, title); it must be unique on the page.
	// Empty means a prefix derived from the chart's content.
	ID string
	// Width of the viewBox in user units; the SVG scales to its container.
	// Zero means a width chosen for phones (400).
	Width int
	// Class is added to the root element for the page's CSS.
	Class string
}

func (o Options) rtl() bool { return o.Direction == "rtl" }

func (o Options) num(n int) string {
	if o.FormatNumber != nil {
		return o.FormatNumber(n)
	}
	return strconv.Itoa(n)
}

func (o Options) width() float64 {
	if o.Width > 0 {
		return float64(o.Width)
	}
	return 400
}

// idPrefix returns o.ID or a short hash of what the chart shows, so two charts
// on one page do not share pattern ids.
func (o Options) idPrefix(parts ...string) string {
	if o.ID != "" {
		return esc(o.ID)
	}
	h := sha256.New()
	h.Write([]byte(o.Title))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return "c" + hex.EncodeToString(h.Sum(nil)[:5])
}

// Font sizes in user units; with a 400-unit viewBox at 360 px wide they stay
// at or above 11 px.
const (
	fontSize      = 13.0
	smallFontSize = 12.0
	textColor     = "#1f1f1f"
	mutedText     = "#595959" // 7:1 on white
	gridColor     = "#d0d0d0"
	axisColor     = "#767676"
)

// textWidth estimates the rendered width of s: a deliberately generous
// average advance so labels never collide in Latin, Arabic or Devanagari.
func textWidth(s string, size float64) float64 {
	return float64(utf8.RuneCountInString(s)) * size * 0.58
}

func esc(s string) string { return template.HTMLEscapeString(s) }

func f(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func fr(v float64) string { // rounded to 0.01
	return strconv.FormatFloat(float64(int64(v*100+0.5*sign(v)))/100, 'f', -1, 64)
}

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}

// safeHref returns href if it is a relative URL or http(s); otherwise "".
func safeHref(href string) string {
	if href == "" {
		return ""
	}
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "", "http", "https":
		return href
	}
	return ""
}

// canvas writes one SVG; x coordinates pass through mx so RTL mirrors.
type canvas struct {
	b     strings.Builder
	w, h  float64
	rtl   bool
	links bool
}

func (c *canvas) mx(x float64) float64 {
	if c.rtl {
		return c.w - x
	}
	return x
}

// rectX returns the left edge of a rect spanning [x, x+w] in logical space.
func (c *canvas) rectX(x, w float64) float64 {
	if c.rtl {
		return c.w - x - w
	}
	return x
}

// anchor returns the text-anchor for a logical anchor. The root element
// carries direction="rtl" in RTL charts, which already makes "start" the
// right-hand end, so the value needs no swapping.
func (c *canvas) anchor(a string) string { return a }

func (c *canvas) printf(format string, args ...any) { fmt.Fprintf(&c.b, format, args...) }

func (c *canvas) text(x, y float64, anchor, fill string, size float64, s string, extra string) {
	c.printf(`<text x="%s" y="%s" text-anchor="%s" fill="%s" font-size="%s"%s>%s</text>`,
		fr(c.mx(x)), fr(y), c.anchor(anchor), fill, f(size), extra, esc(s))
}

// open starts a link if href is safe; close must be called with its result.
func (c *canvas) open(href, label string) bool {
	h := safeHref(href)
	if h == "" {
		return false
	}
	c.links = true
	c.printf(`<a href="%s" aria-label="%s">`, esc(h), esc(label))
	return true
}

func (c *canvas) close(opened bool) {
	if opened {
		c.b.WriteString(`</a>`)
	}
}

// wrap puts the root element around the body. A chart with links is a
// role="group" (interactive content inside role="img" is hidden from
// assistive technology); otherwise it is role="img".
func wrap(o Options, id string, w, h float64, body string, links bool) template.HTML {
	var b strings.Builder
	role := "img"
	if links {
		role = "group"
	}
	dir := "ltr"
	if o.rtl() {
		dir = "rtl"
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="100%%" preserveAspectRatio="xMidYMin meet" role="%s" aria-labelledby="%s-title %s-desc" direction="%s" font-family="inherit"`,
		f(w), fr(h), role, id, id, dir)
	if o.Lang != "" {
		fmt.Fprintf(&b, ` lang="%s"`, esc(o.Lang))
	}
	cls := "pw-chart"
	if o.Class != "" {
		cls += " " + o.Class
	}
	fmt.Fprintf(&b, ` class="%s">`, esc(cls))
	fmt.Fprintf(&b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, esc(o.Title), id, esc(o.Desc))
	b.WriteString(body)
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every label is escaped above
}
