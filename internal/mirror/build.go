package mirror

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/presswatch/presswatch/internal/ledger"
)

// DefaultSeeds are rendered besides what the home page links to; a seed the
// site does not have (404) is skipped.
var DefaultSeeds = []string{
	"/", "/incidents", "/incidents.csv", "/incidents.json", "/incidents.ndjson",
	"/feed.atom", "/incidents.atom", "/stats", "/map", "/data", "/data-dictionary", "/stories", "/outlets",
	"/log", "/static/style.css", "/robots.txt", "/mirrors.json",
}

// warmer prepares what the handler's pages read; *web.Server has it.
type warmer interface {
	WarmPublic(ctx context.Context) error
}

// buildGCPercent is the GOGC a build runs with.
const buildGCPercent = 400

// buildMemoryLimit is the soft memory limit that bounds a build when
// GOMEMLIMIT sets none: a quarter of the machine's memory, at least 3 GB
// (the collector runs more often as the heap nears it; set GOMEMLIMIT
// lower on a small machine). A build of 100,000 incidents holds about
// 1 GB; at 3 GB the collector ran every 1.4 GB allocated, three times as
// often as GOGC alone asks, for a twelfth of the build's CPU.
func buildMemoryLimit() int64 {
	const floor = 3 << 30
	limit := int64(floor)
	if total := physicalMemory(); total/4 > limit {
		limit = total / 4
	}
	return limit
}

// raiseGC sets GOGC to buildGCPercent (unless GOGC is set higher, or off)
// within a soft memory limit (unless GOMEMLIMIT sets one: at GOGC 400
// alone a build of 100,000 incidents peaked at 6.3 GB), and returns what
// puts both back.
func raiseGC() (restore func()) {
	prev := debug.SetGCPercent(buildGCPercent)
	if prev < 0 || prev > buildGCPercent {
		debug.SetGCPercent(prev)
		return func() {}
	}
	prevLimit := debug.SetMemoryLimit(-1)
	if prevLimit == math.MaxInt64 {
		debug.SetMemoryLimit(buildMemoryLimit())
	}
	return func() {
		debug.SetGCPercent(prev)
		debug.SetMemoryLimit(prevLimit)
	}
}

// physicalMemory is the machine's memory in bytes (MemTotal of
// /proc/meminfo), or 0 where that cannot be read.
func physicalMemory() int64 {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			f := strings.Fields(rest)
			if len(f) == 2 && f[1] == "kB" {
				if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					return kb << 10
				}
			}
		}
	}
	return 0
}

// DefaultFilterParams are pre-rendered as one page per value.
var DefaultFilterParams = []string{"country", "category", "year"}

// page is one rendered site URL.
type page struct {
	t        target
	file     string
	body     []byte
	dep      string
	html     bool
	filterOf string // the filter parameter of a pre-rendered filter page
	// volatile is the export's snapshot time (X-Snapshot-Time): bytes that
	// differ between two builds of the same data.
	volatile string
}

// builder is one run of Build.
type builder struct {
	opts Options
	rv   *resolver
	prev *Manifest // the previous build's head (Files nil)
	// prevFiles are the previous build's files.
	prevFiles *fileTable
	// trustPrev says the previous build finished (it removed its
	// buildingFile): the files its manifest lists are on disk as listed,
	// and a file kept from it is not looked up again (a stat per file was
	// 455,000 system calls at 100,000 incidents).
	trustPrev bool
	affected  map[string]bool // refs with new log entries; nil = render all
	// affectedFilters are the filter values ("country=PK") of the affected
	// incidents; nil = render every filter page.
	affectedFilters map[string]bool
	// stableBlocks are the block pages of the lists ("3:country=PK") that
	// show what they showed in the previous build (compareBlocks); nil
	// renders every block page.
	stableBlocks map[string]bool
	// oldIndex is the previous build's search index when an incremental
	// build patched the new one from it (indexpatch.go).
	oldIndex []IndexItem
	origin   *url.URL

	mu      sync.Mutex
	seen    map[string]bool
	queue   []job
	pending int
	cond    *sync.Cond
	pages   map[string]*page // by file: pages to store (generated, placeholders) and filter pages; body nil once stored
	entries map[string]FileEntry
	written []string
	kept    map[string]FileEntry
	broken  []string
	index   []IndexItem
	brokenT []target
	// seedGone are seeds the site answered an error for; linked are the
	// targets some page links to: a seed both gone and linked gets a
	// placeholder like any broken link.
	seedGone []target
	linked   map[string]bool
	err      error
	done     int

	files fileWriter
	// filtersUnknown is set while an incremental build waits for the
	// search index: the filter pages the crawl reaches meanwhile are held
	// in heldFilters (keepDep needs affectedFilters, computed from the
	// index).
	filtersUnknown bool
	heldFilters    []job
	// reserved are the pages the incident stream will render, by key.
	reserved map[string]target
	// lists renders the list pages from the incident stream's cards (a
	// full build with a handler that can; nil otherwise).
	lists *lists
	// listed counts the list pages lists rendered.
	listed int
}

