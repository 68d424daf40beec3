package web

import (
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/presswatch/presswatch/internal/domain"
)

// attachmentHeaders make a browser save, never render, what a source sent.
func attachmentHeaders(w http.ResponseWriter, name string) {
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
}

func subID(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil && id > 0
}

// handleAdminIntakeAttachment decrypts an attachment as a download under
// its server-chosen name. A damaged file is cut short (the connection is
// aborted), never delivered as if complete.
func (s *Server) handleAdminIntakeAttachment(w http.ResponseWriter, r *http.Request) {
	id, ok1 := pathID(r)
	att, ok2 := subID(r, "att")
	if !ok1 || !ok2 {
		s.notFound(w, r)
		return
	}
	rc, av, err := s.opts.Intake.OpenAttachment(r.Context(), userOf(r), staffOf(r).sess.IDHash, id, att)
	if err != nil {
		if domain.IsCode(err, domain.EFORBIDDEN) && s.opts.Intake.Unlocked(staffOf(r).sess.IDHash, userOf(r)) == false {
			s.redirect(w, r, "/admin/intake")
			return
		}
		s.failObject(w, r, err)
		return
	}
	defer rc.Close()
	attachmentHeaders(w, av.Name)
	w.Header().Set("Content-Length", strconv.FormatInt(av.Size, 10))
	if _, err := io.Copy(w, rc); err != nil {
		s.log.Warn("web: intake attachment", "attachment", av.ID, "err", err)
		panic(http.ErrAbortHandler)
	}
}

// handleAdminIntakePublish makes a metadata-stripped copy of an
// attachment; other types only with the explicit confirmation box.
func (s *Server) handleAdminIntakePublish(w http.ResponseWriter, r *http.Request) {
	id, ok1 := pathID(r)
	att, ok2 := subID(r, "att")
	if !ok1 || !ok2 {
		s.notFound(w, r)
		return
	}
	confirm := r.PostForm.Get("confirm") == "1"
	if _, err := s.opts.Intake.PublishCopy(r.Context(), userOf(r), staffOf(r).sess.IDHash, id, att, confirm); err != nil {
		switch domain.ErrorCode(err) {
		case domain.EINVALID:
			s.renderIntakeShow(w, r, http.StatusBadRequest, domain.ErrorMessage(err)+" Tick the confirmation box only after checking the file yourself.")
		case domain.EFORBIDDEN:
			s.renderIntakeShow(w, r, http.StatusForbidden, "Unlock your key first.")
		default:
			s.failObject(w, r, err)
		}
		return
	}
	s.redirect(w, r, "/admin/intake/"+strconv.FormatInt(id, 10)+"?ok=publish")
}

// handleAdminIntakePublished downloads a published (stripped) copy.
func (s *Server) handleAdminIntakePublished(w http.ResponseWriter, r *http.Request) {
	id, ok1 := pathID(r)
	d, ok2 := subID(r, "d")
	if !ok1 || !ok2 {
		s.notFound(w, r)
		return
	}
	rc, dv, err := s.opts.Intake.OpenPublished(r.Context(), userOf(r), id, d)
	if err != nil {
		s.failObject(w, r, err)
		return
	}
	defer rc.Close()
	attachmentHeaders(w, "published-"+dv.PublishedSHA256[:16])
	if _, err := io.Copy(w, rc); err != nil {
		panic(http.ErrAbortHandler)
	}
}
