package geo

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/geo/internal/geobin"
)

//go:embed data/world.bin data/pk.bin data/in.bin data/countries.tsv
var dataFS embed.FS

// layer is one decoded boundary file.
type layer struct {
	scale    float64
	features []feature
}

type feature struct {
	codes []string // ISO codes this shape stands for; first is the primary
	name  string
	rings [][][2]float64 // every ring of every polygon, in degrees
	outer []bool         // rings[i] is the outer ring of its polygon
}

var (
	loadOnce sync.Once
	layers   map[string]*layer // "" = world, "PK", "IN"
	names    map[string][3]string
	loadErr  error
)

var layerFiles = map[string]string{"": "data/world.bin", "PK": "data/pk.bin", "IN": "data/in.bin"}

func load() error {
	loadOnce.Do(func() {
		layers = map[string]*layer{}
		for key, file := range layerFiles {
			b, err := dataFS.ReadFile(file)
			if err != nil {
				loadErr = fmt.Errorf("geo: read %s: %w", file, err)
				return
			}
			l, err := decodeLayer(b)
			if err != nil {
				loadErr = fmt.Errorf("geo: decode %s: %w", file, err)
				return
			}
			layers[key] = l
		}
		names, loadErr = readNames()
	})
	return loadErr
}

func decodeLayer(b []byte) (*layer, error) {
	scale, feats, err := geobin.Decode(b)
	if err != nil {
		return nil, err
	}
	l := &layer{scale: float64(scale)}
	for _, f := range feats {
		ft := feature{name: f.Name}
		if f.Code != "" {
			ft.codes = strings.Split(f.Code, ",")
		}
		for _, poly := range f.Polygons {
			for i, ring := range poly {
				pts := make([][2]float64, len(ring))
				for j, p := range ring {
					pts[j] = [2]float64{float64(p[0]) / l.scale, float64(p[1]) / l.scale}
				}
				ft.rings = append(ft.rings, pts)
				ft.outer = append(ft.outer, i == 0)
			}
		}
		l.features = append(l.features, ft)
	}
	return l, nil
}

func readNames() (map[string][3]string, error) {
	b, err := dataFS.ReadFile("data/countries.tsv")
	if err != nil {
		return nil, fmt.Errorf("geo: names: %w", err)
	}
	m := map[string][3]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		p := strings.Split(line, "\t")
		if len(p) != 4 {
			return nil, fmt.Errorf("geo: names: bad line %q", line)
		}
		m[p[0]] = [3]string{p[1], p[2], p[3]}
	}
	return m, sc.Err()
}

func mustLayer(country string) (*layer, error) {
	if err := load(); err != nil {
		return nil, domain.Errorf(domain.EINTERNAL, "Map data is unavailable.")
	}
	l, ok := layers[strings.ToUpper(country)]
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "No regional map for %s.", country)
	}
	return l, nil
}

// Countries returns the ISO 3166-1 alpha-2 codes drawn on the world map.
func Countries() []string { return codesOf("") }

// Regions returns the ISO 3166-2 codes of a country's regional map, or nil
// when the country has none (only PK and IN have one).
func Regions(country string) []string { return codesOf(strings.ToUpper(country)) }

// HasRegions reports whether RegionMap can draw country.
func HasRegions(country string) bool {
	_, ok := layerFiles[strings.ToUpper(country)]
	return ok && country != ""
}

func codesOf(key string) []string {
	if err := load(); err != nil {
		return nil
	}
	l, ok := layers[key]
	if !ok {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, f := range l.features {
		for _, c := range f.codes {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	sort.Strings(out)
	return out
}
