package evidence

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Limits of the reader, which sees untrusted files.
const (
	maxHeaderLine  = 64 << 10
	maxHeaderCount = 1000
	// MaxRecordBytes bounds one record's block held in memory.
	MaxRecordBytes = 1 << 30
)

// ErrMalformedWARC is returned (wrapped) for input that is not WARC.
var ErrMalformedWARC = errors.New("evidence: malformed warc")

// countingReader counts bytes consumed; it is an io.ByteReader so that gzip
// does not read ahead past a member's end.
type countingReader struct {
	r *bufio.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

// ReadRecords reads every record of a WARC file, gzipped (one member per
// record, or several records per member) or not, and calls fn for each.
// It stops at the first error from fn or from the input.
func ReadRecords(r io.Reader, fn func(Record) error) error {
	cr := &countingReader{r: bufio.NewReaderSize(r, 64<<10)}
	magic, err := cr.r.Peek(2)
	if err == io.EOF || len(magic) == 0 {
		return nil
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		return readGzip(cr, fn)
	}
	br := bufio.NewReaderSize(cr, 64<<10)
	for {
		start := cr.n - int64(br.Buffered())
		rec, err := readRecord(br)
		if err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		rec.Offset = start
		rec.Length = cr.n - int64(br.Buffered()) - start
		if err := fn(*rec); err != nil {
			return err
		}
	}
}

func readGzip(cr *countingReader, fn func(Record) error) error {
	zr := new(gzip.Reader)
	for {
		if _, err := cr.r.Peek(1); err == io.EOF {
			return nil
		}
		start := cr.n
		if err := zr.Reset(cr); err != nil {
			if err == io.EOF {
				return nil
			}
			return fmt.Errorf("%w: gzip member at %d: %v", ErrMalformedWARC, start, err)
		}
		zr.Multistream(false)
		br := bufio.NewReaderSize(zr, 64<<10)
		var recs []*Record
		for {
			rec, err := readRecord(br)
			if err == io.EOF {
				break
			} else if err != nil {
				return fmt.Errorf("%w (gzip member at %d)", err, start)
			}
			recs = append(recs, rec)
		}
		// Drain so the member's trailer is consumed and counted.
		if _, err := io.Copy(io.Discard, zr); err != nil {
			return fmt.Errorf("%w: gzip member at %d: %v", ErrMalformedWARC, start, err)
		}
		for _, rec := range recs {
			rec.Offset, rec.Length = start, cr.n-start
			if err := fn(*rec); err != nil {
				return err
			}
		}
	}
}

// readRecord reads one record; io.EOF means a clean end of input.
func readRecord(br *bufio.Reader) (*Record, error) {
	var line string
	for {
		l, err := readLine(br)
		if err == io.EOF && l == "" {
			return nil, io.EOF
		} else if err != nil && err != io.EOF {
			return nil, err
		}
		if l = strings.TrimRight(l, "\r\n"); l != "" {
			line = l
			break
		}
		if err == io.EOF {
			return nil, io.EOF
		}
	}
	if !strings.HasPrefix(line, "WARC/") {
		return nil, fmt.Errorf("%w: bad version line %.40q", ErrMalformedWARC, line)
	}
	rec := &Record{Version: line}
	for {
		l, err := readLine(br)
		if err != nil {
			return nil, fmt.Errorf("%w: header: %v", ErrMalformedWARC, err)
		}
		l = strings.TrimRight(l, "\r\n")
		if l == "" {
			break
		}
		if (l[0] == ' ' || l[0] == '\t') && len(rec.Header) > 0 {
			rec.Header[len(rec.Header)-1].Value += " " + strings.TrimSpace(l)
			continue
		}
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			return nil, fmt.Errorf("%w: header line %.40q", ErrMalformedWARC, l)
		}
		if len(rec.Header) >= maxHeaderCount {
			return nil, fmt.Errorf("%w: too many header fields", ErrMalformedWARC)
		}
		rec.Header = append(rec.Header, Field{strings.TrimSpace(name), strings.TrimSpace(value)})
	}
	n, err := strconv.ParseInt(rec.Header.Get("Content-Length"), 10, 64)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("%w: bad Content-Length %q", ErrMalformedWARC, rec.Header.Get("Content-Length"))
	}
	if n > MaxRecordBytes {
		return nil, fmt.Errorf("%w: record of %d bytes is over the limit", ErrMalformedWARC, n)
	}
	var block bytes.Buffer
	if got, err := io.CopyN(&block, br, n); err != nil {
		return nil, fmt.Errorf("%w: block: read %d of %d bytes: %v", ErrMalformedWARC, got, n, err)
	}
	rec.Block = block.Bytes()
	// Two CRLF end the record; be lenient about their exact form.
	for i := 0; i < 4; i++ {
		b, err := br.Peek(1)
		if err != nil || (b[0] != '\r' && b[0] != '\n') {
			break
		}
		br.ReadByte()
	}
	return rec, nil
}

func readLine(br *bufio.Reader) (string, error) {
	var sb strings.Builder
	for {
		chunk, isPrefix, err := br.ReadLine()
		sb.Write(chunk)
		if sb.Len() > maxHeaderLine {
			return "", fmt.Errorf("%w: line too long", ErrMalformedWARC)
		}
		if err != nil {
			if err == io.EOF && sb.Len() > 0 {
				return sb.String(), io.EOF
			}
			return sb.String(), err
		}
		if !isPrefix {
			return sb.String(), nil
		}
	}
}
