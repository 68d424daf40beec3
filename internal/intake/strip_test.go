package intake

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
)

var canaryRe = regexp.MustCompile(`CANARY[-A-Z0-9]*`)

// testImage is 8×4: left half red, right half blue.
func testImage() image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, 8, 4))
	for y := range 4 {
		for x := range 8 {
			c := color.NRGBA{R: 255, A: 255}
			if x >= 4 {
				c = color.NRGBA{B: 255, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	return img
}

// exifTIFF builds a big-endian TIFF/EXIF structure with Orientation,
// ImageDescription, and a GPS IFD holding GPSLatitudeRef, GPSLatitude and
// GPSMapDatum.
func exifTIFF(orientation int, canary string) []byte {
	be := binary.BigEndian
	desc := []byte(canary + "-DESC\x00")
	datum := []byte(canary + "-GPS\x00")
	const ifd0 = 8
	ifd0Len := 2 + 3*12 + 4
	descOff := ifd0 + ifd0Len
	gpsOff := descOff + len(desc)
	gpsLen := 2 + 3*12 + 4
	latOff := gpsOff + gpsLen
	datumOff := latOff + 24
	var t []byte
	t = append(t, "MM\x00\x2a"...)
	t = be.AppendUint32(t, ifd0)
	entry := func(tag, typ uint16, count, value uint32) {
		t = be.AppendUint16(t, tag)
		t = be.AppendUint16(t, typ)
		t = be.AppendUint32(t, count)
		t = be.AppendUint32(t, value)
	}
	t = be.AppendUint16(t, 3)
	entry(0x010E, 2, uint32(len(desc)), uint32(descOff))
	entry(0x0112, 3, 1, uint32(orientation)<<16) // SHORT, left-justified
	entry(0x8825, 4, 1, uint32(gpsOff))
	t = be.AppendUint32(t, 0)
	t = append(t, desc...)
	t = be.AppendUint16(t, 3)
	entry(0x0001, 2, 2, 'N'<<24)
	entry(0x0002, 5, 3, uint32(latOff))
	entry(0x0012, 2, uint32(len(datum)), uint32(datumOff))
	t = be.AppendUint32(t, 0)
	for _, v := range []uint32{33, 1, 41, 1, 2718, 100} { // 33° 41' 27.18"
		t = be.AppendUint32(t, v)
	}
	return append(t, datum...)
}

func jpegSegment(marker byte, payload []byte) []byte {
	s := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(s[2:], uint16(len(payload)+2))
	return append(s, payload...)
}

// MustJPEGWithMetadata returns a JPEG with EXIF (orientation 6, GPS), XMP,
// an ICC profile segment and a comment, each carrying a canary.
func MustJPEGWithMetadata(tb testing.TB) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, testImage(), &jpeg.Options{Quality: 95}); err != nil {
		tb.Fatal(err)
	}
	plain := buf.Bytes()
	out := append([]byte(nil), plain[:2]...) // SOI
	out = append(out, jpegSegment(0xE1, append([]byte("Exif\x00\x00"), exifTIFF(6, "CANARY-JPEG")...))...)
	out = append(out, jpegSegment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>CANARY-JPEG-XMP</x:xmpmeta>"))...)
	out = append(out, jpegSegment(0xE2, []byte("ICC_PROFILE\x00\x01\x01CANARY-JPEG-ICC"))...)
	out = append(out, jpegSegment(0xFE, []byte("CANARY-JPEG-COMMENT"))...)
	return append(out, plain[2:]...)
}

func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(append([]byte(typ), data...)))
}

