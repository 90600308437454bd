package admin

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/ids"
)

// The users pages: admins list the firm's accounts, add one (with a
// one-time password shown once, or a password they set), change a role or
// the mailboxes a user reviews, unlock, disable and enable, and reset a
// password. Every change is audited by catalog with the admin as actor and
// the client's address.

func (s *Server) usersRoutes() {
	admin := s.requireRole(catalog.RoleAdmin)
	s.mux.Handle("GET /users", admin(s.usersList))
	s.mux.Handle("POST /users", admin(s.userCreate))
	s.mux.Handle("GET /users/{id}", admin(s.userEdit))
	s.mux.Handle("POST /users/{id}", admin(s.userSave))
	s.mux.Handle("POST /users/{id}/unlock", admin(s.userUnlock))
	s.mux.Handle("POST /users/{id}/disable", admin(s.userDisable(true)))
	s.mux.Handle("POST /users/{id}/enable", admin(s.userDisable(false)))
	s.mux.Handle("POST /users/{id}/password", admin(s.userResetPassword))
	s.addNav("Users", "/users", catalog.RoleAdmin)
}

// usersPage is the data of templates/users.html.
type usersPage struct {
	Users     []userRow
	Mailboxes []catalog.Mailbox
	Form      newUserForm
	Error     string
	// OneTime is shown once, after an account was made or reset.
	OneTime *oneTimePassword
}

type userRow struct {
	catalog.User
	Status string
	Locked bool
}

type newUserForm struct {
	Email, Name string
	Role        catalog.Role
	SetPassword bool
	Mailboxes   []string
}

type oneTimePassword struct{ Email, Password string }

// notices are the confirmations a redirect after an action may show; the
// query names one, so no text of the user's travels in a URL.
var notices = map[string]string{
	"saved":    "Changes saved.",
	"unlocked": "Account unlocked.",
	"disabled": "Account disabled; its sessions have ended.",
	"enabled":  "Account enabled.",
	"password": "Password changed.",
}

func notice(r *http.Request) string { return notices[r.URL.Query().Get("done")] }

