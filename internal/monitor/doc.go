// Package monitor owns the watching of news outlets: outlets and their feeds
// and sitemaps, discovery of new articles, the decaying re-check schedule,
// per-host politeness and robots.txt, and the detection of deleted, edited,
// restored and unavailable articles with paragraph- and word-level diffs.
//
// It stores nothing itself: a Store (implemented in memory here, in SQL by
// the store package) keeps outlets, articles and detections, and a Fetcher
// (a plain safehttp client here, the evidence pipeline later) makes requests.
package monitor