// MustPNGWithMetadata returns a PNG with tEXt, iTXt, zTXt-free eXIf
// (orientation 6, GPS) and tIME chunks carrying canaries.
func MustPNGWithMetadata(tb testing.TB) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, testImage()); err != nil {
		tb.Fatal(err)
	}
	plain := buf.Bytes()
	const afterIHDR = 8 + 25
	out := append([]byte(nil), plain[:afterIHDR]...)
	out = append(out, pngChunk("tEXt", []byte("Author\x00CANARY-PNG-TEXT"))...)
	out = append(out, pngChunk("iTXt", []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00<x:xmpmeta>CANARY-PNG-XMP</x:xmpmeta>"))...)
	out = append(out, pngChunk("eXIf", exifTIFF(6, "CANARY-PNG"))...)
	out = append(out, pngChunk("tIME", []byte{0x07, 0xE8, 1, 2, 3, 4, 5})...)
	return append(out, plain[afterIHDR:]...)
}

// pdfWriter builds a PDF with a correct cross-reference table.
type pdfWriter struct {
	buf     bytes.Buffer
	offsets map[int]int
}

func newPDFWriter(version string) *pdfWriter {
	w := &pdfWriter{offsets: map[int]int{}}
	w.buf.WriteString("%PDF-" + version + "\n%\xe2\xe3\xcf\xd3\n")
	return w
}

func (w *pdfWriter) obj(num int, body string) {
	w.offsets[num] = w.buf.Len()
	fmt.Fprintf(&w.buf, "%d 0 obj\n%s\nendobj\n", num, body)
}

func (w *pdfWriter) stream(num int, dict string, data []byte) {
	w.obj(num, fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data))
}

// xref writes a table for the objects nums and a trailer.
func (w *pdfWriter) xref(nums []int, trailer string) (start int) {
	start = w.buf.Len()
	w.buf.WriteString("xref\n0 1\n0000000000 65535 f \n")
	for _, n := range nums {
		fmt.Fprintf(&w.buf, "%d 1\n%010d 00000 n \n", n, w.offsets[n])
	}
	fmt.Fprintf(&w.buf, "trailer\n%s\nstartxref\n%d\n%%%%EOF\n", trailer, start)
	return start
}

const pdfXMP = `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>CANARY-PDF-XMP</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`

func zlibBytes(b []byte) []byte {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(b)
	zw.Close()
	return z.Bytes()
}

// MustClassicPDF returns a PDF 1.4 with an Info dictionary, a document XMP
// stream, a compressed per-page XMP stream, /ID, and an incremental update
// that adds a second Info dictionary.
func MustClassicPDF(tb testing.TB) []byte {
	tb.Helper()
	w := newPDFWriter("1.4")
	w.obj(1, "<< /Type /Catalog /Pages 2 0 R /Metadata 4 0 R >>")
	w.obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	w.obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Metadata 6 0 R /Contents 8 0 R >>")
	w.stream(4, "/Type /Metadata /Subtype /XML", []byte(pdfXMP))
	w.obj(5, `<< /Author (CANARY-PDF-AUTHOR) /Creator (CANARY-PDF-CREATOR \(nested (parens)\) >>) /Producer <43414E4152592D5044462D48455850524F44> /CreationDate (D:20240101120000+05'00') >>`)
	w.stream(6, "/Type /Metadata /Subtype /XML /Filter /FlateDecode", zlibBytes([]byte(strings.ReplaceAll(pdfXMP, "CANARY-PDF-XMP", "CANARY-PDF-PAGE-XMP"))))
	w.stream(8, "", []byte("BT /F1 12 Tf 20 100 Td (visible text stays) Tj ET"))
	firstXref := w.xref([]int{1, 2, 3, 4, 5, 6, 8}, "<< /Size 9 /Root 1 0 R /Info 5 0 R /ID [<0123456789ABCDEF0123456789ABCDEF><FEDCBA9876543210FEDCBA9876543210>] >>")
	// Incremental update: a new Info object.
	w.obj(7, "<< /Title (CANARY-PDF-REV2-TITLE) /ModDate (D:20240202) >>")
	w.xref([]int{7}, fmt.Sprintf("<< /Size 9 /Root 1 0 R /Info 7 0 R /Prev %d /ID [<0123456789ABCDEF0123456789ABCDEF><AAAABBBBCCCCDDDDAAAABBBBCCCCDDDD>] >>", firstXref))
	return w.buf.Bytes()
}