type job struct {
	t    target
	seed bool
}

// depRe finds the incident a page belongs to: /incidents/REF, its
// sub-paths and its localized copies.
var depRe = regexp.MustCompile(`^(?:/[a-z]{2}(?:-[A-Za-z]+)?)?/incidents/([A-Z]{2}-[0-9]{4}-[0-9]+)(?:[/.]|$)`)

// immutableRe finds files that never change once published: logged content
// and evidence.
var immutableRe = regexp.MustCompile(`(^|/)(content/[0-9a-f]{64}\.json$|[^/]+\.warc(\.gz)?$|[^/]+\.wacz$)`)

func dependency(p string) string {
	// The pattern only where it can match: this runs for every page.
	if (strings.Contains(p, "content/") || strings.Contains(p, ".wa")) && immutableRe.MatchString(p) {
		return "immutable"
	}
	if m := depRe.FindStringSubmatch(p); m != nil {
		return "incident:" + m[1]
	}
	return ""
}

// Build renders the site into opts.Out. With a manifest from an earlier
// build there, and the log only grown since, it renders again only the
// pages of incidents the new log entries mention plus every page that
// depends on the whole set (lists, exports, home), and writes only the files
// whose bytes changed.
func Build(ctx context.Context, opts Options) (*Result, error) {
	start := time.Now()
	if opts.Handler == nil || opts.Out == "" {
		return nil, errors.New("mirror: build needs a handler and an output folder")
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.FilterParams == nil {
		opts.FilterParams = DefaultFilterParams
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return nil, fmt.Errorf("mirror: %w", err)
	}
	// Every page allocates its body, the rewritten copy and its links, and
	// a full build keeps little of it: at the default GOGC the collector
	// was a tenth of its CPU. A full build collects less often (raiseGC).
	// An incremental one keeps the default: its heap is small, and memory
	// the heap grows into is fresh (3.3 ms per MB faulted in on the
	// benchmark machine, more than its collections cost).
	var restoreGC func()
	defer func() {
		if restoreGC != nil {
			restoreGC()
		}
	}()
	likelyIncremental := !opts.Full && fileExists(filepath.Join(opts.Out, ManifestFile))
	if !likelyIncremental {
		restoreGC = raiseGC()
	}
	b := &builder{opts: opts, seen: map[string]bool{}, pages: map[string]*page{}, entries: map[string]FileEntry{}, kept: map[string]FileEntry{}}
	b.cond = sync.NewCond(&b.mu)
	b.files.start()
	defer b.files.wait()
	b.rv = &resolver{filters: map[string]bool{}, logStatic: opts.Log != nil}
	for _, f := range opts.FilterParams {
		b.rv.filters[f] = true
	}
	if opts.Origin != "" {
		u, err := url.Parse(opts.Origin)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("mirror: origin %q is not a URL", opts.Origin)
		}
		b.origin, b.rv.originHost = u, u.Host
	}
	// The search index is made while the previous manifest is read and the
	// log is written: an incremental build patches the previous one with
	// the incidents the new log entries mention (indexpatch.go), any other
	// streams every incident. Which, the log says: the goroutine waits for
	// the affected refs (nil: stream), sent once by plan.
	type indexResult struct {
		items   []IndexItem
		patched *indexPatch
		err     error
	}
	type indexPlan struct {
		affected map[string]bool
		stop     bool // the build failed: no index is needed
	}
	indexc := make(chan indexResult, 1)
	planc := make(chan indexPlan, 1)
	var planOnce sync.Once
	plan := func(p indexPlan) { planOnce.Do(func() { planc <- p }) }
	waitIndex := func() indexResult { plan(indexPlan{stop: true}); return <-indexc }
	if w, ok := opts.Handler.(warmer); ok && likelyIncremental {
		// The store's index of the record, which the list pages and
		// feeds read, is built while the previous manifest is read (at
		// 100,000 incidents each takes a second and more, and a build
		// runs in a new process): it would otherwise be built by the
		// first page that needs it, on the build's critical path.
		warmed := make(chan struct{})
		go func() {
			defer close(warmed)
			w.WarmPublic(ctx) // an error is met again by the page that needs the index
		}()
		defer func() { <-warmed }()
	}
	go func() {
		var pp *indexPatch
		if likelyIncremental {
			pp = b.prepareIndexPatch(ctx)
		}
		p := <-planc
		if p.stop {
			indexc <- indexResult{err: errors.New("mirror: build stopped")}
			return
		}
		if lr, ok := b.opts.Handler.(listedRefs); ok && pp != nil && p.affected != nil {
			items, ok, err := pp.apply(ctx, lr, b.prevFiles, p.affected)
			if err != nil || ok {
				indexc <- indexResult{items, pp, err}
				return
			}
		}
		items, err := b.searchIndex(ctx)
		indexc <- indexResult{items, nil, err}
	}()
	prev, prevFiles, hadPrev := previous(opts.Out)
	b.prev, b.prevFiles = prev, prevFiles
	building := filepath.Join(opts.Out, buildingFile)
	b.trustPrev = hadPrev && !fileExists(building)
	if err := os.WriteFile(building, []byte("A build of this mirror started and has not finished.\n"), 0o644); err != nil {
		waitIndex()
		return nil, fmt.Errorf("mirror: %w", err)
	}
	res := &Result{}

	// The log first: its size says what changed since the last build.
	var cp ledger.Checkpoint
	var note []byte
	seeds := append(append([]string{}, DefaultSeeds...), opts.Seeds...)
	if opts.Log != nil {
		var err error
		if cp, err = opts.Log.PublishedTree(ctx); err != nil {
			waitIndex()
			return nil, fmt.Errorf("mirror: log: %w", err)
		}
		if note, err = opts.Log.Checkpoint(ctx); err != nil {
			waitIndex()
			return nil, fmt.Errorf("mirror: log: %w", err)
		}
		from := int64(0)
		if hadPrev && !opts.Full && prev.Format == ManifestFormat && prev.Generator == opts.Version && prev.LogSize <= cp.Size && sameTree(ctx, opts.Log, prev) {
			from = prev.LogSize
			b.affected = map[string]bool{}
		}
		paths, refs, withdrawn, err := logDelta(ctx, opts.Log.Storage(), from, cp.Size)
		if err != nil {
			waitIndex()
			return nil, err
		}
		if withdrawn && b.affected != nil {
			// A withdrawn incident's evidence stops being public, and
			// nothing says which files it is (they never change, so a
			// rebuild keeps them): a full build reaches everything still
			// linked and removes the rest. Like any full build it starts
			// from every path the log commits to, not only the new ones.
			b.affected = nil
			if paths, _, _, err = logDelta(ctx, opts.Log.Storage(), 0, cp.Size); err != nil {
				waitIndex()
				return nil, err
			}
		}
		seeds = append(seeds, paths...)
		if b.affected != nil {
			for _, r := range refs {
				b.affected[r] = true
			}
		}
		// Partial tiles are replaced by longer ones as the log grows: only
		// the current ones stay.
		if err := removePartialTiles(filepath.Join(opts.Out, "log", "tile")); err != nil {
			waitIndex()
			return nil, err
		}
		if err := opts.Log.WriteStatic(ctx, filepath.Join(opts.Out, "log")); err != nil {
			waitIndex()
			return nil, fmt.Errorf("mirror: log: %w", err)
		}
	}
	res.Full = b.affected == nil
	if res.Full && restoreGC == nil {
		restoreGC = raiseGC()
	}
	plan(indexPlan{affected: b.affected})

	enqueueSeeds := func(seeds []string) {
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, s := range seeds {
			u, err := url.Parse(s)
			if err != nil {
				continue
			}
			r := b.rv.resolve(&url.URL{Path: "/"}, u.String(), false)
			if r.kind == linkFile {
				b.enqueueLocked(r.t, true)
			}
		}
	}
	// An incremental build crawls while the search index is read (at
	// 100,000 incidents the stream is two seconds, most of such a build),
	// holding back the filter pages: whether one is kept depends on the
	// index.
	crawled := make(chan struct{})
	if b.affected != nil {
		b.mu.Lock()
		b.filtersUnknown = true
		b.pending++ // until the filter pages are enqueued
		b.mu.Unlock()
		enqueueSeeds(seeds)
		go func() {
			b.crawl(ctx)
			close(crawled)
		}()
	}
	ir := waitIndex()
	if ir.err != nil && b.affected != nil {
		b.mu.Lock()
		b.pending--
		b.mu.Unlock()
		b.cond.Broadcast()
		<-crawled
	}
	if ir.err != nil {
		return nil, ir.err
	}
	items := ir.items
	b.index = items
	if ir.patched != nil {
		b.oldIndex = ir.patched.old
		res.IndexPatched = true
	}
	b.computeAffectedFilters()
	// Filter pages for every value in use, whether or not a page links to
	// it, so that an incremental build reaches the same pages as a full one.
	filters := filterSeeds(items, opts.FilterParams)
	if b.affected != nil {
		b.mu.Lock()
		b.filtersUnknown = false
		for _, j := range b.heldFilters {
			b.enqueueLocked(j.t, j.seed)
		}
		b.heldFilters = nil
		b.mu.Unlock()
		enqueueSeeds(filters)
		b.mu.Lock()
		b.pending-- // only now may the crawl run out of pages
		b.mu.Unlock()
		b.cond.Broadcast()
		<-crawled
	} else {
		enqueueSeeds(append(seeds, filters...))
		// A full build renders the incident pages from one stream first.
		if ip, ok := opts.Handler.(incidentPages); ok {
			if err := b.renderIncidents(ctx, ip); err != nil {
				return nil, fmt.Errorf("mirror: incident pages: %w", err)
			}
		}
		b.crawl(ctx)
	}
	if b.err != nil {
		return nil, b.err
	}
	b.placeholders()

	// Files the mirror makes itself.
	if err := b.addGenerated(ctx, cp, note); err != nil {
		return nil, err
	}

	// Write what changed.
	m := &Manifest{Format: ManifestFormat, Generator: opts.Version, BuiltAt: opts.Now().UTC(), BaseURL: opts.BaseURL,
		Origin: opts.Origin, LogSize: cp.Size}
	if opts.Log != nil {
		m.LogRoot = base64.StdEncoding.EncodeToString(cp.Hash[:])
		m.Checkpoint = string(note)
	}
	for _, pg := range b.pages {
		if pg.body != nil { // generated pages and placeholders
			if err := b.store(pg); err != nil {
				return nil, err
			}
		}
	}
	if err := b.files.wait(); err != nil {
		return nil, err
	}
	// cur is this build's files; the previous build's others are carried
	// over (carry) as its manifest has them.
	cur := b.entries
	res.Written = append(res.Written, b.written...)
	for file, e := range b.kept {
		if _, ok := cur[file]; !ok {
			cur[file] = e
		}
	}
	// Carry over what was not rendered and does not depend on a change. A
	// full build reached everything the site links to: what it did not
	// reach goes, even a file that never changes (content or evidence of a
	// withdrawn incident, or kept where an older layout put it). The log's
	// files are listed again below.
	carry := make([]bool, prevFiles.len())
	for i, file := range prevFiles.names {
		if _, ok := cur[file]; ok {
			continue
		}
		dep := prevFiles.dep(i)
		if dep == "log" {
			continue
		}
		if b.affected != nil && b.keepDep(dep) && b.onDisk(file) {
			carry[i] = true
			res.Kept++
			continue
		}
		if err := os.Remove(filepath.Join(opts.Out, filepath.FromSlash(file))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("mirror: %w", err)
		}
		res.Removed = append(res.Removed, strings.Clone(file))
	}
	removeEmptyFolders(opts.Out, res.Removed)
	if opts.Log != nil {
		written, err := hashLogFiles(opts.Out, prevFiles, cur, b.affected != nil && b.trustPrev)
		if err != nil {
			return nil, err
		}
		res.Written = append(res.Written, written...)
	}
	if err := writeManifestFiles(opts.Out, m, cur, prevFiles, carry); err != nil {
		return nil, err
	}
	if err := os.Remove(building); err != nil {
		return nil, fmt.Errorf("mirror: %w", err)
	}
	sort.Strings(res.Written)
	sort.Strings(res.Removed)
	sort.Strings(b.broken)
	res.Files = len(cur) + res.Kept
	res.Rendered = b.done
	res.Listed = b.listed
	res.Broken = b.broken
	res.LogSize = cp.Size
	res.Duration = time.Since(start)
	return res, nil
}

