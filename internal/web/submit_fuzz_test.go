package web

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/presswatch/presswatch/internal/domain"
)

// fuzzIntake answers only MaxBytes: sourceForm needs nothing else of the
// intake service.
type fuzzIntake struct {
	Intake
	max int64
}

func (f fuzzIntake) MaxBytes() int64 { return f.max }

const fuzzToken = "tokentokentokentokentokentokentokentokento" + "k" // 43 characters, as randomToken makes

// FuzzSubmitMultipart feeds arbitrary multipart bodies to the streaming
// form reader of /submit: it must never panic, never accept a form whose
// first part is not the right token, keep each text field and the part
// count bounded, hand files over only after the token, and never let more
// than the body limit through.
func FuzzSubmitMultipart(f *testing.F) {
	for _, seed := range []string{
		"--B\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + fuzzToken + "\r\n--B\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nhello\r\n--B--\r\n",
		"--B\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + fuzzToken + "\r\n--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../etc/passwd\"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff\xe0data\r\n--B--\r\n",
		"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nfile before token\r\n--B\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + fuzzToken + "\r\n--B--\r\n",
		"--B\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nwrong\r\n--B--\r\n",
		"--B\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + fuzzToken + "\r\n--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\"\r\n\r\n\r\n--B--\r\n",
		"--B\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + fuzzToken + "\r\n--B\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''%E2%80%AEgpj.exe\r\n\r\nx\r\n--B",
		"--B\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + fuzzToken + "\r\n" + strings.Repeat("--B\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\ny\r\n", 45) + "--B--\r\n",
		"",
		"--B--\r\n",
	} {
		f.Add([]byte(seed))
	}
	const max = 4096
	s := &Server{opts: Options{Intake: fuzzIntake{max: max}}}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/submit", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=B")
		req.AddCookie(&http.Cookie{Name: s.sourceCSRFCookie(), Value: fuzzToken})
		started := false
		var fileBytes int64
		fields, err := s.sourceForm(httptest.NewRecorder(), req, nil, func() error { started = true; return nil },
			func(name, ctype string, r io.Reader) error {
				if !started {
					t.Fatal("a file was read before the token was checked")
				}
				n, err := io.Copy(io.Discard, r)
				fileBytes += n
				return err
			})
		if fileBytes > max+2<<20 {
			t.Fatalf("%d file bytes passed a limit of %d", fileBytes, max)
		}
		if err != nil {
			if !errors.Is(err, errCSRF) && domain.ErrorCode(err) == domain.EINTERNAL {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		if !started {
			t.Fatal("a form was accepted without its token")
		}
		n := 0
		for k, vs := range fields {
			if k == "csrf" {
				t.Fatal("the token was kept as a field")
			}
			for _, v := range vs {
				n++
				if len(v) > maxFieldBytes {
					t.Fatalf("field %q of %d bytes", k, len(v))
				}
			}
		}
		if n > 40 {
			t.Fatalf("%d fields accepted", n)
		}
	})
}