// MustObjectStreamPDF returns a PDF 1.5 whose Info dictionary sits inside a
// compressed object stream, with a cross-reference stream.
func MustObjectStreamPDF(tb testing.TB) []byte {
	tb.Helper()
	w := newPDFWriter("1.5")
	w.obj(1, "<< /Type /Catalog /Pages 2 0 R /Metadata 4 0 R >>")
	w.obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	w.obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>")
	w.stream(4, "/Type /Metadata /Subtype /XML", []byte(pdfXMP))
	info := "<< /Author (CANARY-PDF-OBJSTM-AUTHOR) /Producer (CANARY-PDF-OBJSTM-PRODUCER) >>"
	header := "5 0 "
	w.stream(6, fmt.Sprintf("/Type /ObjStm /N 1 /First %d /Filter /FlateDecode", len(header)), zlibBytes([]byte(header+info)))
	// Cross-reference stream, /W [1 4 2], uncompressed.
	w.offsets[7] = w.buf.Len()
	var rows []byte
	row := func(typ byte, f2 uint32, f3 uint16) {
		rows = append(rows, typ)
		rows = binary.BigEndian.AppendUint32(rows, f2)
		rows = binary.BigEndian.AppendUint16(rows, f3)
	}
	row(0, 0, 65535)
	for n := 1; n <= 4; n++ {
		row(1, uint32(w.offsets[n]), 0)
	}
	row(2, 6, 0)
	row(1, uint32(w.offsets[6]), 0)
	row(1, uint32(w.offsets[7]), 0)
	fmt.Fprintf(&w.buf, "7 0 obj\n<< /Type /XRef /Size 8 /W [1 4 2] /Root 1 0 R /Info 5 0 R /ID [<0123456789ABCDEF0123456789ABCDEF><0123456789ABCDEF0123456789ABCDEF>] /Length %d >>\nstream\n", len(rows))
	w.buf.Write(rows)
	fmt.Fprintf(&w.buf, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", w.offsets[7])
	return w.buf.Bytes()
}

// inflateAll returns b followed by the inflated content of every stream
// that zlib can read, so canaries in compressed streams are found too.
func inflateAll(b []byte) []byte {
	out := bytes.Clone(b)
	for _, o := range scanPDFObjects(b) {
		if o.dataStart < 0 {
			continue
		}
		if zr, err := zlib.NewReader(bytes.NewReader(b[o.dataStart:o.dataEnd])); err == nil {
			var x bytes.Buffer
			x.ReadFrom(zr)
			out = append(out, x.Bytes()...)
		}
	}
	return out
}

func TestStripMetadata(t *testing.T) {
	webpFixture, err := os.ReadFile("testdata/gps.webp")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		in        []byte
		mediaType string
		outType   string
		canaries  int    // canaries the input carries (at least)
		wantSize  [2]int // width, height of the output image; zero for PDF
	}{
		{"jpeg exif gps xmp icc", MustJPEGWithMetadata(t), "image/jpeg", "image/jpeg", 5, [2]int{4, 8}},
		{"png text exif", MustPNGWithMetadata(t), "image/png; charset=binary", "image/png", 4, [2]int{4, 8}},
		{"webp exif xmp", webpFixture, "image/webp", "image/png", 3, [2]int{8, 4}},
		{"pdf classic incremental", MustClassicPDF(t), "application/pdf", "application/pdf", 5, [2]int{}},
		{"pdf object stream", MustObjectStreamPDF(t), "Application/PDF", "application/pdf", 1, [2]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.outType == "application/pdf" {
				MustQPDFCheck(t, tt.in, false) // the fixture itself is well formed
			}
			before := sha256.Sum256(tt.in)
			orig := bytes.Clone(tt.in)
			haystack := tt.in
			if tt.outType == "application/pdf" {
				haystack = inflateAll(tt.in)
			}
			if n := len(canaryRe.FindAll(haystack, -1)); n < tt.canaries {
				t.Fatalf("fixture carries %d canaries, want ≥ %d", n, tt.canaries)
			}
			out, outType, err := StripMetadata(bytes.NewReader(tt.in), tt.mediaType)
			if err != nil {
				t.Fatal(err)
			}
			if outType != tt.outType {
				t.Fatalf("outType = %q, want %q", outType, tt.outType)
			}
			if sha256.Sum256(tt.in) != before || !bytes.Equal(orig, tt.in) {
				t.Fatal("the original was modified")
			}
			check := out
			if outType == "application/pdf" {
				check = inflateAll(out)
			}
			if found := canaryRe.FindAll(check, -1); len(found) > 0 {
				t.Fatalf("stripped copy still has %q", found)
			}
			for _, s := range []string{"Exif", "http://ns.adobe.com", "ICC_PROFILE", "tEXt", "iTXt", "eXIf", "tIME", "/FlateDecode >>\nstream\n<", "D:2024"} {
				if bytes.Contains(out, []byte(s)) {
					t.Errorf("stripped copy contains %q", s)
				}
			}
			if tt.wantSize != [2]int{} {
				img, _, err := image.Decode(bytes.NewReader(out))
				if err != nil {
					t.Fatal(err)
				}
				b := img.Bounds()
				if b.Dx() != tt.wantSize[0] || b.Dy() != tt.wantSize[1] {
					t.Fatalf("size %dx%d, want %dx%d", b.Dx(), b.Dy(), tt.wantSize[0], tt.wantSize[1])
				}
				if tt.wantSize[0] < tt.wantSize[1] {
					// Rotated 90° clockwise: red (left) is now on top.
					if r, _, bl, _ := img.At(2, 1).RGBA(); r < 0xc000 || bl > 0x4000 {
						t.Errorf("top is not red after orientation: r=%x b=%x", r, bl)
					}
				}
				return
			}
			if len(out) != len(tt.in) {
				t.Fatalf("pdf length changed: %d → %d", len(tt.in), len(out))
			}
			if !bytes.Contains(out, []byte("(visible text stays)")) && tt.name == "pdf classic incremental" {
				t.Fatal("page content was touched")
			}
			MustQPDFCheck(t, out, true)
		})
	}
}

