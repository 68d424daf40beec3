package geo

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestWriteDemo writes an HTML page with the maps for a visual check:
//
//	PRESSWATCH_MAP_DEMO=/tmp/maps.html go test -run TestWriteDemo ./internal/geo
func TestWriteDemo(t *testing.T) {
	out := os.Getenv("PRESSWATCH_MAP_DEMO")
	if out == "" {
		t.Skip("set PRESSWATCH_MAP_DEMO=/path/file.html to write the demo page")
	}
	var b strings.Builder
	b.WriteString(`<!doctype html><meta charset="utf-8"><style>body{font-family:"Noto Sans","Noto Nastaliq Urdu",sans-serif;max-width:760px;margin:1em auto} .pw-map{display:block;margin-bottom:2em} .pw-map a:hover path{stroke:#000;stroke-width:1.2}</style>`)
	href := func(c string) string { return "/incidents?region=" + c }
	b.WriteString(string(CountryMap(map[string]int{"PK": 420, "IN": 230, "BD": 40, "AF": 77, "US": 3, "GB": 9, "SG": 12, "BH": 5, "MV": 2, "RU": 15, "BR": 1}, MapOptions{Title: "Incidents by country", Href: href, Points: []Point{{Lat: 24.9, Lon: 67.0, Label: "Karachi", Value: 30}}})))
	pk, _ := RegionMap("PK", map[string]int{"PK-PB": 120, "PK-SD": 80, "PK-KP": 60, "PK-BA": 25, "PK-IS": 40, "PK-GB": 3}, MapOptions{Title: "Pakistan", Href: href, Lang: "ur", Direction: "rtl"})
	in, _ := RegionMap("IN", map[string]int{"IN-DL": 50, "IN-UP": 30, "IN-JK": 44, "IN-MH": 12, "IN-TG": 8, "IN-KL": 2, "IN-WB": 9}, MapOptions{Title: "India", Href: href, Lang: "hi"})
	fmt.Fprintf(&b, `<div style="display:flex;gap:1em"><div style="flex:1" dir="rtl">%s</div><div style="flex:1">%s</div></div>`, pk, in)
	if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