func (s *Server) usersList(w http.ResponseWriter, r *http.Request) {
	s.renderUsers(w, r, http.StatusOK, usersPage{Form: newUserForm{Role: catalog.RoleParalegal}}, notice(r))
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, status int, p usersPage, note string) {
	v := viewerFrom(r.Context())
	users, err := v.Tenant.Users(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.now()
	for _, u := range users {
		p.Users = append(p.Users, userRow{User: u, Status: userStatus(u, now), Locked: u.Locked(now) || u.Failed > 0})
	}
	if p.Mailboxes, err = v.Tenant.Mailboxes(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "users", note, p)
}

// userStatus is an account's state in a few words.
func userStatus(u catalog.User, now time.Time) string {
	switch {
	case u.Disabled:
		return "disabled"
	case u.Locked(now):
		return "locked until " + u.LockedUntil.UTC().Format("15:04 UTC")
	case u.MustChangePassword:
		return "one-time password"
	case u.Failed == 1:
		return "active, 1 failed sign-in"
	case u.Failed > 1:
		return fmt.Sprintf("active, %d failed sign-ins", u.Failed)
	}
	return "active"
}

func (s *Server) userCreate(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	if !parseForm(w, r) {
		return
	}
	f := newUserForm{
		Email: strings.TrimSpace(r.PostFormValue("email")), Name: r.PostFormValue("name"),
		Role: catalog.Role(r.PostFormValue("role")), SetPassword: r.PostFormValue("password_mode") == "set",
		Mailboxes: r.PostForm["mailbox"],
	}
	again := func(status int, msg string) {
		s.renderUsers(w, r, status, usersPage{Form: f, Error: msg}, "")
	}
	role, err := catalog.ParseRole(string(f.Role))
	if err != nil {
		again(http.StatusUnprocessableEntity, err.Error())
		return
	}
	mbs, err := s.knownMailboxes(r, f.Mailboxes)
	if err != nil {
		again(http.StatusUnprocessableEntity, err.Error())
		return
	}
	password, oneTime := NewOneTimePassword(), true
	if f.SetPassword {
		password, oneTime = r.PostFormValue("password"), false
		if err := CheckNewPassword(password); err != nil {
			again(http.StatusUnprocessableEntity, err.Error())
			return
		}
	}
	hash, err := s.passwd.hash(r.Context(), password)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := v.Tenant.CreateUser(r.Context(), catalog.User{
		Email: f.Email, Name: f.Name, Role: role, PasswordHash: hash, MustChangePassword: oneTime, Mailboxes: mbs,
	}, v.Actor())
	switch {
	case errors.Is(err, catalog.ErrUserExists):
		again(http.StatusConflict, "An account with this email address exists.")
		return
	case errors.Is(err, catalog.ErrInvalidUser):
		again(http.StatusUnprocessableEntity, userError(err))
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	p := usersPage{Form: newUserForm{Role: catalog.RoleParalegal}}
	if oneTime {
		p.OneTime = &oneTimePassword{Email: u.Email, Password: password}
	}
	s.renderUsers(w, r, http.StatusOK, p, "Account created.")
}

// userError is what a person reads of an invalid account: the reason,
// without the tenant and IDs the error carries for logs.
func userError(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "+catalog.ErrInvalidUser.Error()); i >= 0 {
		msg = msg[:i]
	}
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return strings.ToUpper(msg[:1]) + msg[1:] + "."
}

// knownMailboxes keeps only IDs of the tenant's mailboxes.
func (s *Server) knownMailboxes(r *http.Request, picked []string) ([]string, error) {
	if len(picked) == 0 {
		return nil, nil
	}
	mbs, err := viewerFrom(r.Context()).Tenant.Mailboxes(r.Context())
	if err != nil {
		return nil, err
	}
	var out []string
	for _, id := range picked {
		if !slices.ContainsFunc(mbs, func(m catalog.Mailbox) bool { return m.ID == id }) {
			return nil, errors.New("a chosen mailbox does not exist")
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out, nil
}

// userPage is the data of templates/user.html.
type userPage struct {
	User      catalog.User
	Status    string
	Self      bool
	Locked    bool
	Mailboxes []catalog.Mailbox
	Error     string
	OneTime   *oneTimePassword
}

// target reads the account named in the path, answering 404 itself when
// there is none.
func (s *Server) target(w http.ResponseWriter, r *http.Request) (catalog.User, bool) {
	id := r.PathValue("id")
	if ids.Validate("user", id) != nil {
		http.NotFound(w, r)
		return catalog.User{}, false
	}
	u, err := viewerFrom(r.Context()).Tenant.User(r.Context(), id)
	if errors.Is(err, catalog.ErrNoUser) {
		http.NotFound(w, r)
		return catalog.User{}, false
	}
	if err != nil {
		s.fail(w, r, err)
		return catalog.User{}, false
	}
	return u, true
}

func (s *Server) userEdit(w http.ResponseWriter, r *http.Request) {
	u, ok := s.target(w, r)
	if !ok {
		return
	}
	s.renderUser(w, r, http.StatusOK, userPage{User: u}, notice(r))
}

func (s *Server) renderUser(w http.ResponseWriter, r *http.Request, status int, p userPage, note string) {
	v := viewerFrom(r.Context())
	p.Self = p.User.ID == v.User.ID
	p.Status = userStatus(p.User, s.now())
	p.Locked = p.User.Failed > 0 || !p.User.LockedUntil.IsZero()
	var err error
	if p.Mailboxes, err = v.Tenant.Mailboxes(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "user", note, p)
}

// userSave changes the name, role and mailboxes of an account. An admin
// cannot change their own role: the firm would risk losing its last admin.
func (s *Server) userSave(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	u, ok := s.target(w, r)
	if !ok || !parseForm(w, r) {
		return
	}
	role, err := catalog.ParseRole(r.PostFormValue("role"))
	if err != nil {
		s.renderUser(w, r, http.StatusUnprocessableEntity, userPage{User: u, Error: err.Error()}, "")
		return
	}
	if u.ID == v.User.ID && role != u.Role {
		s.renderUser(w, r, http.StatusUnprocessableEntity, userPage{User: u, Error: "You cannot change your own role; ask another administrator."}, "")
		return
	}
	mbs, err := s.knownMailboxes(r, r.PostForm["mailbox"])
	if err != nil {
		s.renderUser(w, r, http.StatusUnprocessableEntity, userPage{User: u, Error: err.Error()}, "")
		return
	}
	name := r.PostFormValue("name")
	_, err = v.Tenant.UpdateUser(r.Context(), u.ID, v.Actor(), func(x *catalog.User) error {
		x.Name, x.Role, x.Mailboxes = name, role, mbs
		return nil
	})
	s.forgetUser(v.Tenant.ID, u.ID)
	if errors.Is(err, catalog.ErrInvalidUser) {
		s.renderUser(w, r, http.StatusUnprocessableEntity, userPage{User: u, Error: userError(err)}, "")
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/users/"+u.ID+"?done=saved", http.StatusSeeOther)
}

func (s *Server) userUnlock(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	u, ok := s.target(w, r)
	if !ok {
		return
	}
	_, err := v.Tenant.UnlockUser(r.Context(), u.ID, v.Actor())
	s.forgetUser(v.Tenant.ID, u.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/users?done=unlocked", http.StatusSeeOther)
}

func (s *Server) userDisable(disable bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := viewerFrom(r.Context())
		u, ok := s.target(w, r)
		if !ok {
			return
		}
		if u.ID == v.User.ID {
			s.renderUser(w, r, http.StatusUnprocessableEntity, userPage{User: u, Error: "You cannot disable your own account."}, "")
			return
		}
		_, err := v.Tenant.UpdateUser(r.Context(), u.ID, v.Actor(), func(x *catalog.User) error {
			x.Disabled = disable
			return nil
		})
		s.forgetUser(v.Tenant.ID, u.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		done := "enabled"
		if disable {
			done = "disabled"
		}
		http.Redirect(w, r, "/users?done="+done, http.StatusSeeOther)
	}
}

// userResetPassword gives an account a new one-time password, shown once;
// its sessions end.
func (s *Server) userResetPassword(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	u, ok := s.target(w, r)
	if !ok {
		return
	}
	if u.ID == v.User.ID {
		s.renderUser(w, r, http.StatusUnprocessableEntity, userPage{User: u, Error: "Change your own password under Account."}, "")
		return
	}
	password := NewOneTimePassword()
	hash, err := s.passwd.hash(r.Context(), password)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, err = v.Tenant.UpdateUser(r.Context(), u.ID, v.Actor(), func(x *catalog.User) error {
		x.PasswordHash, x.MustChangePassword = hash, true
		return nil
	})
	s.forgetUser(v.Tenant.ID, u.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderUser(w, r, http.StatusOK, userPage{User: u, OneTime: &oneTimePassword{Email: u.Email, Password: password}}, "New one-time password set.")
}

// parseForm reads a posted form of bounded size, answering 400 itself if
// it cannot.
func parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return false
	}
	return true
}
