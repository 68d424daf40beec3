package extract

import (
	"bytes"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time. The build machine is shared
// and often loaded: pages per CPU second say more than pages per wall second.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportPages reports pages/s (wall) and pages/cpu-s since cpu0.
func reportPages(b *testing.B, pages int, cpu0 time.Duration) {
	b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(pages)/cpu.Seconds(), "pages/cpu-s")
	}
}

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
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		for _, p := range pages {
			if _, err := Extract(p.html, corpusURL(p.name)); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	reportPages(b, b.N*len(pages), cpu0)
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
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := Extract(large, u); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportPages(b, b.N, cpu0)
}
