package charts

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteDemo writes an HTML page with every chart for a visual check:
//
//	PRESSWATCH_CHART_DEMO=/tmp/charts.html go test -run TestWriteDemo ./internal/charts
func TestWriteDemo(t *testing.T) {
	out := os.Getenv("PRESSWATCH_CHART_DEMO")
	if out == "" {
		t.Skip("set PRESSWATCH_CHART_DEMO=/path/file.html to write the demo page")
	}
	var b strings.Builder
	b.WriteString(`<!doctype html><meta charset="utf-8"><style>body{font-family:"Noto Sans","Noto Nastaliq Urdu","Noto Sans Devanagari",sans-serif;max-width:720px;margin:1em auto;color:#1f1f1f} figure{margin:0 0 2em} .pw-chart a:focus rect, .pw-chart a:hover rect{opacity:.85}</style>`)
	for _, dir := range []string{"ltr", "rtl"} {
		periods, series := demoMonthly(3)
		fmt.Fprintf(&b, `<figure dir="%s"><figcaption>Incidents per month</figcaption>%s</figure>`, dir,
			StackedColumns(periods, series, Options{Title: "Incidents per month", Desc: "Stacked by category family", Direction: dir, Width: 640}))
		fmt.Fprintf(&b, `<figure dir="%s">%s</figure>`, dir, HorizontalBars(demoBars(), Options{Title: "By actor type", Direction: dir}))
		cats, gs := demoRoles()
		fmt.Fprintf(&b, `<figure dir="%s">%s</figure>`, dir, StackedBars(cats, gs, Options{Title: "Role × gender", Direction: dir}))
	}
	p, s := demoMonthly(3)
	b.WriteString(string(StackedColumnsTable("Per month", "Month", "Total", p[:3], s).HTML(nil)))
	if err := os.WriteFile(filepath.Clean(out), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func demoMonthly(years int) ([]Period, []Series) {
	months := []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	var periods []Period
	for y := 0; y < years; y++ {
		for m := 0; m < 12; m++ {
			p := Period{Key: fmt.Sprintf("%d-%02d", 2015+y, m+1), Label: fmt.Sprintf("%s %d", months[m], 2015+y)}
			if m == 0 {
				p.Tick = fmt.Sprint(2015 + y)
			}
			periods = append(periods, p)
		}
	}
	names := []string{"Violence", "Legal", "Censorship", "Threats", "Other"}
	series := make([]Series, len(names))
	for i, n := range names {
		series[i] = Series{Key: strings.ToLower(n), Label: n, Href: "?family=" + strings.ToLower(n)}
		for j := range periods {
			series[i].Values = append(series[i].Values, (j*7+i*13)%(9-i)+(j%5)*(i%2))
		}
	}
	return periods, series
}

func demoBars() []Bar {
	return []Bar{
		{Key: "police", Label: "Police", Value: 142, Href: "?actor=police"},
		{Key: "military_intelligence", Label: "Military / intelligence", Value: 97, Href: "?actor=military_intelligence"},
		{Key: "political_party", Label: "Political party", Value: 55, Href: "?actor=political_party"},
		{Key: "unknown", Label: "Unknown", Value: 31},
		{Key: "mob", Label: "Mob <script>alert(1)</script>", Value: 4},
	}
}

func demoRoles() ([]Category, []Series) {
	cats := []Category{{Key: "reporter", Label: "Reporter", Href: "?role=reporter"}, {Key: "editor", Label: "Editor"}, {Key: "camera", Label: "Camera operator"}, {Key: "blogger", Label: "Blogger / citizen journalist"}}
	return cats, []Series{
		{Key: "woman", Label: "Women", Values: []int{34, 12, 3, 20}},
		{Key: "man", Label: "Men", Values: []int{120, 40, 25, 31}},
		{Key: "other", Label: "Other / unknown", Values: []int{5, 1, 0, 9}},
	}
}
