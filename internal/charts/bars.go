package charts

import (
	"html/template"
	"strconv"
)

// Bar is one row of a horizontal bar chart. Href, when set, makes the row a
// link (e.g. one that adds a filter).
type Bar struct {
	Key   string
	Label string
	Value int
	Href  string
}

// Category is one row of a stacked bar chart (e.g. a target role); the
// series' Values are indexed like the categories.
type Category struct {
	Key   string
	Label string
	Href  string
}

const (
	rowLabelH = 17.0 // label line above the bar
	barH      = 16.0
	rowGap    = 12.0
)

// HorizontalBars draws one labelled bar per item, label above the bar and
// the value printed at its end, so it reads at phone width without a key.
func HorizontalBars(bars []Bar, o Options) template.HTML {
	keys := make([]string, 0, len(bars))
	for _, b := range bars {
		keys = append(keys, b.Key+b.Label+strconv.Itoa(b.Value))
	}
	id := o.idPrefix(keys...)
	W := o.width()
	c := &canvas{w: W, rtl: o.rtl()}
	maxV := 0
	for _, b := range bars {
		maxV = max(maxV, b.Value)
	}
	valueW := 0.0
	for _, b := range bars {
		valueW = max(valueW, textWidth(o.num(b.Value), fontSize))
	}
	left, plotW := 4.0, W-8-valueW-8
	y := 4.0
	for _, b := range bars {
		opened := c.open(b.Href, b.Label+": "+o.num(b.Value))
		c.printf(`<g class="pw-bar">`)
		c.text(left, y+rowLabelH-4, "start", textColor, fontSize, b.Label, "")
		w := 0.0
		if maxV > 0 && b.Value > 0 {
			w = max(float64(b.Value)/float64(maxV)*plotW, 1.5)
		}
		c.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect>`,
			fr(c.rectX(left, w)), fr(y+rowLabelH), fr(w), f(barH), colorOf(0), esc(b.Label+": "+o.num(b.Value)))
		c.text(left+w+6, y+rowLabelH+barH-3.5, "start", textColor, fontSize, o.num(b.Value), ` font-weight="bold"`)
		c.b.WriteString(`</g>`)
		c.close(opened)
		y += rowLabelH + barH + rowGap
	}
	return wrap(o, id, W, y, c.b.String(), c.links)
}

// BarsTable returns the numbers of HorizontalBars.
func BarsTable(caption, labelHeader, valueHeader string, bars []Bar) Table {
	t := Table{Caption: caption, Columns: []string{labelHeader, valueHeader}}
	for _, b := range bars {
		t.Rows = append(t.Rows, TableRow{Key: b.Key, Label: b.Label, Href: b.Href, Values: []int{b.Value}})
	}
	return t
}

// StackedBars draws one horizontal bar per category split by series (e.g.
// target role × gender), with a legend, the total at the bar's end and a
// tooltip per segment.
func StackedBars(cats []Category, series []Series, o Options) template.HTML {
	keys := make([]string, 0, len(cats)+len(series))
	for _, k := range cats {
		keys = append(keys, k.Key+k.Label)
	}
	for _, s := range series {
		keys = append(keys, s.Label)
	}
	id := o.idPrefix(keys...)
	W := o.width()
	c := &canvas{w: W, rtl: o.rtl()}
	totals := make([]int, len(cats))
	for _, s := range series {
		for i := range cats {
			if i < len(s.Values) && s.Values[i] > 0 {
				totals[i] += s.Values[i]
			}
		}
	}
	maxV, valueW := 0, 0.0
	for _, t := range totals {
		maxV = max(maxV, t)
		valueW = max(valueW, textWidth(o.num(t), fontSize))
	}
	c.b.WriteString(patternDefs(id, len(series)))
	items := make([]legendItem, len(series))
	for i, s := range series {
		items[i] = legendItem{Label: s.Label, Href: s.Href, Fill: fillOf(id, i)}
	}
	y := 4 + c.legend(items, 4, 4, W-8) + 8
	left, plotW := 4.0, W-8-valueW-8
	for i, k := range cats {
		opened := c.open(k.Href, k.Label+": "+o.num(totals[i]))
		c.b.WriteString(`<g class="pw-bar">`)
		c.text(left, y+rowLabelH-4, "start", textColor, fontSize, k.Label, "")
		x := left
		for si, s := range series {
			v := 0
			if i < len(s.Values) {
				v = s.Values[i]
			}
			if v <= 0 || maxV == 0 {
				continue
			}
			w := float64(v) / float64(maxV) * plotW
			c.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="#fff" stroke-width="0.8"><title>%s</title></rect>`,
				fr(c.rectX(x, w)), fr(y+rowLabelH), fr(w), f(barH), fillOf(id, si),
				esc(k.Label+" — "+s.Label+": "+o.num(v)))
			x += w
		}
		c.text(x+6, y+rowLabelH+barH-3.5, "start", textColor, fontSize, o.num(totals[i]), ` font-weight="bold"`)
		c.b.WriteString(`</g>`)
		c.close(opened)
		y += rowLabelH + barH + rowGap
	}
	return wrap(o, id, W, y, c.b.String(), c.links)
}

// StackedBarsTable returns the numbers of StackedBars: one row per category,
// one column per series, then a total column.
func StackedBarsTable(caption, labelHeader, totalHeader string, cats []Category, series []Series) Table {
	t := Table{Caption: caption, Columns: []string{labelHeader}}
	for _, s := range series {
		t.Columns = append(t.Columns, s.Label)
	}
	t.Columns = append(t.Columns, totalHeader)
	for i, k := range cats {
		row := TableRow{Key: k.Key, Label: k.Label, Href: k.Href}
		total := 0
		for _, s := range series {
			v := 0
			if i < len(s.Values) {
				v = s.Values[i]
			}
			total += v
			row.Values = append(row.Values, v)
		}
		t.Rows = append(t.Rows, row)
		t.Rows[len(t.Rows)-1].Values = append(row.Values, total)
	}
	return t
}
