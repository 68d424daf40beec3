package geo

import (
	"encoding/xml"
	"html/template"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
)

type mapStats struct {
	root   map[string]string
	paths  int
	codes  map[string]bool
	titles []string
	hrefs  []string
}

func MustParseMap(tb testing.TB, h template.HTML) mapStats {
	tb.Helper()
	d := xml.NewDecoder(strings.NewReader(string(h)))
	st := mapStats{codes: map[string]bool{}}
	var stack []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatalf("invalid SVG: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, t.Name.Local)
			attrs := map[string]string{}
			for _, a := range t.Attr {
				attrs[a.Name.Local] = a.Value
			}
			if st.root == nil {
				st.root = attrs
			}
			switch t.Name.Local {
			case "path":
				st.paths++
				for _, c := range strings.Fields(attrs["data-code"]) {
					st.codes[c] = true
				}
			case "a":
				st.hrefs = append(st.hrefs, attrs["href"])
			}
			if _, ok := attrs["style"]; ok {
				tb.Error("style attribute: CSP would block it")
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 && (stack[len(stack)-1] == "title" || stack[len(stack)-1] == "desc") {
				st.titles = append(st.titles, string(t))
			}
		}
	}
	return st
}

func TestRegionSetsComplete(t *testing.T) {
	want := map[string][]string{
		"PK": {"PK-BA", "PK-GB", "PK-IS", "PK-JK", "PK-KP", "PK-PB", "PK-SD"},
		"IN": {"IN-AN", "IN-AP", "IN-AR", "IN-AS", "IN-BR", "IN-CG", "IN-CH", "IN-DH", "IN-DL", "IN-GA", "IN-GJ", "IN-HP",
			"IN-HR", "IN-JH", "IN-JK", "IN-KA", "IN-KL", "IN-LA", "IN-LD", "IN-MH", "IN-ML", "IN-MN", "IN-MP", "IN-MZ",
			"IN-NL", "IN-OD", "IN-PB", "IN-PY", "IN-RJ", "IN-SK", "IN-TG", "IN-TN", "IN-TR", "IN-UK", "IN-UP", "IN-WB"},
	}
	for country, codes := range want {
		got := Regions(country)
		if strings.Join(got, " ") != strings.Join(codes, " ") {
			t.Errorf("Regions(%s) = %v\nwant %v", country, got, codes)
		}
		for _, c := range codes {
			for _, lang := range []string{"en", "ur", "hi"} {
				if n := Names(c, lang); n == c || n == "" {
					t.Errorf("Names(%s, %s) = %q", c, lang, n)
				}
			}
		}
	}
}

