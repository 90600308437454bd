package admin

import (
	"net/http"

	"github.com/matterfile/matterfile/catalog"
)

// accountPasswordPath is where users change their own password; one with a
// one-time password is sent here before anything else.
const accountPasswordPath = "/account/password"

func (s *Server) accountRoutes() {
	s.mux.Handle("GET "+accountPasswordPath, s.requireRole()(s.passwordPage))
	s.mux.Handle("POST "+accountPasswordPath, s.requireRole()(s.passwordChange))
	s.addNav("Account", accountPasswordPath)
}

// passwordForm is the data of templates/password.html.
type passwordForm struct {
	OneTime bool
	Error   string
	MinLen  int
}

func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	s.page(w, r, "password", passwordForm{OneTime: v.User.MustChangePassword, MinLen: MinPasswordLen})
}

// passwordChange sets the viewer's password. It wants the current one (a
// session left open on a shared computer must not be enough to take the
// account), ends every other session, and keeps this one.
func (s *Server) passwordChange(w http.ResponseWriter, r *http.Request) {
	v := viewerFrom(r.Context())
	if !parseForm(w, r) {
		return
	}
	again := func(msg string) {
		s.render(w, r, http.StatusUnprocessableEntity, "password", "", passwordForm{OneTime: v.User.MustChangePassword, Error: msg, MinLen: MinPasswordLen})
	}
	current, next := r.PostFormValue("current"), r.PostFormValue("new")
	ok, err := s.passwd.verify(r.Context(), v.User.PasswordHash, current)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	switch {
	case !ok:
		again("The current password is wrong.")
		return
	case next != r.PostFormValue("confirm"):
		again("The new password and its confirmation differ.")
		return
	case next == current:
		again("Choose a password other than the current one.")
		return
	}
	if err := CheckNewPassword(next); err != nil {
		again("The new " + err.Error() + ".")
		return
	}
	hash, err := s.passwd.hash(r.Context(), next)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := v.Tenant.UpdateUser(r.Context(), v.User.ID, v.Actor(), func(x *catalog.User) error {
		x.PasswordHash, x.MustChangePassword = hash, false
		return nil
	})
	s.forgetUser(v.Tenant.ID, v.User.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The new password raised the epoch: this session carries on under it.
	sess := v.sess
	sess.Epoch, sess.Seen = u.SessionEpoch, s.now().Unix()
	if err := s.setSession(r.Context(), w, v.Tenant, sess); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/?done=password", http.StatusSeeOther)
}