// removeEmptyFolders removes the folders of the removed files that are
// left empty, deepest first, up to the mirror's root: a mirror of format 1
// had a folder per page.
func removeEmptyFolders(out string, removed []string) {
	dirs := map[string]bool{}
	for _, file := range removed {
		for dir := path.Dir(file); dir != "." && dir != "/" && !dirs[dir]; dir = path.Dir(dir) {
			dirs[dir] = true
		}
	}
	order := slices.SortedFunc(maps.Keys(dirs), func(a, b string) int {
		return strings.Count(b, "/") - strings.Count(a, "/")
	})
	for _, dir := range order {
		os.Remove(filepath.Join(out, filepath.FromSlash(dir))) // fails, as it should, on a folder that holds anything
	}
}

// buildingFile is in a mirror folder while a build runs: one left there
// says a build stopped half-way, and the next one does not trust the
// manifest for the files it keeps (onDisk). Check and hashLogFiles skip it
// (".tmp" prefix).
const buildingFile = ".tmp-building"

// onDisk reports whether file, listed by the previous manifest, is in the
// mirror folder. After a finished build the manifest says so; after an
// interrupted one (which may have removed files before it could write its
// manifest) each file is looked up. A file removed by hand from a finished
// mirror is not noticed: --check reports it, --full restores it.
func (b *builder) onDisk(file string) bool {
	return b.trustPrev || fileExists(filepath.Join(b.opts.Out, filepath.FromSlash(file)))
}

