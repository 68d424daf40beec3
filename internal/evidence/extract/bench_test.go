package extract

import (
	"testing"
)

// BenchmarkExtract extracts the whole regression corpus per iteration and
// reports pages/s and the corpus F1 beside the speed. Target: ≥ 200 pages/s
// per core (run with -cpu 1).
func BenchmarkExtract(b *testing.B) {
	pages := MustLoadCorpus(b)
	var size int64
	for _, p := range pages {
		size += int64(len(p.html))
	}
	scores := corpusF1(b, pages)
	var sum float64
	for _, s := range scores {
		sum += s
	}
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, p := range pages {
			if _, err := Extract(p.html, corpusURL(p.name)); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*len(pages))/b.Elapsed().Seconds(), "pages/s")
	b.ReportMetric(sum/float64(len(pages)), "F1")
}