// MustQPDFCheck runs `qpdf --check` on a PDF when qpdf is installed
// (Debian package qpdf), proving the scrubbed file is still well formed and
// that qpdf's full parse finds no canary.
func MustQPDFCheck(tb testing.TB, pdf []byte, clean bool) {
	tb.Helper()
	qpdf, err := exec.LookPath("qpdf")
	if err != nil {
		tb.Log("qpdf not installed; structural check skipped")
		return
	}
	dir := tb.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		tb.Fatal(err)
	}
	if out, err := exec.Command(qpdf, "--check", in).CombinedOutput(); err != nil {
		tb.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	qdf := filepath.Join(dir, "qdf.pdf")
	if out, err := exec.Command(qpdf, "--qdf", "--object-streams=disable", in, qdf).CombinedOutput(); err != nil {
		tb.Fatalf("qpdf --qdf: %v\n%s", err, out)
	}
	expanded, err := os.ReadFile(qdf)
	if err != nil {
		tb.Fatal(err)
	}
	if found := canaryRe.FindAll(expanded, -1); clean && len(found) > 0 {
		tb.Fatalf("qpdf's expanded copy still has %q", found)
	}
}

func TestStripMetadataRefuses(t *testing.T) {
	encrypted := []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R /Encrypt 2 0 R >>\n%%EOF\n")
	tests := []struct {
		name, mediaType string
		in              []byte
		confirm         bool // wants ErrNeedsConfirmation
		code            string
	}{
		{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []byte("PK\x03\x04"), true, domain.EINVALID},
		{"svg", "image/svg+xml", []byte("<svg/>"), true, domain.EINVALID},
		{"empty type", "", nil, true, domain.EINVALID},
		{"encrypted pdf", "application/pdf", encrypted, true, domain.EINVALID},
		{"broken jpeg", "image/jpeg", []byte("\xff\xd8\xff\xe0garbage"), false, domain.EINVALID},
		{"png that is a jpeg", "image/png", MustJPEGWithMetadata(t), false, domain.EINVALID},
		{"not a pdf", "application/pdf", []byte("hello"), false, domain.EINVALID},
		{"pdf with missing info", "application/pdf", []byte("%PDF-1.4\ntrailer\n<< /Info 9 0 R >>\n"), true, domain.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := StripMetadata(bytes.NewReader(tt.in), tt.mediaType)
			if err == nil {
				t.Fatal("no error")
			}
			if errors.Is(err, ErrNeedsConfirmation) != tt.confirm || domain.ErrorCode(err) != tt.code {
				t.Fatalf("err = %v (code %s), want confirm=%v code=%s", err, domain.ErrorCode(err), tt.confirm, tt.code)
			}
		})
	}
}