// sameTree reports whether the log still contains the tree the previous
// build was made from (else everything is rendered again).
func sameTree(ctx context.Context, l Log, prev *Manifest) bool {
	if prev.LogSize == 0 || prev.LogRoot == "" {
		return prev.LogSize == 0
	}
	cp, err := l.PublishedTree(ctx)
	if err != nil {
		return false
	}
	if cp.Size == prev.LogSize {
		return base64.StdEncoding.EncodeToString(cp.Hash[:]) == prev.LogRoot
	}
	return checkConsistent(ctx, l, prev.LogSize, prev.LogRoot, cp) == nil
}

// logDelta reads entries [from, to) and returns the site paths of the
// content and evidence they commit to, the refs they mention, and whether
// one of them withdraws an incident.
func logDelta(ctx context.Context, st ledger.Storage, from, to int64) (paths, refs []string, withdrawn bool, err error) {
	const batch = 1024
	for start := from; start < to; start += batch {
		end := min(start+batch, to)
		entries, err := st.ReadEntries(ctx, start, end)
		if err != nil {
			return nil, nil, false, fmt.Errorf("mirror: log entries: %w", err)
		}
		for _, raw := range entries {
			e, err := ledger.ParseEntry(raw)
			if err != nil {
				continue
			}
			refs = append(refs, e.Ref)
			withdrawn = withdrawn || e.Kind == ledger.KindWithdrawal
			var d struct {
				URL       string   `json:"url"`
				WARC      string   `json:"warc"`
				Page      string   `json:"page"`
				Incident  string   `json:"incident"`
				Incidents []string `json:"incidents"`
			}
			if len(e.Data) > 0 && json.Unmarshal(e.Data, &d) == nil {
				for _, p := range []string{d.URL, d.WARC, d.Page} {
					if strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") {
						paths = append(paths, p)
					}
				}
				if d.Incident != "" {
					refs = append(refs, d.Incident)
				}
				refs = append(refs, d.Incidents...)
			}
		}
	}
	return paths, refs, withdrawn, nil
}

