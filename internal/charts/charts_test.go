package charts

import (
	"bytes"
	"encoding/xml"
	"html/template"
	"io"
	"strconv"
	"strings"
	"testing"
)

// svgStats parses an SVG with encoding/xml and counts what tests check.
type svgStats struct {
	root     map[string]string
	counts   map[string]int
	texts    []string
	titles   []string
	hrefs    []string
	maxX     float64
	viewBoxW float64
	viewBoxH float64
}

func MustParseSVG(tb testing.TB, h template.HTML) svgStats {
	tb.Helper()
	d := xml.NewDecoder(strings.NewReader(string(h)))
	st := svgStats{counts: map[string]int{}}
	var stack []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatalf("invalid SVG: %v\n%s", err, h)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, t.Name.Local)
			st.counts[t.Name.Local]++
			attrs := map[string]string{}
			for _, a := range t.Attr {
				attrs[a.Name.Local] = a.Value
			}
			if st.root == nil {
				st.root = attrs
				vb := strings.Fields(attrs["viewBox"])
				if len(vb) == 4 {
					st.viewBoxW, _ = strconv.ParseFloat(vb[2], 64)
					st.viewBoxH, _ = strconv.ParseFloat(vb[3], 64)
				}
			}
			if t.Name.Local == "a" {
				st.hrefs = append(st.hrefs, attrs["href"])
			}
			if t.Name.Local == "rect" && stack[len(stack)-2] != "pattern" {
				x, _ := strconv.ParseFloat(attrs["x"], 64)
				w, _ := strconv.ParseFloat(attrs["width"], 64)
				if x < 0 {
					tb.Errorf("rect at x=%v outside the viewBox", x)
				}
				st.maxX = max(st.maxX, x+w)
			}
			if _, ok := attrs["style"]; ok {
				tb.Errorf("style attribute found: CSP would block it")
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				continue
			}
			switch stack[len(stack)-1] {
			case "text":
				st.texts = append(st.texts, string(t))
			case "title":
				st.titles = append(st.titles, string(t))
			}
		}
	}
	return st
}

func TestHorizontalBars(t *testing.T) {
	bars := demoBars()
	for _, dir := range []string{"ltr", "rtl"} {
		t.Run(dir, func(t *testing.T) {
			h := HorizontalBars(bars, Options{Title: "By actor", Desc: "Counts", Direction: dir, FormatNumber: func(n int) string { return "#" + strconv.Itoa(n) }})
			st := MustParseSVG(t, h)
			if st.root["role"] != "group" || st.root["aria-labelledby"] == "" {
				t.Errorf("root role/labelledby = %q/%q", st.root["role"], st.root["aria-labelledby"])
			}
			if st.root["direction"] != dir {
				t.Errorf("direction = %q", st.root["direction"])
			}
			if got := st.counts["rect"]; got != len(bars) {
				t.Errorf("rects = %d, want %d", got, len(bars))
			}
			if got := len(st.hrefs); got != 3 {
				t.Errorf("links = %d, want 3", got)
			}
			if st.maxX > st.viewBoxW+0.01 {
				t.Errorf("bar ends at %v beyond viewBox %v", st.maxX, st.viewBoxW)
			}
			joined := strings.Join(st.texts, "|")
			for _, want := range []string{"Police", "#142", "Mob <script>alert(1)</script>"} {
				if !strings.Contains(joined, want) {
					t.Errorf("text %q missing in %q", want, joined)
				}
			}
			if strings.Contains(string(h), "<script>") {
				t.Error("label not escaped")
			}
			if st.titles[0] != "By actor" {
				t.Errorf("title = %q", st.titles[0])
			}
		})
	}
}

func TestStackedColumns(t *testing.T) {
	periods, series := demoMonthly(10)
	h := StackedColumns(periods, series, Options{Title: "Per month", Width: 640})
	st := MustParseSVG(t, h)
	nonzero := 0
	for _, s := range series {
		for _, v := range s.Values {
			if v > 0 {
				nonzero++
			}
		}
	}
	patterns := st.counts["pattern"]
	// rects: one per non-zero segment, one per legend item, one per pattern tile.
	if got, want := st.counts["rect"], nonzero+len(series)+patterns; got != want {
		t.Errorf("rects = %d, want %d", got, want)
	}
	if st.root["role"] != "group" {
		t.Errorf("role = %q (legend links make it a group)", st.root["role"])
	}
	if st.maxX > 640.01 {
		t.Errorf("content to x=%v beyond 640", st.maxX)
	}
	years := 0
	for _, tx := range st.texts {
		if len(tx) == 4 && strings.HasPrefix(tx, "20") {
			years++
		}
	}
	if years < 5 || years > 10 {
		t.Errorf("year ticks = %d, want 5..10 (thinned when crowded)", years)
	}
}

