package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/stories"
)

// maxDepositField bounds one text field of the deposit form (the text of
// an investigation may be long; files are streamed, not buffered).
const maxDepositField = 8 << 20

var errDepositCSRF = errors.New("web: deposit without a valid CSRF token")

// readDeposit reads the deposit form. A multipart body is streamed: the
// first part must be the CSRF token (checked before anything else is
// read), text fields come next, and each file goes straight into the
// sealed stream (stories.DepositWriter) — no plaintext reaches a disk.
// The whole body is limited to the deposit limit plus the form's texts.
// A urlencoded form (no files) is accepted too. dw is nil until a file
// arrives.
func (s *Server) readDeposit(w http.ResponseWriter, r *http.Request) (url.Values, *stories.DepositWriter, error) {
	r.Body = http.MaxBytesReader(w, r.Body, stories.MaxDepositBytes+2*maxDepositField)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		if err := r.ParseForm(); err != nil {
			return nil, nil, bodyError(err)
		}
		if !s.validCSRF(r, r.PostForm.Get("csrf")) {
			return nil, nil, errDepositCSRF
		}
		return r.PostForm, nil, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, domain.Errorf(domain.EINVALID, "The form could not be read.")
	}
	fields := url.Values{}
	var dw *stories.DepositWriter
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, nil, bodyError(err)
		}
		if n > 200 {
			return nil, nil, domain.Errorf(domain.EINVALID, "The form has too many parts.")
		}
		name := part.FormName()
		if n == 0 {
			b, err := io.ReadAll(io.LimitReader(part, 200))
			if err != nil {
				return nil, nil, bodyError(err)
			}
			if name != "csrf" || !s.validCSRF(r, string(b)) {
				return nil, nil, errDepositCSRF
			}
			continue
		}
		_, params, _ := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
		if fn, isFile := params["filename"]; isFile {
			if fn == "" { // an empty file input
				if _, err := io.Copy(io.Discard, io.LimitReader(part, 1<<10)); err != nil {
					return nil, nil, bodyError(err)
				}
				continue
			}
			if dw == nil {
				if dw, err = stories.NewDepositWriter(fields.Get("title"), fields.Get("byline"), fields.Get("text")); err != nil {
					return nil, nil, err
				}
			}
			if err := dw.AddFile(fn, part.Header.Get("Content-Type"), part); err != nil {
				return nil, nil, bodyError(err)
			}
			continue
		}
		if dw != nil && (name == "title" || name == "byline" || name == "text") {
			return nil, nil, domain.Errorf(domain.EINVALID, "The form's texts must come before its files.")
		}
		b, err := io.ReadAll(io.LimitReader(part, maxDepositField+1))
		if err != nil {
			return nil, nil, bodyError(err)
		}
		if len(b) > maxDepositField {
			return nil, nil, domain.Errorf(domain.ETOOLARGE, "A text field is too long.")
		}
		fields.Add(name, string(b))
	}
	if n := len(fields); n == 0 && dw == nil {
		return nil, nil, errDepositCSRF
	}
	return fields, dw, nil
}
