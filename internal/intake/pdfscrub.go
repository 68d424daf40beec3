package intake

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"regexp"
	"strconv"

	"github.com/presswatch/presswatch/internal/domain"
)

// scrubPDF removes identifying metadata from a PDF without re-serialising
// it: every change overwrites bytes in place with bytes of the same length,
// so the cross-reference offsets stay valid and the document cannot be
// broken by a rewrite. It removes
//
//   - the document information dictionary of every revision (the objects
//     named by /Info in each trailer and cross-reference stream): the whole
//     dictionary becomes "<<" + spaces + ">>", also when it sits inside a
//     Flate-compressed object stream (recompressed in place);
//   - every XMP metadata stream (/Type /Metadata or /Subtype /XML), document
//     or per-object: data overwritten, /Filter and /DecodeParms dropped;
//   - the /ID file identifiers, which can link the copy to the original
//     file: their hex digits become zeros.
//
// Encrypted PDFs are refused with ErrNeedsConfirmation. The original bytes
// are not modified.
func scrubPDF(in []byte) ([]byte, error) {
	head := in[:min(len(in), 1024)]
	if !bytes.Contains(head, []byte("%PDF-")) {
		return nil, invalidPDF("no %PDF header")
	}
	b := bytes.Clone(in)
	objs := scanPDFObjects(b)

	infoNums := map[int]bool{}
	// Classic trailers.
	for _, m := range trailerRe.FindAllIndex(b, -1) {
		start := skipPDFSpace(b, m[1])
		end, ok := matchPDFDict(b, start)
		if !ok {
			continue
		}
		if err := scrubTrailerDict(b[start:end], infoNums); err != nil {
			return nil, err
		}
	}
	// Cross-reference streams carry the trailer keys in their dictionary.
	for _, o := range objs {
		if o.dictStart >= 0 && o.dataStart >= 0 && xrefTypeRe.Match(b[o.dictStart:o.dictEnd]) {
			if err := scrubTrailerDict(b[o.dictStart:o.dictEnd], infoNums); err != nil {
				return nil, err
			}
		}
	}

	blanked := map[int]bool{}
	for _, o := range objs {
		if o.dictStart < 0 {
			continue
		}
		dict := b[o.dictStart:o.dictEnd]
		switch {
		case infoNums[o.num] && o.dataStart < 0:
			blankPDFDict(dict)
			blanked[o.num] = true
		case o.dataStart >= 0 && (metadataTypeRe.Match(dict) || xmlSubtypeRe.Match(dict)):
			fill(b[o.dataStart:o.dataEnd], ' ')
			blankPDFEntries(dict, filterKeyRe)
			blankPDFEntries(dict, decodeParmsKeyRe)
		case o.dataStart >= 0 && objStmTypeRe.Match(dict) && len(infoNums) > 0:
			if err := scrubObjectStream(b, o, infoNums, blanked); err != nil {
				return nil, err
			}
		}
	}
	for n := range infoNums {
		if !blanked[n] {
			// The Info object is missing or inside a stream we cannot edit.
			return nil, fmt.Errorf("intake: strip pdf: info object %d not found: %w: %w", n, ErrNeedsConfirmation,
				domain.Errorf(domain.EINVALID, "This PDF could not be cleaned of metadata automatically; publish only after checking it and confirming."))
		}
	}
	return b, nil
}

func invalidPDF(why string) error {
	return fmt.Errorf("intake: strip pdf: %s: %w", why, domain.Errorf(domain.EINVALID, "The file is not a PDF that can be cleaned."))
}

var (
	objHeaderRe      = regexp.MustCompile(`(\d{1,10})\s+(\d{1,5})\s+obj\b`)
	trailerRe        = regexp.MustCompile(`trailer\b`)
	infoRefRe        = regexp.MustCompile(`/Info\s*(\d{1,10})\s+\d{1,5}\s+R`)
	infoDirectRe     = regexp.MustCompile(`/Info\s*<<`)
	encryptRe        = regexp.MustCompile(`/Encrypt\b`)
	idKeyRe          = regexp.MustCompile(`/ID\s*\[`)
	xrefTypeRe       = regexp.MustCompile(`/Type\s*/XRef\b`)
	metadataTypeRe   = regexp.MustCompile(`/Type\s*/Metadata\b`)
	xmlSubtypeRe     = regexp.MustCompile(`/Subtype\s*/XML\b`)
	objStmTypeRe     = regexp.MustCompile(`/Type\s*/ObjStm\b`)
	flateOnlyRe      = regexp.MustCompile(`/Filter\s*(/FlateDecode|\[\s*/FlateDecode\s*\])`)
	filterKeyRe      = regexp.MustCompile(`/Filter\b`)
	decodeParmsKeyRe = regexp.MustCompile(`/DecodeParms\b`)
	lengthRe         = regexp.MustCompile(`/Length\s+(\d{1,12})\b(\s+\d+\s+R)?`)
	firstRe          = regexp.MustCompile(`/First\s+(\d{1,10})\b`)
	nRe              = regexp.MustCompile(`/N\s+(\d{1,10})\b`)
)

