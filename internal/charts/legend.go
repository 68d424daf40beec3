package charts

// legendItem is one entry of a legend.
type legendItem struct {
	Label string
	Href  string
	Fill  string
}

// legend draws items flowing in rows from the logical start at top y and
// returns the height used.
func (c *canvas) legend(items []legendItem, x0, y, maxW float64) float64 {
	const sw, gap, rowH = 12.0, 14.0, 20.0
	x := x0
	rows := 1
	for _, it := range items {
		w := sw + 5 + textWidth(it.Label, smallFontSize)
		if x > x0 && x+w > x0+maxW {
			x = x0
			y += rowH
			rows++
		}
		opened := c.open(it.Href, it.Label)
		c.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="%s" stroke-width="0.5"/>`,
			fr(c.rectX(x, sw)), fr(y), f(sw), f(sw), it.Fill, textColor)
		c.text(x+sw+5, y+sw-1.5, "start", textColor, smallFontSize, it.Label, "")
		c.close(opened)
		x += w + gap
	}
	return float64(rows) * rowH
}
