package geo

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MapOptions configure CountryMap and RegionMap.
type MapOptions struct {
	// Title and Desc become the SVG's <title> and <desc> (already translated).
	Title string
	Desc  string
	// Lang picks region names ("en", "ur", "hi") unless Name is set.
	Lang string
	// Direction "rtl" mirrors the legend (the map itself is never mirrored).
	Direction string
	// FormatNumber formats counts; strconv.Itoa if nil.
	FormatNumber func(int) string
	// Href returns the link of a region (e.g. the list filtered to it); empty
	// means no link. Nil means no links at all.
	Href func(code string) string
	// Name overrides Names(code, Lang) for tooltips.
	Name func(code string) string
	// NoData labels the legend swatch of regions with no incidents.
	NoData string
	// ID prefixes element ids; it must be unique on the page (default: hash).
	ID string
	// Width of the viewBox; 0 means 800 for the world and 400 for regions.
	Width int
	// Points are optional dots (cities), already rounded to the public precision.
	Points []Point
}

// Point is a dot drawn on a map.
type Point struct {
	Lat, Lon float64
	Label    string
	Value    int
	Href     string
}

// Ramp is the sequential fill of the choropleth classes, light to dark; the
// lightest classes rely on the region outline (#6b6b6b, 5.3:1) for contrast.
var Ramp = []string{"#fdd9b5", "#f6a66f", "#e0703f", "#b8442a", "#7f1d14"}

const (
	noDataFill = "#f0f0f0"
	strokeCol  = "#6b6b6b"
	textCol    = "#1f1f1f"
)

func (o MapOptions) num(n int) string {
	if o.FormatNumber != nil {
		return o.FormatNumber(n)
	}
	return strconv.Itoa(n)
}

func (o MapOptions) name(code string) string {
	if o.Name != nil {
		if n := o.Name(code); n != "" {
			return n
		}
	}
	return Names(code, o.Lang)
}

// CountryMap draws the world (without Antarctica) with countries coloured by
// values (keyed by ISO 3166-1 alpha-2), each country a link and a tooltip.
func CountryMap(values map[string]int, o MapOptions) template.HTML {
	l, err := mustLayer("")
	if err != nil {
		return ""
	}
	w := 800.0
	if o.Width > 0 {
		w = float64(o.Width)
	}
	ft := newFit(naturalEarth, -180, -58, 180, 84, w, 4)
	return render(l, ft, shapesOf(l, ft, w), values, o)
}

// RegionMap draws a country's provinces or states coloured by values (keyed
// by ISO 3166-2, older codes accepted). It returns a domain ENOTFOUND error
// for a country without regional data (see HasRegions).
func RegionMap(country string, values map[string]int, o MapOptions) (template.HTML, error) {
	l, err := mustLayer(country)
	if err != nil {
		return "", err
	}
	minLon, minLat, maxLon, maxLat := l.bounds()
	w := 400.0
	if o.Width > 0 {
		w = float64(o.Width)
	}
	ft := newFit(equirectangular((minLat+maxLat)/2), minLon, minLat, maxLon, maxLat, w, 6)
	return render(l, ft, shapesOf(l, ft, w), values, o), nil
}

func (l *layer) bounds() (minLon, minLat, maxLon, maxLat float64) {
	minLon, minLat, maxLon, maxLat = math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, f := range l.features {
		for _, r := range f.rings {
			for _, p := range r {
				minLon, maxLon = math.Min(minLon, p[0]), math.Max(maxLon, p[0])
				minLat, maxLat = math.Min(minLat, p[1]), math.Max(maxLat, p[1])
			}
		}
	}
	return
}

