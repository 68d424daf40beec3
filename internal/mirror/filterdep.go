package mirror

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// filterDepPrefix marks a pre-rendered filter page of the incident list:
// "filter:country=PK" depends only on the incidents with that value, so an
// incremental build renders it again only when an incident that has (or
// had) the value is in the new log entries.
const filterDepPrefix = "filter:"

// blockDepPrefix marks a block page of the incident list ("block:3:" is
// block 3 of the unfiltered list, "block:3:country=PK" of a filter's; see
// internal/web/list_window.go): it shows the same incidents until one
// dated before its newest is published or one of them changes, so an
// incremental build renders it again only then (stableBlocks).
const blockDepPrefix = "block:"

// listRe is the incident list, its map and its statistics in any language:
// the pages a filter page links to (a kept page's links are not crawled).
var listRe = regexp.MustCompile(`^(?:/[a-z]{2}(?:-[A-Za-z]+)?)?/(?:incidents|map|stats)$`)

// targetDep is what the file of t depends on (FileEntry.Dep).
func (b *builder) targetDep(t target) string {
	if len(t.Query) > 0 && listRe.MatchString(t.Path) {
		var filter string
		n := 0
		for k, vs := range t.Query {
			if k == "page" {
				continue
			}
			n++
			if b.rv.filters[k] && len(vs) == 1 {
				filter = k + "=" + vs[0]
			}
		}
		if page := t.Query.Get("page"); page != "" && strings.HasSuffix(t.Path, "/incidents") && (n == 0 || n == 1 && filter != "") {
			return blockDepPrefix + page + ":" + filter
		}
		if n == 1 && filter != "" {
			return filterDepPrefix + filter
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
	case strings.HasPrefix(dep, blockDepPrefix):
		return b.stableBlocks[strings.TrimPrefix(dep, blockDepPrefix)]
	}
	return false
}

// computeAffectedFilters lists the filter values ("country=PK") of the
// affected incidents, before (the previous build's search index) and after
// (the current one) the change. Without the previous index the previous
// manifest lists (previousIndex) every filter page is rendered again (nil).
func (b *builder) computeAffectedFilters() {
	if b.affected == nil {
		return
	}
	old := b.previousIndex()
	if old == nil {
		return
	}
	set := map[string]bool{}
	add := func(items []IndexItem) {
		for i := range items {
			if b.affected[items[i].Ref] {
				filterValues(&items[i], b.opts.FilterParams, func(param, value string) { set[param+"="+value] = true })
			}
		}
	}
	add(old)
	add(b.index)
	b.affectedFilters = set
	b.compareBlocks(old)
}

// blockMargin is how many blocks below the top one a block page's pager
// may change when a block is added or removed (web's blockPager links two
// either side of the current block and a gap before them): such pages are
// rendered again whatever they show.
const blockMargin = 4

// compareBlocks finds the block pages of every pre-rendered list that show
// what they showed in the previous build (old, its search index):
// b.stableBlocks. A block is stable when its incidents are the same, none
// of them is affected, it is not near the top block of the old or the new
// list, and the countries of the record (its filter form's) are the same.
// The others of the new lists are queued in every language: the crawl
// cannot reach them through kept pages.
func (b *builder) compareBlocks(old []IndexItem) {
	lp, ok := b.opts.Handler.(listPages)
	ip, ok2 := b.opts.Handler.(incidentPages)
	if !ok || !ok2 {
		return
	}
	per := lp.ListPerPage()
	stable := map[string]bool{}
	oldGroups, newGroups := groupRefs(old, b.opts.FilterParams), groupRefs(b.index, b.opts.FilterParams)
	sameCountries := sameKeys(oldGroups, newGroups, "country=")
	var changed []url.Values
	for key, refs := range newGroups {
		before := oldGroups[key]
		// A block's pager changes only when the number of blocks does.
		top := len(refs) / per
		if old := len(before) / per; old != top {
			top = min(top, old) - blockMargin
		}
		for n := 1; n < len(refs)/per; n++ {
			q := blockQuery(key, n)
			if sameCountries && n < top && b.sameBlock(lp, q, before, refs) {
				stable[strconv.Itoa(n)+":"+key] = true
				continue
			}
			changed = append(changed, q)
		}
	}
	b.stableBlocks = stable
	for _, q := range changed {
		for _, loc := range ip.Locales() {
			b.enqueue(target{Path: ip.LocalePath(loc, "/incidents"), Query: q}, true)
		}
	}
}

// sameBlock reports whether the block page at q shows the same incidents
// in the lists before and after, none of them affected.
func (b *builder) sameBlock(lp listPages, q url.Values, before, after []string) bool {
	ob, ol, ok1 := lp.ListWindow(q, len(before))
	nb, nl, ok2 := lp.ListWindow(q, len(after))
	if !ok1 || !ok2 || ol != nl || nl == 0 || ob+ol > len(before) || nb+nl > len(after) {
		return false
	}
	for i := range nl {
		r := after[nb+i]
		if r != before[ob+i] || b.affected[r] {
			return false
		}
	}
	return true
}

// groupRefs is the refs of every pre-rendered list, in list order, by list
// ("" the unfiltered one, "country=PK" a filter's), as the search index
// groups them (lists.add does the same for a full build).
func groupRefs(items []IndexItem, params []string) map[string][]string {
	all := make([]string, len(items))
	// The lists by (parameter, value): a key made once per list, not once
	// per incident (400,000 strings at 100,000 incidents).
	lists := map[[2]string]*[]string{}
	for i := range items {
		ref := items[i].Ref
		all[i] = ref
		filterValues(&items[i], params, func(param, value string) {
			l := lists[[2]string{param, value}]
			if l == nil {
				l = new([]string)
				lists[[2]string{param, value}] = l
			}
			*l = append(*l, ref)
		})
	}
	out := make(map[string][]string, len(lists)+1)
	out[""] = all
	for k, l := range lists {
		out[k[0]+"="+k[1]] = *l
	}
	return out
}

// filterValues calls fn with each value of it for each pre-rendered filter
// parameter of params (country, year, category; a category named twice
// once): the lists, filter pages and search-page links it belongs to.
func filterValues(it *IndexItem, params []string, fn func(param, value string)) {
	for _, p := range params {
		switch p {
		case "country":
			if it.Country != "" {
				fn(p, it.Country)
			}
		case "year":
			if it.Year > 0 {
				fn(p, yearString(it.Year))
			}
		case "category":
			for j, c := range it.Categories {
				if !slices.Contains(it.Categories[:j], c) {
					fn(p, c)
				}
			}
		}
	}
}

// years are the strings of the years 1900–2099, made once: filterValues
// runs for every incident of the index, twice in an incremental build.
var years = func() (out [200]string) {
	for i := range out {
		out[i] = strconv.Itoa(1900 + i)
	}
	return out
}()

func yearString(y int) string {
	if y >= 1900 && y < 2100 {
		return years[y-1900]
	}
	return strconv.Itoa(y)
}

// sameKeys reports whether a and b have the same keys with prefix.
func sameKeys(a, b map[string][]string, prefix string) bool {
	n := 0
	for k := range a {
		if strings.HasPrefix(k, prefix) {
			if _, ok := b[k]; !ok {
				return false
			}
			n++
		}
	}
	for k := range b {
		if strings.HasPrefix(k, prefix) {
			n--
		}
	}
	return n == 0
}

// blockQuery is the query of block n of the list key.
func blockQuery(key string, n int) url.Values {
	q := url.Values{}
	if k, v, ok := strings.Cut(key, "="); ok {
		q.Set(k, v)
	}
	q.Set("page", strconv.Itoa(n))
	return q
}