// stableHash is the SHA-256 of body with the export's snapshot time
// replaced by a fixed marker where the export writes it: as the last CSV
// column of a row. Only there: an incident published in the same second as
// the export carries the same time string in its own columns, and that must
// still count as content.
func stableHash(body []byte, volatile string) string {
	h := newStableHasher(volatile)
	h.Write(body)
	return h.Sum()
}

// stableHasher computes stableHash of what is written to it, in pieces of
// any size: it hashes up to the last line end it has seen (the snapshot
// time holds none, so no match spans two lines) and keeps the rest.
type stableHasher struct {
	v, marker []byte
	h         hash.Hash
	rest      []byte // since the last line end
}

func newStableHasher(volatile string) *stableHasher {
	return &stableHasher{v: []byte("," + volatile), marker: []byte(",\x00volatile\x00"), h: sha256.New()}
}

func (s *stableHasher) Write(p []byte) (int, error) {
	n := len(p)
	i := bytes.LastIndexByte(p, '\n')
	if i < 0 {
		s.rest = append(s.rest, p...)
		return n, nil
	}
	if len(s.rest) > 0 {
		s.rest = append(s.rest, p[:i+1]...)
		s.lines(s.rest)
		s.rest = s.rest[:0]
	} else {
		s.lines(p[:i+1])
	}
	s.rest = append(s.rest, p[i+1:]...)
	return n, nil
}