func TestNoLinksIsImg(t *testing.T) {
	h := HorizontalBars([]Bar{{Label: "A", Value: 1}}, Options{Title: "t"})
	if st := MustParseSVG(t, h); st.root["role"] != "img" {
		t.Errorf("role = %q, want img", st.root["role"])
	}
}

func TestUnsafeHrefDropped(t *testing.T) {
	h := HorizontalBars([]Bar{{Label: "A", Value: 1, Href: "javascript:alert(1)"}, {Label: "B", Value: 2, Href: "/incidents?actor=b&x=\"y\""}}, Options{Title: "t"})
	st := MustParseSVG(t, h)
	if len(st.hrefs) != 1 || st.hrefs[0] != `/incidents?actor=b&x="y"` {
		t.Errorf("hrefs = %q", st.hrefs)
	}
}

func TestStackedBarsAndEmpty(t *testing.T) {
	cats, series := demoRoles()
	tests := []struct {
		name   string
		cats   []Category
		series []Series
	}{
		{"roles", cats, series},
		{"empty", nil, nil},
		{"zeros", cats, []Series{{Label: "x", Values: []int{0, 0, 0, 0}}}},
		{"short values", cats, []Series{{Label: "x", Values: []int{1}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := MustParseSVG(t, StackedBars(tt.cats, tt.series, Options{Title: "t", Direction: "rtl"}))
			if st.viewBoxH <= 0 {
				t.Errorf("viewBox height %v", st.viewBoxH)
			}
		})
	}
	MustParseSVG(t, StackedColumns(nil, nil, Options{}))
}

func TestPaletteContrast(t *testing.T) {
	for i, c := range Palette {
		if r := Contrast(c, "#ffffff"); r < 3 {
			t.Errorf("palette[%d] %s contrast %.2f < 3", i, c, r)
		}
	}
	for _, c := range []string{textColor, mutedText} {
		if r := Contrast(c, "#ffffff"); r < 4.5 {
			t.Errorf("text %s contrast %.2f < 4.5", c, r)
		}
	}
}

func TestTables(t *testing.T) {
	cats, series := demoRoles()
	tb := StackedBarsTable("Roles", "Role", "Total", cats, series)
	var buf bytes.Buffer
	if err := tb.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	want := "Role,Women,Men,Other / unknown,Total\nreporter,34,120,5,159\n"
	if !strings.HasPrefix(buf.String(), want) {
		t.Errorf("csv = %q", buf.String())
	}
	html := string(BarsTable("c", "Actor", "Incidents", demoBars()).HTML(nil))
	if strings.Contains(html, "<script>") || !strings.Contains(html, `<a href="?actor=police">Police</a>`) {
		t.Errorf("table html = %s", html)
	}
	p, s := demoMonthly(1)
	if got := StackedColumnsTable("", "Month", "Total", p, s).Rows[0].Key; got != "2015-01" {
		t.Errorf("key = %q", got)
	}
}

func TestNiceScale(t *testing.T) {
	tests := []struct{ max, step, top int }{
		{0, 1, 1}, {1, 1, 1}, {4, 1, 4}, {9, 2, 10}, {33, 10, 40}, {142, 50, 150}, {1000, 200, 1000},
	}
	for _, tt := range tests {
		if s, top := niceScale(tt.max); s != tt.step || top != tt.top {
			t.Errorf("niceScale(%d) = %d,%d want %d,%d", tt.max, s, top, tt.step, tt.top)
		}
	}
}

func BenchmarkStackedColumns10Years(b *testing.B) {
	periods, series := demoMonthly(10)
	o := Options{Title: "Per month", Width: 640}
	b.ReportAllocs()
	for b.Loop() {
		_ = StackedColumns(periods, series, o)
	}
}

func BenchmarkHorizontalBars(b *testing.B) {
	bars := demoBars()
	b.ReportAllocs()
	for b.Loop() {
		_ = HorizontalBars(bars, Options{Title: "t"})
	}
}
