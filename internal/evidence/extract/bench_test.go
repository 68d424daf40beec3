package extract

import (
	"bytes"
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

// BenchmarkExtractLarge measures a page of about 100 KB, the size of a real
// news page with its scripts, styles and menus (the corpus pages are small).
func BenchmarkExtractLarge(b *testing.B) {
	var page []byte
	for _, p := range MustLoadCorpus(b) {
		if p.name == "wordpress_news" {
			page = p.html
		}
	}
	var pad []byte
	for len(pad) < 90<<10 {
		pad = append(pad, `<script>window.__STATE__={"items":[1,2,3],"config":{"ads":true}};function f(a){return a*2}</script><style>.a{color:red}.b{margin:0}</style><li class="menu-item"><a href="/section/x">Section link</a></li>`...)
	}
	large := bytes.Replace(page, []byte("</body>"), append(pad, "</body>"...), 1)
	u := corpusURL("wordpress_news")
	b.SetBytes(int64(len(large)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Extract(large, u); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}