// Sum is the hash of everything written, in hex.
func (s *stableHasher) Sum() string {
	s.lines(s.rest)
	s.rest = nil
	return hex.EncodeToString(s.h.Sum(nil))
}

// lines hashes text, masking the snapshot time where it ends a line or the
// text: the masked text is hashed as it is read, not copied (an export of
// 100,000 incidents is some 100 MB).
func (s *stableHasher) lines(text []byte) {
	for rest := text; ; {
		i := bytes.Index(rest, s.v)
		if i < 0 {
			s.h.Write(rest)
			return
		}
		end := rest[i+len(s.v):]
		if len(end) == 0 || end[0] == '\n' || bytes.HasPrefix(end, []byte("\r\n")) {
			s.h.Write(rest[:i])
			s.h.Write(s.marker)
		} else {
			s.h.Write(rest[:i+len(s.v)])
		}
		rest = end
	}
}

func sizeIs(path string, n int64) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Size() == n
}

// enqueue adds t to the crawl unless it was seen. Caller must not hold mu.
func (b *builder) enqueue(t target, seed bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.enqueueLocked(t, seed)
}

func (b *builder) enqueueLocked(t target, seed bool) {
	k := t.key()
	if !seed {
		if b.linked == nil {
			b.linked = map[string]bool{}
		}
		b.linked[k] = true
	}
	if b.seen[k] {
		return
	}
	dep := b.targetDep(t)
	// Block pages wait too: whether one is kept depends on the index
	// (compareBlocks), and one rendered for want of it links the next.
	if b.filtersUnknown && (strings.HasPrefix(dep, filterDepPrefix) || strings.HasPrefix(dep, blockDepPrefix)) {
		b.heldFilters = append(b.heldFilters, job{t: t, seed: seed})
		return
	}
	b.seen[k] = true
	file := t.file()
	if i := b.prevFiles.find(file); i >= 0 && dep != "" && b.prevFiles.dep(i) == dep {
		if b.keepDep(dep) && b.onDisk(file) {
			b.kept[file] = b.prevFiles.entry(i)
			return
		}
	}
	b.queue = append(b.queue, job{t: t, seed: seed})
	b.pending++
	b.cond.Signal()
}

// crawl renders pages with opts.Workers goroutines until no page is left.
func (b *builder) crawl(ctx context.Context) {
	var wg sync.WaitGroup
	for range b.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				b.mu.Lock()
				for len(b.queue) == 0 && b.pending > 0 && b.err == nil {
					b.cond.Wait()
				}
				if len(b.queue) == 0 || b.err != nil {
					b.mu.Unlock()
					b.cond.Broadcast()
					return
				}
				j := b.queue[len(b.queue)-1]
				b.queue = b.queue[:len(b.queue)-1]
				b.mu.Unlock()

				err := ctx.Err()
				if err == nil {
					err = b.render(ctx, j)
				}
				b.mu.Lock()
				if err != nil && b.err == nil {
					b.err = err
				}
				b.pending--
				b.done++
				done, known := b.done, len(b.seen)
				b.mu.Unlock()
				b.cond.Broadcast()
				if b.opts.Progress != nil {
					b.opts.Progress(done, known)
				}
			}
		}()
	}
	wg.Wait()
}

