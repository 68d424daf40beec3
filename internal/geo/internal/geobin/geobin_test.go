package geobin

import (
	"errors"
	"reflect"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	feats := []Feature{
		{Code: "PK-PB", Name: "Punjab", Polygons: [][][][2]int32{{{{1, 2}, {3, 4}, {-5, 6}, {1, 2}}}}},
		{Code: "", Name: "Disputed", Polygons: [][][][2]int32{{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}, {{0, 0}, {1, 1}, {0, 1}, {0, 0}}}}},
	}
	b, err := Encode(1000, feats)
	if err != nil {
		t.Fatal(err)
	}
	scale, got, err := Decode(b)
	if err != nil || scale != 1000 || !reflect.DeepEqual(got, feats) {
		t.Fatalf("Decode = %d, %+v, %v", scale, got, err)
	}
	for _, bad := range [][]byte{nil, []byte("PWG1"), b[:len(b)-3], append([]byte("XXXX"), b[4:]...)} {
		if _, _, err := Decode(bad); !errors.Is(err, ErrFormat) {
			t.Errorf("Decode(%q) err = %v", bad, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	b, _ := Encode(100, []Feature{{Code: "PK", Name: "Pakistan", Polygons: [][][][2]int32{{{{1, 2}, {3, 4}, {5, 6}, {1, 2}}}}}})
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		scale, feats, err := Decode(data)
		if err != nil {
			return
		}
		again, err := Encode(scale, feats)
		if err != nil {
			t.Fatal(err)
		}
		if _, f2, err := Decode(again); err != nil || !reflect.DeepEqual(f2, feats) {
			t.Fatalf("re-decode mismatch: %v", err)
		}
	})
}
