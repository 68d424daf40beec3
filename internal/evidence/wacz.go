package evidence

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// WACZVersion is the WACZ specification version written.
const WACZVersion = "1.1.1"

// WACZInput is one capture to package.
type WACZInput struct {
	// Name is the WARC file name inside archive/, e.g. "capture-42.warc.gz".
	Name string
	WARC []byte // gzipped WARC, one member per record
	// Title labels the page in pages.jsonl (the manifest's title if empty).
	Title string
}

type waczResource struct {
	Name  string `json:"name"`
	Path  string `json:"path"`
	Hash  string `json:"hash"`
	Bytes int64  `json:"bytes"`
}

type waczPackage struct {
	Profile      string         `json:"profile"`
	WACZVersion  string         `json:"wacz_version"`
	Title        string         `json:"title"`
	Created      string         `json:"created"`
	Software     string         `json:"software"`
	MainPageURL  string         `json:"mainPageURL,omitempty"`
	MainPageDate string         `json:"mainPageDate,omitempty"`
	Resources    []waczResource `json:"resources"`
}

type waczPage struct {
	ID    string `json:"id"`
	URL   string `json:"url"`
	TS    string `json:"ts"`
	Title string `json:"title,omitempty"`
}

// WriteWACZ writes a WACZ 1.1.1 package of captures to w: the WARC files
// stored uncompressed under archive/, indexes/index.cdxj, pages/pages.jsonl,
// datapackage.json (SHA-256 and size of every file) and
// datapackage-digest.json. It is deterministic for the same input.
func WriteWACZ(w io.Writer, captures []WACZInput) error {
	var cdx []string
	var pages []waczPage
	var created time.Time
	seen := map[string]bool{}
	for _, c := range captures {
		if c.Name == "" || strings.ContainsAny(c.Name, `/\`) || !strings.HasSuffix(c.Name, ".warc.gz") || seen[c.Name] {
			return fmt.Errorf("evidence: wacz: bad or duplicate WARC name %q", c.Name)
		}
		seen[c.Name] = true
		var page *waczPage
		err := ReadRecords(bytes.NewReader(c.WARC), func(r Record) error {
			if line, ok := cdxjLine(&r, c.Name); ok {
				cdx = append(cdx, line)
			}
			if r.Type() == TypeMetadata {
				if m, err := ParseManifest(r.Block); err == nil && page == nil {
					u := m.FinalURL
					if u == "" {
						u = m.URL
					}
					title := c.Title
					if title == "" {
						title = m.Title
					}
					page = &waczPage{ID: SHA256Hex([]byte(c.Name))[:32], URL: u, TS: m.FetchedAt.UTC().Format(time.RFC3339), Title: title}
					if m.FetchedAt.After(created) {
						created = m.FetchedAt
					}
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("evidence: wacz: %s: %w", c.Name, err)
		}
		if page != nil {
			pages = append(pages, *page)
		}
	}
	sort.Strings(cdx)
	if created.IsZero() {
		created = time.Unix(0, 0)
	}

	zw := zip.NewWriter(w)
	var resources []waczResource
	add := func(name string, data []byte, method uint16) error {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: created.UTC()})
		if err != nil {
			return err
		}
		if _, err := fw.Write(data); err != nil {
			return err
		}
		resources = append(resources, waczResource{Name: path.Base(name), Path: name, Hash: "sha256:" + SHA256Hex(data), Bytes: int64(len(data))})
		return nil
	}
	for _, c := range captures {
		if err := add("archive/"+c.Name, c.WARC, zip.Store); err != nil {
			return fmt.Errorf("evidence: wacz: %w", err)
		}
	}
	idx := strings.Join(cdx, "")
	if err := add("indexes/index.cdxj", []byte(idx), zip.Deflate); err != nil {
		return fmt.Errorf("evidence: wacz: %w", err)
	}
	var pj bytes.Buffer
	pj.WriteString(`{"format":"json-pages-1.0","id":"pages","title":"All Pages"}` + "\n")
	for _, p := range pages {
		b, _ := json.Marshal(p)
		pj.Write(b)
		pj.WriteByte('\n')
	}
	if err := add("pages/pages.jsonl", pj.Bytes(), zip.Deflate); err != nil {
		return fmt.Errorf("evidence: wacz: %w", err)
	}
	pkg := waczPackage{
		Profile: "data-package", WACZVersion: WACZVersion, Title: "presswatch evidence",
		Created: created.UTC().Format(time.RFC3339), Software: "presswatch", Resources: resources,
	}
	if len(pages) > 0 {
		pkg.MainPageURL, pkg.MainPageDate = pages[0].URL, pages[0].TS
	}
	dp, _ := json.MarshalIndent(pkg, "", "  ")
	if err := add("datapackage.json", dp, zip.Deflate); err != nil {
		return fmt.Errorf("evidence: wacz: %w", err)
	}
	digest, _ := json.MarshalIndent(map[string]string{"path": "datapackage.json", "hash": "sha256:" + SHA256Hex(dp)}, "", "  ")
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: "datapackage-digest.json", Method: zip.Deflate, Modified: created.UTC()})
	if err == nil {
		_, err = fw.Write(digest)
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		return fmt.Errorf("evidence: wacz: %w", err)
	}
	return nil
}

// cdxjLine returns the CDXJ index line of a response, revisit or resource
// record.
func cdxjLine(r *Record, filename string) (string, bool) {
	t := r.Type()
	if t != TypeResponse && t != TypeRevisit && t != TypeResource {
		return "", false
	}
	uri := r.TargetURI()
	ts, err := time.Parse(time.RFC3339, r.Header.Get("WARC-Date"))
	if uri == "" || err != nil {
		return "", false
	}
	f := map[string]string{
		"url":      uri,
		"digest":   r.Header.Get("WARC-Payload-Digest"),
		"length":   strconv.FormatInt(r.Length, 10),
		"offset":   strconv.FormatInt(r.Offset, 10),
		"filename": filename,
	}
	switch t {
	case TypeResource:
		f["mime"] = r.Header.Get("Content-Type")
		f["status"] = "200"
	case TypeRevisit:
		f["mime"] = "warc/revisit"
		if resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(r.Block)), nil); err == nil {
			f["status"] = strconv.Itoa(resp.StatusCode)
		}
	default:
		if resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(r.Block)), nil); err == nil {
			f["status"] = strconv.Itoa(resp.StatusCode)
			mt := resp.Header.Get("Content-Type")
			if i := strings.IndexByte(mt, ';'); i >= 0 {
				mt = mt[:i]
			}
			f["mime"] = strings.TrimSpace(mt)
		}
	}
	js, _ := json.Marshal(f)
	return SURT(uri) + " " + ts.UTC().Format("20060102150405") + " " + string(js) + "\n", true
}

// SURT returns the Sort-friendly URI Reordering Transform of a URL as web
// archive indexes use it: "https://www.Example.org/a?b=1" → "org,example)/a?b=1".
func SURT(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return strings.ToLower(raw)
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	parts := strings.Split(host, ".")
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	s := strings.Join(parts, ",")
	if p := u.Port(); p != "" && !(u.Scheme == "http" && p == "80" || u.Scheme == "https" && p == "443") {
		s += ":" + p
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	s += ")" + strings.ToLower(p)
	if u.RawQuery != "" {
		q := strings.Split(u.RawQuery, "&")
		sort.Strings(q)
		s += "?" + strings.ToLower(strings.Join(q, "&"))
	}
	return s
}
