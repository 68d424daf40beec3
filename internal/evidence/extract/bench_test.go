package extract

import (
	"bytes"
	"fmt"
	"strings"
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

// newsPage returns a news page of about 100 KB that is mostly article: many
// paragraphs, navigation, related links and a footer (the page of the
// capture pipeline benchmark). With linked, every paragraph carries a
// three-word link, which keeps the readability shortcut from applying (a
// link in every third paragraph does not).
func newsPage(linked bool) []byte {
	var sb strings.Builder
	sb.WriteString(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Journalists face mounting pressure</title>
<meta property="og:title" content="Journalists face mounting pressure"><meta name="author" content="Staff Reporter">
<script type="application/ld+json">{"@type":"NewsArticle","headline":"Journalists face mounting pressure","datePublished":"2024-05-01T10:00:00Z"}</script>
</head><body><header><nav>`)
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&sb, `<a href="/section/%d">Section %d</a> `, i, i)
	}
	sb.WriteString(`</nav></header><main><article><h1>Journalists face mounting pressure</h1><p class="byline">By Staff Reporter</p>`)
	for i := 0; sb.Len() < 90_000; i++ {
		link := "officials"
		if linked {
			link = `<a href="/2024/05/officials">provincial information officials</a>`
		}
		fmt.Fprintf(&sb, "<p>Paragraph %d: reporters in the province said that %s had warned them against covering the protests, and several said their editors had removed stories after phone calls from people who did not give their names. </p>\n", i, link)
	}
	sb.WriteString(`</article><aside><ul>`)
	for sb.Len() < 100_000 {
		sb.WriteString(`<li><a href="/related">A related story about the press</a></li>`)
	}
	sb.WriteString(`</ul></aside></main><footer>© News</footer></body></html>`)
	return []byte(sb.String())
}

// BenchmarkExtractNews extracts the ~100 KB article-heavy page of the capture
// pipeline: "container" takes the readability shortcut, "linked" (a link in
// every paragraph) runs readability.
func BenchmarkExtractNews(b *testing.B) {
	for _, bc := range []struct {
		name   string
		linked bool
		method string
	}{{"container", false, MethodDOM}, {"linked", true, MethodReadability}} {
		b.Run(bc.name, func(b *testing.B) {
			page := newsPage(bc.linked)
			if a, err := Extract(page, nil); err != nil || a.Method != bc.method {
				b.Fatalf("method %q, want %q (%v)", a.Method, bc.method, err)
			}
			b.SetBytes(int64(len(page)))
			b.ResetTimer()
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				if _, err := Extract(page, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			reportPages(b, b.N, cpu0)
		})
	}
}