// render runs one GET on the handler and records the page and its links;
// a list page the incident stream prepared is rendered from its cards.
func (b *builder) render(ctx context.Context, j job) error {
	if b.lists != nil {
		buf := pagePool.Get().(*bytes.Buffer)
		defer pagePool.Put(buf)
		buf.Reset()
		ok, err := b.lists.page(ctx, buf, j.t)
		if err != nil {
			return err
		}
		if ok {
			b.mu.Lock()
			b.listed++
			b.mu.Unlock()
			return b.storeHTML(b.newPage(j.t, buf.Bytes(), ""))
		}
	}
	u := &url.URL{Path: j.t.Path, RawQuery: j.t.Query.Encode()}
	req := httptest.NewRequest(http.MethodGet, u.RequestURI(), nil)
	if b.origin != nil {
		req.Host = b.origin.Host
	}
	file := j.t.file()
	rec := newSpool(filepath.Join(b.opts.Out, filepath.FromSlash(path.Dir(file))), b.files.mkdir)
	b.opts.Handler.ServeHTTP(rec, req)
	if rec.code != http.StatusOK && rec.code != 0 {
		rec.discard()
		b.mu.Lock()
		if !j.seed {
			b.broken = append(b.broken, fmt.Sprintf("%s (%d)", j.t.key(), rec.code))
			b.brokenT = append(b.brokenT, j.t)
		} else {
			b.seedGone = append(b.seedGone, j.t)
		}
		b.mu.Unlock()
		return nil
	}
	pg := b.newPage(j.t, nil, rec.header.Get("X-Snapshot-Time"))
	if rec.spilled() {
		return b.storeSpooled(pg, rec)
	}
	defer rec.release()
	pg.body = rec.body.Bytes()
	ct := rec.header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "text/html"):
		return b.storeHTML(pg)
	case strings.HasPrefix(ct, "text/css"):
		pg.body = b.rewriteCSS(pg.body, u, file)
	}
	return b.store(pg)
}

// newPage is the page of target t with body as the site rendered it.
func (b *builder) newPage(t target, body []byte, volatile string) *page {
	pg := &page{t: t, file: t.file(), body: body, dep: b.targetDep(t), volatile: volatile}
	for k := range t.Query {
		if k != "page" {
			pg.filterOf = k
		}
	}
	return pg
}

// store hashes a rendered page, writes it when its bytes differ from the
// previous build's file, records its manifest entry and drops the body, so
// that a build of any size holds only the entries in memory.
func (b *builder) store(pg *page) error {
	sum := sha256.Sum256(pg.body)
	e := FileEntry{SHA256: hex.EncodeToString(sum[:]), Size: int64(len(pg.body)), Dep: pg.dep}
	if pg.volatile != "" {
		e.Stable = stableHash(pg.body, pg.volatile)
	}
	existed := b.prevFiles.find(pg.file) >= 0
	e, same := b.sameAsBefore(pg.file, e)
	if !same {
		if err := b.files.write(filepath.Join(b.opts.Out, filepath.FromSlash(pg.file)), pg.body, !existed); err != nil {
			return err
		}
	}
	pg.body = nil
	b.record(pg, e, !same)
	return nil
}

// sameAsBefore reports whether the previous build's file is the one e
// describes, and gives the entry to keep: an export says when it was made,
// so the same data exported again differs only there (Stable); the earlier
// file and its entry are kept unless something else changed.
func (b *builder) sameAsBefore(file string, e FileEntry) (FileEntry, bool) {
	old, ok := b.prevFiles.get(file)
	if !ok {
		return e, false
	}
	full := filepath.Join(b.opts.Out, filepath.FromSlash(file))
	if e.Stable != "" && old.Stable == e.Stable && sizeIs(full, old.Size) {
		return old, true
	}
	return e, old.SHA256 == e.SHA256 && sizeIs(full, e.Size)
}

// record adds a stored page and its manifest entry to the build.
func (b *builder) record(pg *page, e FileEntry, written bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// Only filter pages are looked at again (addGenerated): 455,000
	// pages held to the end were that much more heap for the collector.
	if pg.filterOf != "" {
		b.pages[pg.file] = pg
	}
	b.entries[pg.file] = e
	if written {
		b.written = append(b.written, pg.file)
	}
}

// unnameOrigin replaces the origin's address where a page prints it as
// text (the log page's verify command names the site it was served from):
// in a mirror it is the mirror's base URL, or "." — the mirror's own folder,
// which `presswatch verify --log ./log` reads as well.
func (b *builder) unnameOrigin(body []byte) []byte {
	if b.origin == nil {
		return body
	}
	self := strings.TrimSuffix(b.opts.BaseURL, "/")
	if self == "" {
		self = "."
	}
	for _, scheme := range []string{"http://", "https://"} {
		name := []byte(scheme + b.origin.Host)
		// bytes.ReplaceAll copies a body it finds nothing in: most pages.
		if bytes.Contains(body, name) {
			body = bytes.ReplaceAll(body, name, []byte(self))
		}
	}
	return body
}