func TestStripMetadataPixelBomb(t *testing.T) {
	// A PNG header announcing 100000×100000 pixels.
	ihdr := binary.BigEndian.AppendUint32(nil, 100000)
	ihdr = binary.BigEndian.AppendUint32(ihdr, 100000)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	bomb := append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
	bomb = append(bomb, pngChunk("IEND", nil)...)
	_, _, err := StripMetadata(bytes.NewReader(bomb), "image/png")
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(domain.ErrorMessage(err), "too large") {
		t.Fatalf("err = %v", err)
	}
}

func TestOrientation(t *testing.T) {
	for o := 1; o <= 8; o++ {
		jpg := append([]byte{0xFF, 0xD8}, jpegSegment(0xE1, append([]byte("Exif\x00\x00"), exifTIFF(o, "X")...))...)
		if got := jpegOrientation(jpg); got != o {
			t.Errorf("jpegOrientation = %d, want %d", got, o)
		}
		img := applyOrientation(testImage(), o)
		w, h := img.Bounds().Dx(), img.Bounds().Dy()
		if (o >= 5) != (w == 4 && h == 8) {
			t.Errorf("orientation %d: size %dx%d", o, w, h)
		}
	}
}

func BenchmarkStripJPEG(b *testing.B) {
	big := image.NewRGBA(image.Rect(0, 0, 2000, 1500))
	var buf bytes.Buffer
	jpeg.Encode(&buf, big, nil)
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := StripMetadata(bytes.NewReader(data), "image/jpeg"); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzStripMetadata(f *testing.F) {
	for _, seed := range [][]byte{MustJPEGWithMetadata(f), MustPNGWithMetadata(f), MustClassicPDF(f), MustObjectStreamPDF(f)} {
		f.Add(seed, uint8(0))
	}
	types := []string{"image/jpeg", "image/png", "image/webp", "application/pdf", "text/plain"}
	f.Fuzz(func(t *testing.T, data []byte, kind uint8) {
		mt := types[int(kind)%len(types)]
		if mt == "application/pdf" && !bytes.Contains(data[:min(len(data), 1024)], []byte("%PDF-")) {
			data = append([]byte("%PDF-1.4\n"), data...)
		}
		orig := bytes.Clone(data)
		out, outType, err := StripMetadata(bytes.NewReader(data), mt)
		if !bytes.Equal(orig, data) {
			t.Fatal("input modified")
		}
		if err != nil {
			if domain.ErrorCode(err) == domain.EINTERNAL {
				t.Fatalf("internal error: %v", err)
			}
			return
		}
		if outType == "application/pdf" && len(out) != len(data) {
			t.Fatalf("pdf length changed %d → %d", len(data), len(out))
		}
	})
}
