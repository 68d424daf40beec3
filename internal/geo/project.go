package geo

import "math"

// projection maps lon/lat in degrees to unscaled plane coordinates (y up).
type projection func(lon, lat float64) (x, y float64)

// naturalEarth is the Natural Earth I projection (Šavrič, Jenny, Patterson
// and Jenny 2011): a compromise world projection without polar blow-up.
func naturalEarth(lon, lat float64) (float64, float64) {
	l, p := lon*math.Pi/180, lat*math.Pi/180
	p2 := p * p
	p4 := p2 * p2
	x := l * (0.8707 - 0.131979*p2 + p4*(-0.013791+p4*p2*(0.003971-0.001529*p2)))
	y := p * (1.007226 + p2*(0.015085+p4*(-0.044475+0.028874*p2-0.005916*p4)))
	return x, y
}

// equirectangular returns a plate carrée centred on lat0, whose horizontal
// scale is cos(lat0): a fair shape for a country-sized map.
func equirectangular(lat0 float64) projection {
	k := math.Cos(lat0 * math.Pi / 180)
	return func(lon, lat float64) (float64, float64) { return lon * k, lat }
}

// fit maps projected coordinates into a viewBox of width w with padding pad.
type fit struct {
	proj       projection
	minX, maxY float64
	k, pad     float64
	w, h       float64
	rtl        bool
}

func newFit(proj projection, minLon, minLat, maxLon, maxLat, w, pad float64) fit {
	// Sample the outline of the box: curved meridians can bulge past corners.
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i := 0; i <= 32; i++ {
		t := float64(i) / 32
		for _, ll := range [][2]float64{
			{minLon + t*(maxLon-minLon), minLat}, {minLon + t*(maxLon-minLon), maxLat},
			{minLon, minLat + t*(maxLat-minLat)}, {maxLon, minLat + t*(maxLat-minLat)},
		} {
			x, y := proj(ll[0], ll[1])
			minX, maxX = math.Min(minX, x), math.Max(maxX, x)
			minY, maxY = math.Min(minY, y), math.Max(maxY, y)
		}
	}
	k := (w - 2*pad) / (maxX - minX)
	return fit{proj: proj, minX: minX, maxY: maxY, k: k, pad: pad, w: w, h: (maxY-minY)*k + 2*pad}
}

func (f fit) xy(lon, lat float64) (float64, float64) {
	x, y := f.proj(lon, lat)
	return f.pad + (x-f.minX)*f.k, f.pad + (f.maxY-y)*f.k
}