func render(l *layer, ft fit, shapes []shape, raw map[string]int, o MapOptions) template.HTML {
	values := make(map[string]int, len(raw))
	maxV := 0
	for k, v := range raw {
		values[Canonical(k)] += v
	}
	for _, v := range values {
		maxV = max(maxV, v)
	}
	classes := buckets(maxV)
	id := o.ID
	if id == "" {
		h := sha256.Sum256([]byte(fmt.Sprint(o.Title, len(l.features), values)))
		id = "m" + hex.EncodeToString(h[:5])
	}

	var b strings.Builder
	links := false
	b.WriteString(`<g class="pw-regions" stroke="` + strokeCol + `" stroke-width="0.5" stroke-linejoin="round">`)
	var dots []string
	for i, f := range l.features {
		v := 0
		for _, c := range f.codes {
			v += values[c]
		}
		fill := noDataFill
		if v > 0 {
			fill = Ramp[classOf(classes, v)]
		}
		sh := shapes[i]
		d, minX, minY, maxX, maxY := sh.d, sh.minX, sh.minY, sh.maxX, sh.maxY
		if d == "" {
			continue
		}
		label := o.name(firstOr(f.codes, ""))
		if len(f.codes) > 1 {
			parts := make([]string, len(f.codes))
			for i, c := range f.codes {
				parts[i] = o.name(c)
			}
			label = strings.Join(parts, " + ")
		}
		if len(f.codes) == 0 {
			label = f.name
		}
		tip := label + ": " + o.num(v)
		href := ""
		if o.Href != nil && len(f.codes) > 0 {
			href = safeHref(o.Href(f.codes[0]))
		}
		var el strings.Builder
		if href != "" {
			links = true
			fmt.Fprintf(&el, `<a href="%s" aria-label="%s">`, esc(href), esc(tip))
		}
		code := strings.Join(f.codes, " ")
		fmt.Fprintf(&el, `<path d="%s" fill="%s" data-code="%s"><title>%s</title></path>`, d, fill, esc(code), esc(tip))
		if (maxX-minX)*(maxY-minY) < 6 && v > 0 {
			// Too small to see or click: add a marker.
			fmt.Fprintf(&el, `<circle cx="%s" cy="%s" r="2.6" fill="%s" stroke-width="0.7"><title>%s</title></circle>`,
				fr((minX+maxX)/2), fr((minY+maxY)/2), fill, esc(tip))
		}
		if href != "" {
			el.WriteString(`</a>`)
		}
		if (maxX-minX)*(maxY-minY) < 6 {
			dots = append(dots, el.String()) // drawn last so they sit on top
		} else {
			b.WriteString(el.String())
		}
	}
	for _, d := range dots {
		b.WriteString(d)
	}
	b.WriteString(`</g>`)

	if len(o.Points) > 0 {
		b.WriteString(`<g class="pw-points">`)
		for _, p := range o.Points {
			x, y := ft.xy(p.Lon, p.Lat)
			if x < 0 || y < 0 || x > ft.w || y > ft.h {
				continue
			}
			tip := p.Label
			if p.Value > 0 {
				tip += ": " + o.num(p.Value)
			}
			r := 3 + math.Min(6, math.Sqrt(float64(max(p.Value, 1))))
			h := safeHref(p.Href)
			if h != "" {
				links = true
				fmt.Fprintf(&b, `<a href="%s" aria-label="%s">`, esc(h), esc(tip))
			}
			fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="%s" fill="#1f1f1f" fill-opacity="0.75" stroke="#fff" stroke-width="1"><title>%s</title></circle>`, fr(x), fr(y), fr(r), esc(tip))
			if h != "" {
				b.WriteString(`</a>`)
			}
		}
		b.WriteString(`</g>`)
	}

	legendY := ft.h + 6
	legend, lh := mapLegend(classes, maxV, o, ft.w, legendY)
	b.WriteString(legend)
	return wrapSVG(o, id, ft.w, legendY+lh, b.String(), links)
}

func firstOr(s []string, def string) string {
	if len(s) > 0 {
		return s[0]
	}
	return def
}

// pathOf returns the SVG path of a feature and its bounding box, skipping
// vertices closer than minStep to the previous one. Coordinates are kept in
// integer tenths so relative steps print exactly.
func pathOf(f feature, ft fit, minStep float64) (string, float64, float64, float64, float64) {
	var b strings.Builder
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	step := int64(minStep * 10)
	for _, r := range f.rings {
		if len(r) < 3 {
			continue
		}
		var px, py int64
		for i, p := range r {
			fx, fy := ft.xy(p[0], p[1])
			x, y := int64(math.Round(fx*10)), int64(math.Round(fy*10))
			minX, maxX = math.Min(minX, fx), math.Max(maxX, fx)
			minY, maxY = math.Min(minY, fy), math.Max(maxY, fy)
			switch {
			case i == 0:
				b.WriteString("M" + tenths(x) + " " + tenths(y))
			case i < len(r)-1 && abs64(x-px)+abs64(y-py) < step:
				continue
			case x == px && y == py:
				continue
			default:
				b.WriteString("l" + tenths(x-px) + " " + tenths(y-py))
			}
			px, py = x, y
		}
		b.WriteString("z")
	}
	return b.String(), minX, minY, maxX, maxY
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// tenths formats v/10 with at most one decimal.
func tenths(v int64) string {
	neg := v < 0
	if neg {
		v = -v
	}
	s := strconv.FormatInt(v/10, 10)
	if d := v % 10; d != 0 {
		s += "." + strconv.FormatInt(d, 10)
	}
	if neg {
		s = "-" + s
	}
	return s
}

// buckets returns the lower bounds of up to len(Ramp) classes for counts in
// 1..maxV, on a 1-2-5 sequence so the legend reads "1", "2–4", "5–9"...
func buckets(maxV int) []int {
	lows := []int{1}
	for m := 1; m <= maxV/2; m *= 10 {
		for _, v := range []int{2 * m, 5 * m, 10 * m} {
			if v <= maxV && v > lows[len(lows)-1] {
				lows = append(lows, v)
			}
		}
	}
	if len(lows) > len(Ramp) {
		lows = append([]int{1}, lows[len(lows)-len(Ramp)+1:]...)
	}
	return lows
}

func classOf(lows []int, v int) int {
	i := sort.Search(len(lows), func(i int) bool { return lows[i] > v }) - 1
	return max(i, 0)
}

// mapLegend draws the class swatches in a row with their ranges below.
func mapLegend(lows []int, maxV int, o MapOptions, w, y float64) (string, float64) {
	var b strings.Builder
	rtl := o.Direction == "rtl"
	type item struct{ fill, label string }
	var items []item
	noData := o.NoData
	if noData == "" {
		noData = o.num(0)
	}
	items = append(items, item{noDataFill, noData})
	for i, lo := range lows {
		hi := maxV
		if i+1 < len(lows) {
			hi = lows[i+1] - 1
		}
		label := o.num(lo)
		if hi > lo {
			label += "–" + o.num(hi)
		}
		if maxV > 0 {
			items = append(items, item{Ramp[i], label})
		}
	}
	sw := 34.0
	for _, it := range items {
		sw = math.Max(sw, textWidth(it.label, 12)+8)
	}
	sw = math.Min(sw, (w-8)/float64(len(items)))
	dir := "ltr"
	if rtl {
		dir = "rtl"
	}
	fmt.Fprintf(&b, `<g class="pw-legend" direction="%s">`, dir)
	for i, it := range items {
		x := 4 + float64(i)*sw
		if rtl {
			x = w - 4 - float64(i+1)*sw
		}
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="12" fill="%s" stroke="%s" stroke-width="0.5"/>`, fr(x), fr(y), fr(sw-2), it.fill, strokeCol)
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" font-size="12" fill="%s">%s</text>`, fr(x+(sw-2)/2), fr(y+27), textCol, esc(it.label))
	}
	b.WriteString(`</g>`)
	return b.String(), 34
}

func wrapSVG(o MapOptions, id string, w, h float64, body string, links bool) template.HTML {
	role := "img"
	if links {
		role = "group"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="100%%" role="%s" aria-labelledby="%s-title %s-desc" font-family="inherit" class="pw-map">`,
		fr(w), fr(h), role, esc(id), esc(id))
	fmt.Fprintf(&b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, esc(id), esc(o.Title), esc(id), esc(o.Desc))
	b.WriteString(body)
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // labels escaped above
}

func esc(s string) string { return template.HTMLEscapeString(s) }

func fr(v float64) string { return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) }

func textWidth(s string, size float64) float64 {
	return float64(utf8.RuneCountInString(s)) * size * 0.58
}

// safeHref keeps relative and http(s) URLs only.
func safeHref(h string) string {
	if h == "" {
		return ""
	}
	u, err := url.Parse(h)
	if err != nil {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "", "http", "https":
		return h
	}
	return ""
}
