package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/intake"
)

// SubmitView is the anonymous submission form.
type SubmitView struct {
	Page
	Form      intake.Content
	Problems  map[string]string
	Problem   string
	MaxMB     int64
	LoggedIn  bool
	FilesLost bool
}

func (s *Server) sourcePage(w http.ResponseWriter, r *http.Request, sess *intake.SourceSession, title string) Page {
	p := s.page(r, title)
	p.Staff, p.Admin = nil, false
	p.CSRF = s.sourceCSRF(w, r, sess)
	return p
}

func (s *Server) handleSubmitForm(w http.ResponseWriter, r *http.Request) {
	s.renderSubmit(w, r, http.StatusOK, s.sourceOf(r), intake.Content{}, nil, "", false)
}

func (s *Server) renderSubmit(w http.ResponseWriter, r *http.Request, status int, sess *intake.SourceSession, c intake.Content, problems map[string]string, problem string, filesLost bool) {
	l := s.cat.localizer(localeOf(r))
	for k, v := range problems {
		problems[k] = l.T(v)
	}
	v := SubmitView{Page: s.sourcePage(w, r, sess, l.T("submit.title")), Form: c, Problems: problems, Problem: problem,
		MaxMB: s.opts.Intake.MaxBytes() / 1_000_000, LoggedIn: sess != nil, FilesLost: filesLost}
	s.render(w, r, status, "submit_form", &v)
}

// maxFieldBytes bounds one text field of a multipart form.
const maxFieldBytes = intake.MaxTextBytes + 1

// sourceForm streams a submission form. The csrf field must come first
// (it is the first input of every form): the token is checked before any
// file is read. Files go to onFile as they arrive, never to a temp file;
// text fields are kept, bounded, in memory.
func (s *Server) sourceForm(w http.ResponseWriter, r *http.Request, sess *intake.SourceSession, start func() error, onFile func(name, ctype string, body io.Reader) error) (url.Values, error) {
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.Intake.MaxBytes()+2<<20)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		if err := r.ParseForm(); err != nil {
			return nil, bodyError(err)
		}
		if !s.checkSourceCSRF(r, sess, r.PostForm.Get("csrf")) {
			return nil, errCSRF
		}
		if err := start(); err != nil {
			return nil, err
		}
		return r.PostForm, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "The form could not be read.")
	}
	fields := url.Values{}
	first := true
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, bodyError(err)
		}
		if n > 40 {
			return nil, domain.Errorf(domain.EINVALID, "The form has too many parts.")
		}
		name := part.FormName()
		if first {
			first = false
			b, err := io.ReadAll(io.LimitReader(part, 100))
			if err != nil {
				return nil, bodyError(err)
			}
			if name != "csrf" || !s.checkSourceCSRF(r, sess, string(b)) {
				return nil, errCSRF
			}
			if err := start(); err != nil {
				return nil, err
			}
			continue
		}
		_, params, _ := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
		if fn, isFile := params["filename"]; isFile {
			if fn == "" {
				// An empty file input: browsers send an empty part.
				if _, err := io.Copy(io.Discard, io.LimitReader(part, 1<<10)); err != nil {
					return nil, bodyError(err)
				}
				continue
			}
			if err := onFile(fn, part.Header.Get("Content-Type"), part); err != nil {
				return nil, bodyError(err)
			}
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
		if err != nil {
			return nil, bodyError(err)
		}
		if len(b) > maxFieldBytes {
			return nil, domain.Errorf(domain.ETOOLARGE, "A text field is too long.")
		}
		fields.Add(name, string(b))
	}
	if first {
		return nil, errCSRF
	}
	return fields, nil
}

var errCSRF = errors.New("web: source form without a valid token")

func bodyError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return domain.Errorf(domain.ETOOLARGE, "The upload is too large.")
	}
	if domain.ErrorCode(err) != domain.EINTERNAL {
		return err
	}
	return domain.Errorf(domain.EINVALID, "The upload was interrupted.")
}

func contentOf(f url.Values) intake.Content {
	return intake.Content{Text: f.Get("text"), What: f.Get("what"), When: f.Get("when"), Where: f.Get("where"),
		Outlet: f.Get("outlet"), Category: f.Get("category"), Contact: f.Get("contact"),
		MayContact: f.Get("may_contact") == "1", MayPublishName: f.Get("may_publish_name") == "1"}
}

// handleSubmit receives a new report: files are sealed as they stream in.
// A new source gets a codename, shown once on the next page.
func (s *Server) handleSubmit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sess := s.sourceOf(r)
	var up *intake.Upload
	start := func() error {
		var err error
		up, err = s.opts.Intake.NewReport(ctx, sess)
		return err
	}
	fields, err := s.sourceForm(w, r, sess, start, func(name, ctype string, body io.Reader) error {
		return up.AddFile(ctx, name, ctype, body)
	})
	if err != nil {
		if up != nil {
			up.Abort(ctx)
		}
		s.sourceFail(w, r, sess, err)
		return
	}
	c := contentOf(fields)
	files := up.Files()
	if p := c.Validate(files); len(p) > 0 {
		up.Abort(ctx)
		s.renderSubmit(w, r, http.StatusBadRequest, sess, c, p, "", files > 0)
		return
	}
	res, err := up.Finish(ctx, c)
	if err != nil {
		s.sourceFail(w, r, sess, err)
		return
	}
	if res.Token != "" {
		s.setCookie(w, s.sourceCookie(), res.Token, 0)
		s.setCookie(w, s.sourceCSRFCookie(), "", -1)
		s.redirect(w, r, "/submit/codename")
		return
	}
	s.redirect(w, r, "/submit/reports?sent="+strconv.FormatInt(res.ReportID, 10))
}

// sourceFail answers a failed source request without logging anything
// about the request but its path.
func (s *Server) sourceFail(w http.ResponseWriter, r *http.Request, sess *intake.SourceSession, err error) {
	l := s.cat.localizer(localeOf(r))
	switch {
	case errors.Is(err, errCSRF):
		s.forbidden(w, r)
	case domain.IsCode(err, domain.ETOOLARGE):
		s.renderSubmit(w, r, http.StatusRequestEntityTooLarge, sess, intake.Content{}, nil, l.T("submit.problem.toolarge", s.opts.Intake.MaxBytes()/1_000_000), true)
	case domain.IsCode(err, domain.ETOOMANY):
		s.renderSubmit(w, r, http.StatusTooManyRequests, sess, intake.Content{}, nil, l.T("submit.problem.toomany"), true)
	case domain.IsCode(err, domain.EUNAVAILABLE):
		s.renderSubmit(w, r, http.StatusServiceUnavailable, sess, intake.Content{}, nil, l.T("submit.problem.closed"), false)
	case domain.IsCode(err, domain.EINVALID):
		s.renderSubmit(w, r, http.StatusBadRequest, sess, intake.Content{}, nil, domain.ErrorMessage(err), true)
	default:
		s.fail(w, r, err)
	}
}

// CodenameView shows a new source's codename, once.
type CodenameView struct {
	Page
	Codename string
}

func (s *Server) handleSubmitCodename(w http.ResponseWriter, r *http.Request) {
	sess := s.sourceOf(r)
	if sess == nil {
		s.redirect(w, r, "/submit/login")
		return
	}
	code := sess.TakeCodename()
	if code == "" {
		s.redirect(w, r, "/submit/reports")
		return
	}
	l := s.cat.localizer(localeOf(r))
	v := CodenameView{Page: s.sourcePage(w, r, sess, l.T("submit.codename.title")), Codename: code}
	s.render(w, r, http.StatusOK, "submit_codename", &v)
}
