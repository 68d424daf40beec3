// Package geobin owns the compact binary format of the boundary files that
// package geo embeds: quantized lon/lat rings, delta and varint encoded.
//
// Layout: "PWG1", uvarint scale (units per degree), uvarint feature count;
// per feature: code and name (uvarint length + UTF-8), uvarint polygon count;
// per polygon a uvarint ring count (outer ring first); per ring a uvarint
// point count then zigzag-varint deltas of x (lon) and y (lat).
package geobin

import (
	"encoding/binary"
	"errors"
	"fmt"
)

const magic = "PWG1"

// Limits that keep Decode bounded on hostile input.
const (
	maxFeatures = 10000
	maxString   = 256
	maxPoints   = 1 << 22
)

// ErrFormat reports a malformed file.
var ErrFormat = errors.New("geobin: malformed data")

// Feature is one region: an ISO code (comma-separated when one shape stands
// for several codes, empty for an area without one), its English name, and
// polygons of rings of [lon, lat] in units of 1/scale degree.
type Feature struct {
	Code     string
	Name     string
	Polygons [][][][2]int32
}

// Encode writes features in the geobin format.
func Encode(scale int, feats []Feature) ([]byte, error) {
	if scale <= 0 {
		return nil, fmt.Errorf("geobin: scale %d: %w", scale, ErrFormat)
	}
	b := []byte(magic)
	b = binary.AppendUvarint(b, uint64(scale))
	b = binary.AppendUvarint(b, uint64(len(feats)))
	for _, f := range feats {
		b = appendString(b, f.Code)
		b = appendString(b, f.Name)
		b = binary.AppendUvarint(b, uint64(len(f.Polygons)))
		for _, poly := range f.Polygons {
			b = binary.AppendUvarint(b, uint64(len(poly)))
			for _, ring := range poly {
				b = binary.AppendUvarint(b, uint64(len(ring)))
				var px, py int32
				for _, p := range ring {
					b = binary.AppendVarint(b, int64(p[0]-px))
					b = binary.AppendVarint(b, int64(p[1]-py))
					px, py = p[0], p[1]
				}
			}
		}
	}
	return b, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// Decode parses a geobin file. It returns ErrFormat (wrapped) on any
// malformed or oversized input and never panics.
func Decode(data []byte) (scale int, feats []Feature, err error) {
	if len(data) < len(magic) || string(data[:len(magic)]) != magic {
		return 0, nil, fmt.Errorf("geobin: bad magic: %w", ErrFormat)
	}
	r := reader{b: data[len(magic):]}
	sc := r.uvarint(1 << 20)
	n := r.uvarint(maxFeatures)
	total := 0
	for i := uint64(0); i < n && r.err == nil; i++ {
		f := Feature{Code: r.str(), Name: r.str()}
		np := r.uvarint(uint64(maxPoints - total))
		for j := uint64(0); j < np && r.err == nil; j++ {
			nr := r.uvarint(uint64(maxPoints - total))
			var poly [][][2]int32
			for k := uint64(0); k < nr && r.err == nil; k++ {
				npts := r.uvarint(uint64(maxPoints - total))
				total += int(npts)
				if uint64(len(r.b)) < npts*2 {
					r.fail()
					break
				}
				ring := make([][2]int32, 0, npts)
				var x, y int64
				for p := uint64(0); p < npts && r.err == nil; p++ {
					x += r.varint()
					y += r.varint()
					ring = append(ring, [2]int32{int32(x), int32(y)})
				}
				poly = append(poly, ring)
			}
			f.Polygons = append(f.Polygons, poly)
		}
		feats = append(feats, f)
	}
	if r.err == nil && sc == 0 {
		r.fail()
	}
	if r.err != nil {
		return 0, nil, r.err
	}
	return int(sc), feats, nil
}

type reader struct {
	b   []byte
	err error
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = fmt.Errorf("geobin: truncated or out of range: %w", ErrFormat)
	}
}

func (r *reader) uvarint(limit uint64) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 || v > limit {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 || v > 1<<30 || v < -(1<<30) {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) str() string {
	n := r.uvarint(maxString)
	if r.err != nil || uint64(len(r.b)) < n {
		r.fail()
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}
