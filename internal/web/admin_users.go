package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/presswatch/presswatch/internal/domain"
	"github.com/presswatch/presswatch/internal/editorial"
)

// UsersView lists staff accounts with the form to add one. OneTime holds a
// new user's one-time password, shown once in the answer to the POST.
type UsersView struct {
	Page
	Users    []*domain.User
	Roles    []Option
	Form     userForm
	Problems map[string]string
	Created  *domain.User
	OneTime  string
}

// userForm is the posted "add a user" form.
type userForm struct {
	Email, Name, Role string
}

// Validate reports problems with the form's fields.
func (f userForm) Validate() map[string]string {
	u := domain.User{Email: f.Email, Name: f.Name, Role: f.Role}
	return domain.ErrorFields(u.Validate())
}

func (s *Server) handleAdminUsers(w http.ResponseWriter, r *http.Request) {
	s.renderUsers(w, r, http.StatusOK, userForm{Role: domain.RoleReviewer}, nil, nil, "")
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, status int, f userForm, problems map[string]string, created *domain.User, oneTime string) {
	users, err := s.opts.Service.ListUsers(r.Context(), userOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := UsersView{Page: s.page(r, "Users"), Users: users, Form: f, Problems: problems, Created: created, OneTime: oneTime,
		Roles: options(domain.Roles, nil, func(c string) string { return c })}
	v.Notice = notice(r)
	s.render(w, r, status, "admin_users", &v)
}

func (s *Server) handleAdminUserCreate(w http.ResponseWriter, r *http.Request) {
	f := userForm{Email: strings.TrimSpace(r.PostForm.Get("email")), Name: strings.TrimSpace(r.PostForm.Get("name")),
		Role: r.PostForm.Get("role")}
	if p := f.Validate(); len(p) > 0 {
		s.renderUsers(w, r, http.StatusBadRequest, f, p, nil, "")
		return
	}
	password := editorial.NewPassword()
	u, err := s.opts.Service.CreateUser(r.Context(), userOf(r), f.Email, f.Name, f.Role, password)
	switch domain.ErrorCode(err) {
	case "":
		// Shown once, in this answer; never stored in clear or sent again.
		s.renderUsers(w, r, http.StatusOK, userForm{Role: domain.RoleReviewer}, nil, u, password)
	case domain.EINVALID:
		s.renderUsers(w, r, http.StatusBadRequest, f, domain.ErrorFields(err), nil, "")
	case domain.ECONFLICT:
		s.renderUsers(w, r, http.StatusConflict, f, map[string]string{"email": domain.ErrorMessage(err)}, nil, "")
	default:
		s.fail(w, r, err)
	}
}

func (s *Server) handleAdminUserUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		s.notFound(w, r)
		return
	}
	role := r.PostForm.Get("role")
	if !domain.OneOf(role, domain.Roles) {
		s.fail(w, r, domain.InvalidFields(map[string]string{"role": "Choose admin, editor or reviewer."}))
		return
	}
	disabled := r.PostForm.Get("disabled") != ""
	if err := s.opts.Service.UpdateUser(r.Context(), userOf(r), id, role, disabled); err != nil {
		s.failObject(w, r, err)
		return
	}
	s.redirect(w, r, "/admin/users?ok=user")
}