var cssURLRe = regexp.MustCompile(`url\(\s*['"]?([^'")]+)['"]?\s*\)`)

// rewriteCSS makes url(...) references relative and crawls them.
func (b *builder) rewriteCSS(body []byte, base *url.URL, file string) []byte {
	return cssURLRe.ReplaceAllFunc(body, func(m []byte) []byte {
		sub := cssURLRe.FindSubmatch(m)
		raw := string(sub[1])
		if strings.HasPrefix(raw, "data:") {
			return m
		}
		r := b.rv.resolve(base, raw, false)
		if r.kind != linkFile {
			return m
		}
		b.enqueue(r.t, false)
		return []byte(`url("` + b.rv.href(file, r) + `")`)
	})
}

// hashLogFiles adds the log's files to cur and returns those that are new or
// changed since prev. With reuseFull (the log only grew since prev, and
// prev's build finished) a full tile prev lists is not read again: its
// bytes are fixed by the tree, and WriteStatic leaves a tile it finds in
// place. A log of 300,000 entries has some 120 MB of them.
func hashLogFiles(out string, prev *fileTable, cur map[string]FileEntry, reuseFull bool) ([]string, error) {
	var written []string
	root := filepath.Join(out, "log")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".tmp") || d.Name() == ledger.LastSignedFile {
			return nil
		}
		rel, err := filepath.Rel(out, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if _, ok := cur[rel]; ok {
			return nil // rendered through the site (e.g. a proof)
		}
		old, had := prev.get(rel)
		if had && reuseFull && old.Dep == "log" && fullTile(rel) {
			cur[rel] = old
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		e := FileEntry{SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), Dep: "log"}
		if !had || old.SHA256 != e.SHA256 {
			written = append(written, rel)
		}
		cur[rel] = e
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mirror: log files: %w", err)
	}
	return written, nil
}

// fullTile reports whether rel is a full tile of the mirror's log
// (log/tile/0/001, not log/tile/0/001.p/7 nor log/checkpoint).
func fullTile(rel string) bool {
	p, ok := strings.CutPrefix(rel, "log/")
	if !ok {
		return false
	}
	t, err := ledger.ParseTilePath(p)
	return err == nil && t.Width == ledger.TileWidth
}

// placeholders stands in for pages the site links to but answered an error
// for: the mirror keeps no broken link, and Result.Broken reports them.
func (b *builder) placeholders() {
	for _, t := range b.seedGone {
		if b.linked[t.key()] {
			b.broken = append(b.broken, t.key()+" (not found)")
			b.brokenT = append(b.brokenT, t)
		}
	}
	for _, t := range b.brokenT {
		file := t.file()
		if _, ok := b.pages[file]; ok {
			continue
		}
		if _, ok := b.entries[file]; ok {
			continue
		}
		body := `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not in this mirror</title></head>` +
			`<body><main id="main"><h1>Not in this mirror</h1><p>The site had no page here when this copy was made.</p>` +
			`<p><a href="` + escapePath(relative(file, "index.html")) + `">Home</a></p></main></body></html>` + "\n"
		b.pages[file] = &page{t: t, file: file, body: []byte(body), dep: b.targetDep(t)}
	}
}

// removePartialTiles deletes every partial tile (.../N.p/W) under dir.
func removePartialTiles(dir string) error {
	var partial []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return fs.SkipAll
		}
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasSuffix(d.Name(), ".p") {
			partial = append(partial, p)
			return fs.SkipDir
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mirror: log tiles: %w", err)
	}
	for _, p := range partial {
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("mirror: log tiles: %w", err)
		}
	}
	return nil
}

// filterSeeds returns one filter page per value in use of each pre-rendered
// filter parameter.
func filterSeeds(items []IndexItem, params []string) []string {
	set := map[string]bool{}
	for i := range items {
		filterValues(&items[i], params, func(param, value string) { set[param+"="+url.QueryEscape(value)] = true })
	}
	out := make([]string, 0, len(set))
	for q := range set {
		out = append(out, "/incidents?"+q)
	}
	sort.Strings(out)
	return out
}
