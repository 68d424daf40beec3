package mirror

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// filterDepPrefix marks a pre-rendered filter page of the incident list:
// "filter:country=PK" depends only on the incidents with that value, so an
// incremental build renders it again only when an incident that has (or
// had) the value is in the new log entries.
const filterDepPrefix = "filter:"

// listRe is the incident list, its map and its statistics in any language:
// the pages a filter page links to (a kept page's links are not crawled).
var listRe = regexp.MustCompile(`^(?:/[a-z]{2}(?:-[A-Za-z]+)?)?/(?:incidents|map|stats)$`)

// targetDep is what the file of t depends on (FileEntry.Dep).
func (b *builder) targetDep(t target) string {
	if len(t.Query) > 0 && listRe.MatchString(t.Path) {
		var dep string
		n := 0
		for k, vs := range t.Query {
			if k == "page" {
				continue
			}
			n++
			if b.rv.filters[k] && len(vs) == 1 {
				dep = filterDepPrefix + k + "=" + vs[0]
			}
		}
		if n == 1 && dep != "" {
			return dep
		}
	}
	return dependency(t.Path)
}

// keepDep reports whether a file of the previous build with dependency dep
// is still right without rendering it again.
func (b *builder) keepDep(dep string) bool {
	switch {
	case dep == "immutable":
		return true
	case b.affected == nil:
		return false
	case strings.HasPrefix(dep, "incident:"):
		return !b.affected[strings.TrimPrefix(dep, "incident:")]
	case strings.HasPrefix(dep, filterDepPrefix):
		return b.affectedFilters != nil && !b.affectedFilters[strings.TrimPrefix(dep, filterDepPrefix)]
	}
	return false
}

// computeAffectedFilters lists the filter values ("country=PK") of the
// affected incidents, before (the previous build's search index) and after
// (the current one) the change. Without a readable previous index every
// filter page is rendered again (nil).
func (b *builder) computeAffectedFilters() {
	if b.affected == nil {
		return
	}
	raw, err := os.ReadFile(filepath.Join(b.opts.Out, filepath.FromSlash(IndexFile)))
	if err != nil {
		return
	}
	var old []IndexItem
	if err := json.Unmarshal(raw, &old); err != nil {
		return
	}
	set := map[string]bool{}
	add := func(items []IndexItem) {
		for _, it := range items {
			if !b.affected[it.Ref] {
				continue
			}
			if it.Country != "" {
				set["country="+it.Country] = true
			}
			if it.Year > 0 {
				set["year="+strconv.Itoa(it.Year)] = true
			}
			for _, k := range it.Categories {
				set["category="+k] = true
			}
		}
	}
	add(old)
	add(b.index)
	b.affectedFilters = set
}