// pdfObject locates one top-level indirect object. dictStart/dictEnd bound
// its dictionary ("<<"…">>") or are -1; dataStart/dataEnd bound its stream
// data or are -1.
type pdfObject struct {
	num                int
	dictStart, dictEnd int
	dataStart, dataEnd int
}

// scanPDFObjects walks the file from the start, skipping over stream data so
// that byte patterns inside binary streams are not mistaken for objects.
func scanPDFObjects(b []byte) []pdfObject {
	var objs []pdfObject
	pos := 0
	for pos < len(b) {
		loc := objHeaderRe.FindSubmatchIndex(b[pos:])
		if loc == nil {
			break
		}
		num, _ := strconv.Atoi(string(b[pos+loc[2] : pos+loc[3]]))
		o := pdfObject{num: num, dictStart: -1, dictEnd: -1, dataStart: -1, dataEnd: -1}
		i := skipPDFSpace(b, pos+loc[1])
		next := pos + loc[1]
		if end, ok := matchPDFDict(b, i); ok {
			o.dictStart, o.dictEnd = i, end
			next = end
			j := skipPDFSpace(b, end)
			if bytes.HasPrefix(b[j:], []byte("stream")) {
				ds := j + len("stream")
				if ds < len(b) && b[ds] == '\r' {
					ds++
				}
				if ds < len(b) && b[ds] == '\n' {
					ds++
				}
				de := -1
				if m := lengthRe.FindSubmatch(b[o.dictStart:o.dictEnd]); m != nil && m[2] == nil {
					if n, err := strconv.Atoi(string(m[1])); err == nil && n >= 0 && ds+n <= len(b) &&
						bytes.HasPrefix(bytes.TrimLeft(b[ds+n:], "\r\n \t"), []byte("endstream")) {
						de = ds + n
					}
				}
				if de < 0 { // indirect or wrong /Length: find the keyword
					k := bytes.Index(b[ds:], []byte("endstream"))
					if k < 0 {
						k = len(b) - ds
					}
					de = ds + k
					for de > ds && (b[de-1] == '\n' || b[de-1] == '\r') {
						de--
					}
				}
				o.dataStart, o.dataEnd = ds, de
				next = de
			}
		}
		objs = append(objs, o)
		if next <= pos {
			next = pos + 1
		}
		pos = next
	}
	return objs
}

// scrubTrailerDict records /Info references, blanks a direct /Info
// dictionary and the /ID identifiers, and refuses encrypted files.
func scrubTrailerDict(d []byte, infoNums map[int]bool) error {
	if encryptRe.Match(d) {
		return fmt.Errorf("intake: strip pdf: encrypted: %w: %w", ErrNeedsConfirmation,
			domain.Errorf(domain.EINVALID, "Encrypted PDFs cannot be cleaned of metadata automatically; publish only after checking it and confirming."))
	}
	for _, m := range infoRefRe.FindAllSubmatch(d, -1) {
		if n, err := strconv.Atoi(string(m[1])); err == nil {
			infoNums[n] = true
		}
	}
	for _, loc := range infoDirectRe.FindAllIndex(d, -1) {
		if end, ok := matchPDFDict(d, loc[1]-2); ok {
			blankPDFDict(d[loc[1]-2 : end])
		}
	}
	for _, loc := range idKeyRe.FindAllIndex(d, -1) {
		for i := loc[1]; i < len(d) && d[i] != ']'; i++ {
			if isHexDigit(d[i]) {
				d[i] = '0'
			}
		}
	}
	return nil
}

