package store

import (
	"reflect"
	"testing"
)

// decodeIndex reads what encodeIndex writes, and anything else without a
// panic; what it accepts, it encodes and reads back the same.
func FuzzDecodeIndex(f *testing.F) {
	dict := &pubDict{codes: map[string]uint16{"country=PK": 0, "category=arrest": 1}, names: [][2]string{{"country", "PK"}, {"category", "arrest"}}}
	sdict := &pubDict{codes: map[string]uint16{"target=reporter": 0}, names: [][2]string{{"target", "reporter"}}}
	idx := &pubIndex{gen: 42, maxID: 9, dict: dict, sdict: sdict, terms: []uint16{1, 0, 0},
		rows: []pubRow{
			{id: 9, date: 20240601, persons: 2, toff: 0, year: 2024, country: 0, verif: 0, tn: 2, sn: 1, month: monthKnown},
			{id: 3, date: 0, persons: 0, toff: 3, year: 0, country: 0, demo: true, month: monthNeither},
		}}
	enc := encodeIndex(idx)
	back, ok := decodeIndex(enc)
	if !ok || !reflect.DeepEqual(back, idx) {
		f.Fatalf("decoded %+v, %v; encoded %+v", back, ok, idx)
	}
	f.Add(enc)
	f.Add(enc[:len(enc)-1])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		idx, ok := decodeIndex(b)
		if !ok {
			return
		}
		again, ok := decodeIndex(encodeIndex(idx))
		if !ok || !reflect.DeepEqual(again, idx) {
			t.Fatalf("%x: decoded, encoded and decoded again differs:\n%+v\n%+v", b, idx, again)
		}
	})
}