func TestCountries(t *testing.T) {
	cs := Countries()
	if len(cs) < 200 {
		t.Fatalf("%d countries", len(cs))
	}
	for _, c := range []string{"PK", "IN", "BD", "AF", "LK", "NP", "SG", "BH", "MT", "XK", "US"} {
		if !contains(cs, c) {
			t.Errorf("country %s missing", c)
		}
	}
	for _, c := range cs {
		if len(c) != 2 {
			t.Errorf("bad code %q", c)
		}
	}
	tests := []struct{ code, lang, want string }{
		{"PK", "en", "Pakistan"}, {"PK", "ur", "پاکستان"}, {"IN", "hi", "भारत"}, {"pk-pb", "ur-PK", "پنجاب"},
		{"IN-OR", "en", "Odisha"}, {"ZZ", "en", "ZZ"}, {"PK", "fr", "Pakistan"},
	}
	for _, tt := range tests {
		if got := Names(tt.code, tt.lang); got != tt.want {
			t.Errorf("Names(%q, %q) = %q, want %q", tt.code, tt.lang, got, tt.want)
		}
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// Every vertex of every layer projects inside the viewBox.
func TestProjectsInsideViewBox(t *testing.T) {
	if err := load(); err != nil {
		t.Fatal(err)
	}
	for key, l := range layers {
		var ft fit
		if key == "" {
			ft = newFit(naturalEarth, -180, -58, 180, 84, 800, 4)
		} else {
			minLon, minLat, maxLon, maxLat := l.bounds()
			ft = newFit(equirectangular((minLat+maxLat)/2), minLon, minLat, maxLon, maxLat, 400, 6)
		}
		for _, f := range l.features {
			for _, r := range f.rings {
				for _, p := range r {
					x, y := ft.xy(p[0], p[1])
					if x < -0.01 || x > ft.w+0.01 || y < -0.01 || (y > ft.h+0.01 && p[1] >= -58) {
						t.Errorf("layer %q %v (%v): %v,%v outside %vx%v", key, f.codes, p, x, y, ft.w, ft.h)
						break
					}
				}
			}
		}
	}
}

func TestCountryMap(t *testing.T) {
	h := CountryMap(map[string]int{"PK": 42, "IN": 7, "SG": 3}, MapOptions{
		Title: "By country", Desc: "Incidents <by> country",
		Href: func(c string) string { return "/incidents?country=" + c },
	})
	st := MustParseMap(t, h)
	if st.root["role"] != "group" || st.root["aria-labelledby"] == "" {
		t.Errorf("root = %v", st.root)
	}
	if st.paths < 200 {
		t.Errorf("paths = %d", st.paths)
	}
	if !contains(st.titles, "Pakistan: 42") || !contains(st.titles, "Singapore: 3") {
		t.Errorf("tooltips missing")
	}
	if !contains(st.titles, "Incidents <by> country") {
		t.Errorf("desc not round-tripped: %v", st.titles[:2])
	}
	if !contains(st.hrefs, "/incidents?country=PK") {
		t.Errorf("no link for PK")
	}
	if strings.Contains(string(h), "<by>") {
		t.Error("desc not escaped")
	}
}

func TestRegionMap(t *testing.T) {
	tests := []struct {
		country string
		values  map[string]int
		tip     string
	}{
		{"PK", map[string]int{"PK-PB": 42, "PK-NW": 3}, "Punjab: 42"},
		{"PK", map[string]int{"PK-KP": 1, "PK-NW": 3}, "Khyber Pakhtunkhwa: 4"},
		{"IN", map[string]int{"IN-TG": 2, "IN-AP": 5}, "Andhra Pradesh + Telangana: 7"},
		{"in", map[string]int{"IN-OR": 9}, "Odisha: 9"},
		{"IN", nil, "Kerala: 0"},
	}
	for _, tt := range tests {
		t.Run(tt.tip, func(t *testing.T) {
			h, err := RegionMap(tt.country, tt.values, MapOptions{Title: "t", Lang: "en", Direction: "rtl", FormatNumber: strconv.Itoa})
			if err != nil {
				t.Fatal(err)
			}
			st := MustParseMap(t, h)
			if !contains(st.titles, tt.tip) {
				t.Errorf("tooltip %q missing in %v", tt.tip, st.titles)
			}
			if st.root["role"] != "img" {
				t.Errorf("role = %q without links", st.root["role"])
			}
			for _, c := range Regions(tt.country) {
				if !st.codes[c] {
					t.Errorf("region %s not drawn", c)
				}
			}
		})
	}
	if _, err := RegionMap("FR", nil, MapOptions{}); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("FR: err = %v", err)
	}
}

func TestUnsafeHrefAndLabels(t *testing.T) {
	h, err := RegionMap("PK", map[string]int{"PK-PB": 1}, MapOptions{
		Href: func(c string) string {
			if c == "PK-PB" {
				return "javascript:alert(1)"
			}
			return "/x?r=" + c
		},
		Name:   func(c string) string { return "<script>" + c },
		Points: []Point{{Lat: 31.5, Lon: 74.3, Label: "<b>Lahore</b>", Value: 3}},
	})
	if err != nil {
		t.Fatal(err)
	}
	st := MustParseMap(t, h)
	for _, href := range st.hrefs {
		if strings.HasPrefix(href, "javascript") {
			t.Errorf("unsafe href kept")
		}
	}
	if len(st.hrefs) != 6 {
		t.Errorf("links = %d, want 6", len(st.hrefs))
	}
	if strings.Contains(string(h), "<script>") || strings.Contains(string(h), "<b>") {
		t.Error("label not escaped")
	}
	if !contains(st.titles, "<b>Lahore</b>: 3") {
		t.Error("point tooltip missing")
	}
}

func TestBuckets(t *testing.T) {
	tests := []struct {
		max  int
		want string
	}{
		{0, "1"}, {1, "1"}, {3, "1 2"}, {42, "1 2 5 10 20"}, {420, "1 20 50 100 200"}, {100000, "1 10000 20000 50000 100000"},
	}
	for _, tt := range tests {
		var s []string
		for _, v := range buckets(tt.max) {
			s = append(s, strconv.Itoa(v))
		}
		if got := strings.Join(s, " "); got != tt.want {
			t.Errorf("buckets(%d) = %s, want %s", tt.max, got, tt.want)
		}
	}
	if classOf([]int{1, 2, 5}, 4) != 1 || classOf([]int{1, 2, 5}, 99) != 2 {
		t.Error("classOf")
	}
}

func BenchmarkCountryMap(b *testing.B) {
	values := map[string]int{"PK": 420, "IN": 230, "BD": 40, "AF": 77, "US": 3}
	o := MapOptions{Title: "t", Href: func(c string) string { return "/incidents?country=" + c }}
	CountryMap(values, o)
	b.ReportAllocs()
	for b.Loop() {
		_ = CountryMap(values, o)
	}
}

func BenchmarkRegionMapIndia(b *testing.B) {
	values := map[string]int{"IN-DL": 50, "IN-UP": 30}
	o := MapOptions{Title: "t", Href: func(c string) string { return "/incidents?region=" + c }}
	b.ReportAllocs()
	for b.Loop() {
		_, _ = RegionMap("IN", values, o)
	}
}
