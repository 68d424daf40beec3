package geo

import "sync"

// shape is a feature's SVG path at one width, with its bounding box.
type shape struct {
	d                      string
	minX, minY, maxX, maxY float64
}

// shapeKey names one drawing of a layer: the fit of a layer depends only
// on its bounds and the width, so the paths do too.
type shapeKey struct {
	l *layer
	w float64
}

// shapeCache keeps every layer's paths per width. Drawing the paths was
// most of a map's cost (the world map is drawn for every filter value of
// /map in every language, so a static mirror drew it thousands of times),
// and the values only change the fills, never the paths.
var shapeCache struct {
	mu sync.Mutex
	m  map[shapeKey][]shape
}

// maxShapeWidths bounds the cache: callers use one or two widths.
const maxShapeWidths = 8

// shapesOf returns the paths of every feature of l drawn with ft (whose
// width is w), computing them once per layer and width.
func shapesOf(l *layer, ft fit, w float64) []shape {
	k := shapeKey{l, w}
	shapeCache.mu.Lock()
	s, ok := shapeCache.m[k]
	shapeCache.mu.Unlock()
	if ok {
		return s
	}
	s = make([]shape, len(l.features))
	for i, f := range l.features {
		sh := &s[i]
		sh.d, sh.minX, sh.minY, sh.maxX, sh.maxY = pathOf(f, ft, ft.w/800)
	}
	shapeCache.mu.Lock()
	defer shapeCache.mu.Unlock()
	if shapeCache.m == nil || len(shapeCache.m) >= maxShapeWidths {
		shapeCache.m = map[shapeKey][]shape{}
	}
	shapeCache.m[k] = s
	return s
}
