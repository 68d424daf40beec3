package charts

import (
	"html/template"
	"math"
)

// Period is one column of a time chart: Label names it in tooltips and the
// table ("March 2024"); Tick, when not empty, is printed under the axis
// ("2024"). Ticks that would overlap are skipped.
type Period struct {
	Key   string
	Label string
	Tick  string
}

// Series is one stacked layer: Values[i] belongs to periods[i] (or rows[i]).
// Href, when set, makes its legend entry a link (e.g. adding a filter).
type Series struct {
	Key    string
	Label  string
	Href   string
	Values []int
}

// StackedColumns draws counts over time, one column per period, stacked by
// series (e.g. incidents per month by category family).
func StackedColumns(periods []Period, series []Series, o Options) template.HTML {
	keys := make([]string, 0, len(periods)+len(series))
	for _, p := range periods {
		keys = append(keys, p.Key+p.Label)
	}
	for _, s := range series {
		keys = append(keys, s.Label)
	}
	id := o.idPrefix(keys...)
	W := o.width()
	c := &canvas{w: W, rtl: o.rtl()}

	totals := make([]int, len(periods))
	for _, s := range series {
		for i := range periods {
			if i < len(s.Values) && s.Values[i] > 0 {
				totals[i] += s.Values[i]
			}
		}
	}
	maxTotal := 0
	for _, t := range totals {
		maxTotal = max(maxTotal, t)
	}
	step, top := niceScale(maxTotal)

	c.b.WriteString(patternDefs(id, len(series)))
	items := make([]legendItem, len(series))
	for i, s := range series {
		items[i] = legendItem{Label: s.Label, Href: s.Href, Fill: fillOf(id, i)}
	}
	legendH := c.legend(items, 4, 4, W-8)

	// Y axis labels sit at the logical start; their width sets the margin.
	left := 8.0
	for v := 0; v <= top; v += step {
		left = max(left, textWidth(o.num(v), smallFontSize)+10)
	}
	plotTop := 4 + legendH + 14
	plotH := 190.0
	plotBottom := plotTop + plotH
	plotW := W - left - 8
	yOf := func(v int) float64 { return plotBottom - float64(v)/float64(top)*plotH }

	c.b.WriteString(`<g class="pw-grid">`)
	for v := 0; v <= top; v += step {
		y := yOf(v)
		if v > 0 {
			c.printf(`<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s" stroke-width="0.6"/>`, fr(c.mx(left)), fr(c.mx(left+plotW)), fr(y), fr(y), gridColor)
		}
		c.text(left-6, y+4, "end", mutedText, smallFontSize, o.num(v), "")
	}
	c.b.WriteString(`</g>`)

	n := len(periods)
	band := plotW / float64(max(n, 1))
	barW := band * 0.78
	if band < 4 {
		barW = band
	}
	c.b.WriteString(`<g class="pw-bars">`)
	for i, p := range periods {
		x := left + float64(i)*band + (band-barW)/2
		acc := 0
		for si, s := range series {
			v := 0
			if i < len(s.Values) {
				v = s.Values[i]
			}
			if v <= 0 {
				continue
			}
			y1, y0 := yOf(acc+v), yOf(acc)
			acc += v
			c.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect>`,
				fr(c.rectX(x, barW)), fr(y1), fr(barW), fr(y0-y1), fillOf(id, si),
				esc(p.Label+" — "+s.Label+": "+o.num(v)))
		}
	}
	c.b.WriteString(`</g>`)

	// Baseline and period ticks.
	c.printf(`<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s" stroke-width="1"/>`, fr(c.mx(left)), fr(c.mx(left+plotW)), fr(plotBottom), fr(plotBottom), axisColor)
	lastEnd := math.Inf(-1)
	for i, p := range periods {
		if p.Tick == "" {
			continue
		}
		cx := left + (float64(i)+0.5)*band
		tw := textWidth(p.Tick, smallFontSize)
		start := math.Max(cx-tw/2, 0)
		if start < lastEnd+6 {
			continue
		}
		if start+tw > W {
			start = W - tw
		}
		lastEnd = start + tw
		c.printf(`<line x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s" stroke-width="1"/>`, fr(c.mx(cx)), fr(c.mx(cx)), fr(plotBottom), fr(plotBottom+4), axisColor)
		c.text(start+tw/2, plotBottom+18, "middle", mutedText, smallFontSize, p.Tick, "")
	}
	return wrap(o, id, W, plotBottom+26, c.b.String(), c.links)
}

// StackedColumnsTable returns the numbers of StackedColumns: one row per
// period, one column per series, then a total column.
func StackedColumnsTable(caption, periodHeader, totalHeader string, periods []Period, series []Series) Table {
	t := Table{Caption: caption, Columns: []string{periodHeader}}
	for _, s := range series {
		t.Columns = append(t.Columns, s.Label)
	}
	t.Columns = append(t.Columns, totalHeader)
	for i, p := range periods {
		row := TableRow{Key: p.Key, Label: p.Label}
		total := 0
		for _, s := range series {
			v := 0
			if i < len(s.Values) {
				v = s.Values[i]
			}
			total += v
			row.Values = append(row.Values, v)
		}
		row.Values = append(row.Values, total)
		t.Rows = append(t.Rows, row)
	}
	return t
}

// niceScale returns a tick step of 1, 2 or 5 × 10^k giving at most five
// intervals, and the axis top (a multiple of step ≥ max).
func niceScale(maxV int) (step, top int) {
	if maxV <= 0 {
		return 1, 1
	}
	raw := float64(maxV) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step = int(mag)
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = int(m * mag)
			break
		}
	}
	step = max(step, 1)
	top = (maxV + step - 1) / step * step
	return step, top
}
