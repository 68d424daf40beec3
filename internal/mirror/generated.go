package mirror

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/ledger"
)

// IndexItem is one incident of the search index (search/index.json).
type IndexItem struct {
	Ref        string   `json:"r"`
	Title      string   `json:"t"`
	Summary    string   `json:"s,omitempty"`
	Date       string   `json:"d,omitempty"`
	Year       int      `json:"y,omitempty"`
	Country    string   `json:"c,omitempty"`
	Categories []string `json:"k,omitempty"`
	Status     string   `json:"st,omitempty"`
}

// addGenerated adds the search index, the search page and the about page.
func (b *builder) addGenerated(ctx context.Context, cp ledger.Checkpoint, note []byte) error {
	items := b.index
	// The same index as a script, because browsers refuse to fetch a JSON
	// file from a file:// page but do run a script beside it: one buffer,
	// the JSON file a slice of the script's.
	const prefix = "window.PRESSWATCH_INDEX="
	js := appendIndexItems([]byte(prefix), items)
	idx := js[len(prefix):]
	js = append(js, ";\n"...)
	b.pages[IndexFile] = &page{file: IndexFile, body: append(idx[:len(idx):len(idx)], '\n')}
	b.pages["search/index.js"] = &page{file: "search/index.js", body: js}
	b.pages[SearchScript] = &page{file: SearchScript, body: []byte(searchJS)}

	// Script-free fallback: the pre-rendered filter pages.
	groups := map[string][]linkView{}
	for file, pg := range b.pages {
		if pg.filterOf == "" || pg.t.Query.Get("page") != "" || pg.t.Path != "/incidents" {
			continue
		}
		v := pg.t.Query.Get(pg.filterOf)
		groups[pg.filterOf] = append(groups[pg.filterOf], linkView{Label: v, Href: relative(SearchFile, file)})
	}
	// Filter pages an incremental build kept without rendering them.
	for file, e := range b.kept {
		kv, ok := strings.CutPrefix(e.Dep, filterDepPrefix)
		if !ok {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		if (target{Path: "/incidents", Query: url.Values{k: {v}}}).file() == file {
			groups[k] = append(groups[k], linkView{Label: v, Href: relative(SearchFile, file)})
		}
	}
	sv := searchView{Count: len(items), Home: relative(SearchFile, "index.html"), About: relative(SearchFile, AboutFile),
		All: relative(SearchFile, target{Path: "/incidents"}.file())}
	for _, f := range b.opts.FilterParams {
		g := groups[f]
		sort.Slice(g, func(i, j int) bool {
			return g[i].Label < g[j].Label || (g[i].Label == g[j].Label && g[i].Href < g[j].Href)
		})
		if f == "year" {
			sort.Slice(g, func(i, j int) bool { return g[i].Label > g[j].Label })
		}
		if len(g) > 0 {
			sv.Groups = append(sv.Groups, groupView{Name: f, Links: g})
		}
	}
	var buf bytes.Buffer
	if err := searchTmpl.Execute(&buf, sv); err != nil {
		return fmt.Errorf("mirror: search page: %w", err)
	}
	b.pages[SearchFile] = &page{file: SearchFile, body: bytes.Clone(buf.Bytes())}

	av := aboutView{Origin: b.opts.Origin, Size: cp.Size, Checkpoint: string(note), Home: "index.html",
		Search: SearchFile, HasLog: b.opts.Log != nil}
	if b.opts.Log != nil {
		av.Key = b.opts.Log.VerifierKey()
	}
	buf.Reset()
	if err := aboutTmpl.Execute(&buf, av); err != nil {
		return fmt.Errorf("mirror: about page: %w", err)
	}
	b.pages[AboutFile] = &page{file: AboutFile, body: bytes.Clone(buf.Bytes())}
	b.pages[NotFoundFile] = &page{file: NotFoundFile, body: []byte(notFoundPage)}
	return nil
}

// searchIndex lists every incident of the public list: from one stream
// when the handler has one, else by paging through the site's JSON list.
func (b *builder) searchIndex(ctx context.Context) ([]IndexItem, error) {
	if ip, ok := b.opts.Handler.(incidentPages); ok {
		var out []IndexItem
		err := ip.EachListedIncident(ctx, func(p *domain.PublicIncident) error {
			out = append(out, indexItem(p))
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("mirror: search index: %w", err)
		}
		return out, nil
	}
	return b.searchIndexJSON(ctx)
}

// searchIndexJSON pages through the public JSON list of the site.
func (b *builder) searchIndexJSON(ctx context.Context) ([]IndexItem, error) {
	var out []IndexItem
	for pageNo := 1; ; pageNo++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		req := httptest.NewRequest(http.MethodGet, "/incidents.json?per_page=500&page="+strconv.Itoa(pageNo), nil)
		rec := httptest.NewRecorder()
		b.opts.Handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			return out, nil // a site without the JSON list has no index
		}
		var body struct {
			Total int                      `json:"total"`
			Items []*domain.PublicIncident `json:"items"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			return nil, fmt.Errorf("mirror: search index: %w", err)
		}
		for _, p := range body.Items {
			out = append(out, indexItem(p))
		}
		if len(body.Items) == 0 || len(out) >= body.Total {
			return out, nil
		}
	}
}

// indexItem is p as the search index holds it.
func indexItem(p *domain.PublicIncident) IndexItem {
	it := IndexItem{Ref: p.Ref, Title: p.Title, Date: p.DateStart, Country: p.Country, Status: p.Status}
	if len(p.Summary) > 200 {
		it.Summary = strings.ToValidUTF8(p.Summary[:200], "") + "…"
	} else {
		it.Summary = p.Summary
	}
	if len(p.DateStart) >= 4 {
		it.Year, _ = strconv.Atoi(p.DateStart[:4])
	}
	for _, v := range p.Violations {
		it.Categories = append(it.Categories, v.Category)
	}
	return it
}

type linkView struct{ Label, Href string }

type groupView struct {
	Name  string
	Links []linkView
}

type searchView struct {
	Count            int
	Home, About, All string
	Groups           []groupView
}

type aboutView struct {
	Origin, Checkpoint, Key, Home, Search string
	Size                                  int64
	HasLog                                bool
}

const pageStyle = `body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem}` +
	`a{color:#0645ad}pre{white-space:pre-wrap;background:#f4f4f4;padding:.5rem}` +
	`ul.links{columns:4 10rem}li{break-inside:avoid}.results li{margin:.4rem 0}`

var searchTmpl = template.Must(template.New("search").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>Search · mirror</title><style>` + pageStyle + `</style></head>
<body><header><p><a href="{{.Home}}">Home</a> · <a href="{{.All}}">All incidents</a> · <a href="{{.About}}">About this mirror</a></p></header>
<main id="main"><h1>Search this mirror</h1>
<form method="get" action="index.html" id="search"><label for="q">Words</label> <input id="q" name="q" type="search"> <button type="submit">Search</button></form>
<div id="results" class="results" aria-live="polite"></div>
<p>This copy of the site has no server. With JavaScript, the form above searches an index of {{.Count}} incidents
(<a href="index.json">index.json</a>). Without it, browse the pre-rendered lists below.</p>
{{range .Groups}}<section><h2>By {{.Name}}</h2><ul class="links">{{range .Links}}<li><a href="{{.Href}}">{{.Label}}</a></li>{{end}}</ul></section>
{{end}}</main>
<script src="index.js"></script><script src="search.js"></script>
</body></html>
`))

var aboutTmpl = template.Must(template.New("about").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>About this mirror</title><style>` + pageStyle + `</style></head>
<body><header><p><a href="{{.Home}}">Home</a> · <a href="{{.Search}}">Search</a></p></header>
<main id="main"><h1>About this mirror</h1>
<p>This is a static copy of {{if .Origin}}<bdi>{{.Origin}}</bdi>{{else}}a presswatch site{{end}}, made so that readers can still
reach it when the site itself is blocked. It has no back office, no submission form and no live API: those exist only on the
site itself.</p>
{{if .HasLog}}<h2>Check that this copy was not altered</h2>
<p>Every published record is in the site's public log; this copy holds the log as of checkpoint {{.Size}}
(<a href="log/checkpoint">log/checkpoint</a>, key in <a href="log/key">log/key</a>). Get the key from a source you trust,
not only from this copy, then run:</p>
<pre>presswatch verify --log ./log --key '{{.Key}}'
presswatch mirror build --check --out .</pre>
<pre>{{.Checkpoint}}</pre>{{end}}
<p>The list of every file of this copy with its SHA-256 is <a href="mirror.json">mirror.json</a>.</p>
</main></body></html>
`))

// notFoundPage is 404.html, which GitHub and GitLab Pages, Netlify and
// Cloudflare Pages serve for an address the mirror has no file for. Such
// a host answers /x from x.html, but not the site's incident addresses,
// /incidents/PK-2024-0153, since the page is in a folder per country and
// year (shardIncident); nor an address of a mirror built before that
// (incidents/PK-2024-0153.html). The script sends the reader on to the
// page. It is served at any depth, so it has no relative link.
const notFoundPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>Not in this copy</title><style>` + pageStyle + `</style>
<script>(function(){var m=location.pathname.match(/^(.*\/incidents)\/(([A-Z]{2}-\d{4})-\d+)(?:\.html|\/index\.html|\/)?$/);
if(m)location.replace(m[1]+"/"+m[3]+"/"+m[2]+".html"+location.hash)})();</script></head>
<body><main id="main"><h1>Not in this copy</h1>
<p>This static copy of the site has no page at this address. It may be newer than the copy, or it may be a part
of the site that a copy cannot hold (the back office, the submission form, the live API).</p>
<p>Go to <a href="/">the copy's home page</a>, or open <code>index.html</code> at the top of the copy.</p>
</main></body></html>
`

// searchJS filters the index in the browser; the page works without it.
const searchJS = `(function(){
var idx=window.PRESSWATCH_INDEX||[];var form=document.getElementById("search");var out=document.getElementById("results");
if(!form||!out)return;var p=new URLSearchParams(location.search);var q=(p.get("q")||"").toLowerCase().trim();
document.getElementById("q").value=p.get("q")||"";
var want={country:p.getAll("country").filter(Boolean),category:p.getAll("category").filter(Boolean),year:p.getAll("year").filter(Boolean)};
if(!q&&!want.country.length&&!want.category.length&&!want.year.length)return;
var words=q.split(/\s+/).filter(Boolean);var hits=idx.filter(function(it){
var text=(it.r+" "+it.t+" "+(it.s||"")).toLowerCase();
for(var i=0;i<words.length;i++){if(text.indexOf(words[i])<0)return false}
if(want.country.length&&want.country.indexOf(it.c)<0)return false;
if(want.year.length&&want.year.indexOf(String(it.y))<0)return false;
if(want.category.length&&!(it.k||[]).some(function(k){return want.category.indexOf(k)>=0}))return false;
return true});
var h=document.createElement("h2");h.textContent=hits.length+" incidents";out.appendChild(h);
var ul=document.createElement("ul");hits.slice(0,500).forEach(function(it){var li=document.createElement("li");
var a=document.createElement("a");a.href="../incidents/"+(/^[A-Z]{2}-\d{4}-\d+$/.test(it.r)?it.r.slice(0,7)+"/":"")+encodeURIComponent(it.r)+".html";a.textContent=it.t;
li.appendChild(a);li.appendChild(document.createTextNode(" · "+it.r+(it.d?" · "+it.d:"")));ul.appendChild(li)});out.appendChild(ul);
})();
`
