package mirror

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
)

// indexStrings are the strings that JSON quotes differently: quotes,
// backslashes, HTML's characters, control characters, non-ASCII, U+2028,
// invalid UTF-8.
var indexStrings = []string{"", "plain", `a "quoted" \ title`, "<b>&amp;</b>", "tab\tand\nnewline", "صحافی گرفتار", "पत्रकार",
	"line\u2028sep\u2029", "bad\xffutf8", "\x7fdel", "emoji 📰"}

func randomIndex(r *rand.Rand, n int) []IndexItem {
	pick := func() string { return indexStrings[r.IntN(len(indexStrings))] }
	items := make([]IndexItem, n)
	for i := range items {
		it := &items[i]
		it.Ref, it.Title, it.Summary, it.Date, it.Country, it.Status = "PK-2024-"+pick(), pick(), pick(), pick(), pick(), pick()
		it.Year = []int{0, 2024, -3, 1999}[r.IntN(4)]
		for range r.IntN(3) {
			it.Categories = append(it.Categories, pick())
		}
	}
	return items
}

// The index is written as json.Marshal writes it and read as
// json.Unmarshal reads it, by the fast path.
func TestIndexCodecIsJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, items := range [][]IndexItem{nil, {}, randomIndex(r, 3000)} {
		want, err := json.Marshal(items)
		if err != nil {
			t.Fatal(err)
		}
		got := appendIndexItems(nil, items)
		if !bytes.Equal(got, want) {
			t.Fatalf("appendIndexItems differs from json.Marshal:\n got %.300q\nwant %.300q", got, want)
		}
		var back []IndexItem
		if err := json.Unmarshal(want, &back); err != nil {
			t.Fatal(err)
		}
		fast, ok := decodeIndexFast(append(want, '\n'))
		if items != nil && !ok {
			t.Fatalf("the fast path refused json.Marshal's index %.200q", want)
		}
		if ok && !reflect.DeepEqual(fast, back) {
			t.Fatal("the fast path read another index than json.Unmarshal")
		}
	}
}

// decodeIndexItems reads what json.Unmarshal reads, fast path or not.
func FuzzDecodeIndexItems(f *testing.F) {
	items, _ := json.Marshal(randomIndex(rand.New(rand.NewPCG(1, 1)), 5))
	f.Add(items)
	f.Add([]byte(`[{"r":"a","t":"b","y":007}]`))
	f.Add([]byte(`[{"r":"a","t":"b","k":[]}]`))
	f.Add([]byte(`[{"t":"b","r":"a"}]`))
	f.Add([]byte(`[{"r":"a\"","t":"\u00e9"}] `))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, gotErr := decodeIndexItems(b)
		var want []IndexItem
		wantErr := json.Unmarshal(b, &want)
		if (gotErr != nil) != (wantErr != nil) {
			t.Fatalf("decodeIndexItems error %v, json.Unmarshal error %v", gotErr, wantErr)
		}
		if gotErr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("decodeIndexItems read\n%#v\njson.Unmarshal read\n%#v", got, want)
		}
	})
}