// scrubObjectStream blanks Info dictionaries stored inside a compressed
// object stream, recompressing it into the same space.
func scrubObjectStream(b []byte, o pdfObject, infoNums, blanked map[int]bool) error {
	dict := b[o.dictStart:o.dictEnd]
	data := b[o.dataStart:o.dataEnd]
	if !flateOnlyRe.Match(dict) || decodeParmsKeyRe.Match(dict) {
		return nil // not a plain Flate stream: we cannot edit it, but it may hold no Info
	}
	zr, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil
	}
	plain, err := io.ReadAll(io.LimitReader(zr, 64<<20))
	if err != nil && len(plain) == 0 {
		return nil
	}
	fmatch, nmatch := firstRe.FindSubmatch(dict), nRe.FindSubmatch(dict)
	if fmatch == nil || nmatch == nil {
		return nil
	}
	first, _ := strconv.Atoi(string(fmatch[1]))
	n, _ := strconv.Atoi(string(nmatch[1]))
	if first > len(plain) {
		return nil
	}
	fields := bytes.Fields(plain[:first])
	changed := false
	for k := 0; k+1 < len(fields) && k/2 < n; k += 2 {
		num, err1 := strconv.Atoi(string(fields[k]))
		off, err2 := strconv.Atoi(string(fields[k+1]))
		if err1 != nil || err2 != nil || !infoNums[num] || first+off >= len(plain) || off < 0 {
			continue
		}
		start := skipPDFSpace(plain, first+off)
		if end, ok := matchPDFDict(plain, start); ok {
			blankPDFDict(plain[start:end])
			blanked[num] = true
			changed = true
		}
	}
	if !changed {
		return nil
	}
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zw.Write(plain)
	zw.Close()
	lm := lengthRe.FindSubmatchIndex(dict)
	if z.Len() > len(data) || lm == nil || lm[4] >= 0 || len(strconv.Itoa(z.Len())) > lm[3]-lm[2] {
		return fmt.Errorf("intake: strip pdf: object stream %d: %w: %w", o.num, ErrNeedsConfirmation,
			domain.Errorf(domain.EINVALID, "This PDF could not be cleaned of metadata automatically; publish only after checking it and confirming."))
	}
	copy(data, z.Bytes())
	fill(data[z.Len():], '\n')
	digits := fmt.Sprintf("%0*d", lm[3]-lm[2], z.Len())
	copy(dict[lm[2]:lm[3]], digits)
	return nil
}

// blankPDFDict overwrites everything between "<<" and ">>" with spaces.
func blankPDFDict(d []byte) {
	if len(d) >= 4 {
		fill(d[2:len(d)-2], ' ')
	}
}

// blankPDFEntries overwrites the key matched by re and its value (a name,
// an array or a dictionary) with spaces.
func blankPDFEntries(d []byte, re *regexp.Regexp) {
	for _, loc := range re.FindAllIndex(d, -1) {
		end := pdfValueEnd(d, skipPDFSpace(d, loc[1]))
		fill(d[loc[0]:end], ' ')
	}
}

// pdfValueEnd returns the end of the value that starts at i.
func pdfValueEnd(d []byte, i int) int {
	if i >= len(d) {
		return len(d)
	}
	switch {
	case bytes.HasPrefix(d[i:], []byte("<<")):
		if end, ok := matchPDFDict(d, i); ok {
			return end
		}
	case d[i] == '[':
		depth := 0
		for j := i; j < len(d); j++ {
			switch d[j] {
			case '[':
				depth++
			case ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
	case d[i] == '/':
		j := i + 1
		for j < len(d) && !isPDFDelimiter(d[j]) && !isPDFSpace(d[j]) {
			j++
		}
		return j
	}
	return len(d) - 2 // stop before the closing ">>"
}

// matchPDFDict returns the end (after ">>") of the dictionary starting at
// i, honouring nested dictionaries, literal strings (with escapes and
// nested parentheses), hex strings and comments.
func matchPDFDict(b []byte, i int) (int, bool) {
	if i < 0 || !bytes.HasPrefix(b[i:], []byte("<<")) {
		return 0, false
	}
	depth := 0
	for j := i; j < len(b); {
		switch c := b[j]; {
		case c == '<' && j+1 < len(b) && b[j+1] == '<':
			depth++
			j += 2
		case c == '>' && j+1 < len(b) && b[j+1] == '>':
			depth--
			j += 2
			if depth == 0 {
				return j, true
			}
		case c == '<': // hex string
			k := bytes.IndexByte(b[j:], '>')
			if k < 0 {
				return 0, false
			}
			j += k + 1
		case c == '(':
			nest := 0
			for ; j < len(b); j++ {
				if b[j] == '\\' {
					j++
					continue
				}
				if b[j] == '(' {
					nest++
				} else if b[j] == ')' {
					nest--
					if nest == 0 {
						break
					}
				}
			}
			j++
		case c == '%':
			for j < len(b) && b[j] != '\n' && b[j] != '\r' {
				j++
			}
		default:
			j++
		}
	}
	return 0, false
}

func skipPDFSpace(b []byte, i int) int {
	for i < len(b) && isPDFSpace(b[i]) {
		i++
	}
	return i
}

func isPDFSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func isPDFDelimiter(c byte) bool {
	return bytes.IndexByte([]byte("()<>[]{}/%"), c) >= 0
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func fill(b []byte, c byte) {
	for i := range b {
		b[i] = c
	}
}
