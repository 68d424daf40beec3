package charts

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Palette is the series colours in order: derived from the Okabe–Ito
// colour-blind safe set, darkened so each has at least 3:1 contrast with a
// white background (WCAG 2.1 SC 1.4.11). Series also differ by pattern, so
// colour is never the only cue.
var Palette = []string{
	"#0b64a8", // blue
	"#c24e00", // vermillion
	"#00795a", // bluish green
	"#a3467e", // reddish purple
	"#946300", // dark orange
	"#4a4a4a", // grey
	"#2f7fb5", // sky blue, darker
	"#7a5c00", // olive
}

// patternPaths draws the white overlay of pattern i on a 6×6 tile.
var patternPaths = []string{
	"", // solid
	`<path d="M-1 1l2-2M0 6l6-6M5 7l2-2" stroke="#fff" stroke-width="1.4"/>`,  // diagonal
	`<circle cx="3" cy="3" r="1.2" fill="#fff"/>`,                             // dots
	`<path d="M0 3h6M3 0v6" stroke="#fff" stroke-width="1.1"/>`,               // grid
	`<path d="M0 1.5h6M0 4.5h6" stroke="#fff" stroke-width="1"/>`,             // horizontal
	`<path d="M-1 5l2 2M0 0l6 6M5 -1l2 2" stroke="#fff" stroke-width="1.4"/>`, // reverse diagonal
	`<path d="M1.5 0v6M4.5 0v6" stroke="#fff" stroke-width="1"/>`,             // vertical
	`<path d="M0 0l6 6M6 0l-6 6" stroke="#fff" stroke-width="0.9"/>`,          // cross
}

func colorOf(i int) string { return Palette[i%len(Palette)] }

// fillOf returns the fill attribute value for series i.
func fillOf(id string, i int) string {
	if i%len(patternPaths) == 0 && i < len(Palette) {
		return colorOf(i)
	}
	return fmt.Sprintf("url(#%s-p%d)", id, i)
}

// patternDefs writes the <defs> for n series.
func patternDefs(id string, n int) string {
	var b strings.Builder
	b.WriteString("<defs>")
	for i := 0; i < n; i++ {
		if i%len(patternPaths) == 0 && i < len(Palette) {
			continue
		}
		fmt.Fprintf(&b, `<pattern id="%s-p%d" patternUnits="userSpaceOnUse" width="6" height="6"><rect width="6" height="6" fill="%s"/>%s</pattern>`,
			id, i, colorOf(i), patternPaths[i%len(patternPaths)])
	}
	b.WriteString("</defs>")
	return b.String()
}

// Contrast returns the WCAG 2.1 contrast ratio of two #rrggbb colours.
func Contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(hex string) float64 {
	hex = strings.TrimPrefix(hex, "#")
	if len(hex) != 6 {
		return 0
	}
	var c [3]float64
	for i := range c {
		v, err := strconv.ParseUint(hex[2*i:2*i+2], 16, 8)
		if err != nil {
			return 0
		}
		s := float64(v) / 255
		if s <= 0.03928 {
			c[i] = s / 12.92
		} else {
			c[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}
