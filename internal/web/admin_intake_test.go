package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/presswatch/presswatch/internal/intake"
)

// jpegWithMetadata is a small JPEG carrying a comment and an XMP packet
// with location canaries (the stripped copy must hold neither).
func jpegWithMetadata(tb testing.TB) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for x := 0; x < 32; x++ {
		for y := 0; y < 24; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 8), uint8(y * 10), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		tb.Fatal(err)
	}
	seg := func(marker byte, payload string) []byte {
		n := len(payload) + 2
		return append([]byte{0xFF, marker, byte(n >> 8), byte(n)}, payload...)
	}
	b := buf.Bytes()
	out := append([]byte{}, b[:2]...) // SOI
	out = append(out, seg(0xE1, "http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><exif:GPSLatitude>GPSCANARY-33.6844</exif:GPSLatitude></x:xmpmeta>")...)
	out = append(out, seg(0xFE, "COMMENTCANARY taken at the reporter's home")...)
	return append(out, b[2:]...)
}

// checkedFacts returns the facts a browser would send from the convert
// form as it comes: the boxes ticked by default.
func checkedFacts(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<input type="checkbox" name="fact" value="([a-z_]+)"( checked)?>`).FindAllStringSubmatch(body, -1) {
		if m[2] != "" {
			out = append(out, m[1])
		}
	}
	return out
}

// The editors' side over HTTP: convert a report into a draft incident with
// the facts as ticked by default (never the contact), publish a stripped
// copy, re-wrap for an editor who joined later, download an export and
// open it with an editor's key.
func TestAdminIntakeConvertPublishRewrapExport(t *testing.T) {
	if testing.Short() {
		t.Skip("Argon2id and scrypt derivations")
	}
	ctx := context.Background()
	ie := MustIntakeEnv(t, intake.Options{})
	jpg := jpegWithMetadata(t)
	src := ie.client()
	csrf := src.token("/submit")
	r := src.postMultipart("/submit", csrf, url.Values{"text": {"The cable operator dropped our channel"}, "what": {"Channel taken off air"},
		"where": {"Lahore"}, "outlet": {"City TV"}, "contact": {"CONTACTCANARY signal +92"}, "may_publish_name": {"1"}},
		[]filePart{{"IMG_2041.jpg", bytes.NewReader(jpg)}, {"notes.txt", strings.NewReader("plain notes")}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", r.status, excerpt(r.body))
	}
	reports, _ := ie.db.ListReports(ctx, intakeFilterAll)
	id := reports[0].ID
	path := "/admin/intake/" + id64(id)

	ed := ie.client()
	ed.login("editor")
	// Locked: the convert form sends the editor to unlock first.
	if r := ed.get(path + "/convert"); r.status != http.StatusSeeOther {
		t.Fatalf("convert form while locked: %d", r.status)
	}
	if r := ed.submit("/admin/intake", "/admin/intake/unlock", url.Values{"password": {testPassword}}); r.status != http.StatusSeeOther {
		t.Fatalf("unlock: %d", r.status)
	}

	// Publish a stripped copy of the JPEG; the text file needs the box.
	atts, _ := ie.db.Attachments(ctx, id)
	if len(atts) != 2 {
		t.Fatalf("%d attachments", len(atts))
	}
	jpgAtt, txtAtt := atts[0], atts[1]
	if r := ed.submit(path, path+"/attachments/"+id64(jpgAtt.ID)+"/publish", nil); r.status != http.StatusSeeOther {
		t.Fatalf("publish jpeg: %d %s", r.status, excerpt(r.body))
	}
	if r := ed.submit(path, path+"/attachments/"+id64(txtAtt.ID)+"/publish", nil); r.status != http.StatusBadRequest {
		t.Fatalf("publish text without confirmation: %d", r.status)
	}
	if r := ed.submit(path, path+"/attachments/"+id64(txtAtt.ID)+"/publish", url.Values{"confirm": {"1"}}); r.status != http.StatusSeeOther {
		t.Fatalf("publish text with confirmation: %d", r.status)
	}
	page := ed.get(path)
	links := regexp.MustCompile(`href="(/admin/intake/[0-9]+/published/[0-9]+)"`).FindAllStringSubmatch(page.body, -1)
	if len(links) != 2 {
		t.Fatalf("%d published copies listed", len(links))
	}
	sum := sha256.Sum256(jpg)
	if !strings.Contains(page.body, hex.EncodeToString(sum[:])) || !strings.Contains(page.body, "(unstripped, confirmed)") {
		t.Fatalf("derivation records: %s", excerpt(page.body))
	}
	pub := ed.get(links[0][1])
	if pub.status != 200 || !strings.HasPrefix(pub.header.Get("Content-Disposition"), "attachment;") || pub.header.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("published download: %d %v", pub.status, pub.header)
	}
	if strings.Contains(pub.body, "GPSCANARY") || strings.Contains(pub.body, "COMMENTCANARY") || !strings.HasPrefix(pub.body, "\xff\xd8") {
		t.Fatal("the published copy keeps metadata or is not a JPEG")
	}
	if orig := ed.get(path + "/attachments/" + id64(jpgAtt.ID)); orig.body != string(jpg) {
		t.Fatal("the sealed original changed")
	}

	// Convert with the default ticks: message and hints go over, the
	// contact and the name consent do not.
	form := ed.get(path + "/convert")
	if form.status != 200 || !strings.Contains(form.body, "CONTACTCANARY") {
		t.Fatalf("convert form: %d %s", form.status, excerpt(form.body))
	}
	facts := checkedFacts(form.body)
	for _, f := range facts {
		if f == "contact" || f == "may_publish_name" {
			t.Fatalf("%s ticked by default: %v", f, facts)
		}
	}
	if len(facts) < 4 {
		t.Fatalf("default facts %v", facts)
	}
	// A bad country is re-rendered with the field's message.
	bad := ed.submit(path+"/convert", path+"/convert", url.Values{"title": {"Channel taken off air"}, "country": {"XX1"}, "category": {"broadcast_ban_off_air"}, "fact": facts})
	if bad.status != http.StatusBadRequest || !strings.Contains(bad.body, "has-error") {
		t.Fatalf("bad country: %d %s", bad.status, excerpt(bad.body))
	}
	conv := ed.submit(path+"/convert", path+"/convert", url.Values{"title": {"Channel taken off air"}, "country": {"PK"}, "category": {"broadcast_ban_off_air"}, "fact": facts})
	if conv.status != http.StatusSeeOther || !strings.HasPrefix(conv.header.Get("Location"), "/admin/incidents/") {
		t.Fatalf("convert: %d %s", conv.status, excerpt(conv.body))
	}
	incID, _ := strconv.ParseInt(strings.TrimPrefix(conv.header.Get("Location"), "/admin/incidents/"), 10, 64)
	inc, err := ie.env.svc.FindIncident(ctx, ie.users["editor"].u, incID)
	if err != nil {
		t.Fatal(err)
	}
	draft := inc.Title + "\n" + inc.Summary + "\n" + inc.Body
	if inc.Publication != "draft" || !strings.Contains(draft, "The cable operator dropped our channel") || !strings.Contains(draft, "City TV") || !strings.Contains(draft, "Lahore") {
		t.Fatalf("draft incident: %s %q", inc.Publication, draft)
	}
	if strings.Contains(draft, "CONTACTCANARY") || strings.Contains(draft, "name may be published") {
		t.Fatalf("the draft incident carries the contact details or the name consent: %q", draft)
	}
	if rep, _ := ie.db.FindReport(ctx, id); rep.Status != "converted" || rep.IncidentID == 0 {
		t.Fatalf("report after conversion: %+v", rep)
	}

	// An editor who joins later sees nothing until an admin re-wraps.
	late := ie.mustUser("late", "editor")
	if err := ie.svc.EnsureEditorKey(ctx, late.u, "", testPassword); err != nil {
		t.Fatal(err)
	}
	lc := ie.client()
	lc.login("late")
	lc.submit("/admin/intake", "/admin/intake/unlock", url.Values{"password": {testPassword}})
	if r := lc.get(path); !strings.Contains(r.body, "not sealed to your key") || strings.Contains(r.body, "cable operator") {
		t.Fatalf("late editor before re-wrap: %s", excerpt(r.body))
	}
	if r := ed.submit("/admin/intake", "/admin/intake/rewrap", nil); r.status != http.StatusForbidden && r.status != http.StatusNotFound {
		t.Fatalf("an editor re-wraps: %d", r.status)
	}
	admin := ie.client()
	admin.login("admin")
	admin.submit("/admin/intake", "/admin/intake/unlock", url.Values{"password": {testPassword}})
	if r := admin.submit("/admin/intake", "/admin/intake/rewrap", nil); r.status != http.StatusSeeOther {
		t.Fatalf("re-wrap: %d %s", r.status, excerpt(r.body))
	}
	if r := lc.get(path); !strings.Contains(r.body, "The cable operator dropped our channel") {
		t.Fatalf("late editor after re-wrap: %s", excerpt(r.body))
	}

	// The export is sealed data only; an editor's own key opens it.
	if r := ed.get("/admin/intake/export"); r.status != http.StatusForbidden && r.status != http.StatusNotFound {
		t.Fatalf("an editor downloads the export: %d", r.status)
	}
	exp := admin.get("/admin/intake/export")
	if exp.status != 200 || !strings.HasPrefix(exp.header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("export: %d %v", exp.status, exp.header)
	}
	for _, c := range []string{"cable operator", "CONTACTCANARY", "IMG_2041", "plain notes"} {
		if strings.Contains(exp.body, c) {
			t.Fatalf("plaintext %q in the export", c)
		}
	}
	k, err := ie.db.EditorKey(ctx, late.u.ID)
	if err != nil {
		t.Fatal(err)
	}
	idn, err := intake.UnlockEditorKey(k.Wrapped, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if opened, _, err := intake.DecryptExport(strings.NewReader(exp.body), out, idn); err != nil || opened != 1 {
		t.Fatalf("decrypt the export: %d %v", opened, err)
	}
	got, _ := filepath.Glob(filepath.Join(out, "report-*", "attachment-*IMG_2041.jpg"))
	if len(got) != 1 {
		t.Fatalf("decrypted files %v", got)
	}
	if b, _ := os.ReadFile(got[0]); !bytes.Equal(b, jpg) {
		t.Fatal("the decrypted original differs")
	}
}
