package monitor

import (
	"bytes"
	"fmt"
	"time"

	"github.com/mmcdole/gofeed"
)

// FeedEntry is an article a feed or sitemap announces.
type FeedEntry struct {
	URL       string
	Title     string
	Published time.Time
}

// ParseFeed reads an RSS, Atom or JSON Feed document and returns its items'
// links (absolute as written; callers normalise) with titles and dates.
func ParseFeed(data []byte) (entries []FeedEntry, err error) {
	defer func() {
		if r := recover(); r != nil {
			entries, err = nil, fmt.Errorf("monitor: feed parser panicked: %v", r)
		}
	}()
	f, err := gofeed.NewParser().Parse(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("monitor: parse feed: %w", err)
	}
	for _, it := range f.Items {
		if it == nil {
			continue
		}
		link := it.Link
		if link == "" && len(it.Links) > 0 {
			link = it.Links[0]
		}
		if link == "" {
			continue
		}
		e := FeedEntry{URL: link, Title: it.Title}
		if it.PublishedParsed != nil {
			e.Published = it.PublishedParsed.UTC()
		} else if it.UpdatedParsed != nil {
			e.Published = it.UpdatedParsed.UTC()
		}
		entries = append(entries, e)
	}
	return entries, nil
}
