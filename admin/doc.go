// Package admin is the web app of matterfile serve: server-rendered pages
// (html/template, the standard library's routing, a little progressive
// JavaScript) where a firm's people sign in, admins manage accounts,
// mailboxes, matters and settings, and lawyers and paralegals clear the
// review queue.
//
// Security model. Accounts are catalog.User records, sealed in the
// tenant's space, with argon2id password hashes; three failed sign-ins
// lock an account for Config.Lockout or until an admin unlocks it, and
// every attempt is audited with its source address. A refused sign-in
// looks and costs the same whatever the reason. Sessions live in a cookie
// sealed with the tenant's session key (Tink AEAD; see session.go):
// HttpOnly, SameSite=Lax, Secure with the __Host- prefix unless
// Config.InsecureCookies. Each request re-reads the account, so disabling
// it, changing its role or signing out takes effect at once. Cross-origin
// state changes are refused (http.CrossOriginProtection) and every page
// carries a strict Content-Security-Policy: scripts and styles from this
// origin only, nothing inline, so page templates hold no script, no
// style attribute and no event handler. Header values and other content
// are only ever rendered through html/template's escaping, never as
// template.HTML.
//
// # Adding a page
//
// A page is one Go file and one template. The file, admin/<page>.go, has
// a method adding its routes and its navigation link, listed in New
// (server.go):
//
//	func (s *Server) mattersRoutes() {
//		admin := s.requireRole(catalog.RoleAdmin) // no roles: any signed-in user
//		s.mux.Handle("GET /matters", admin(s.matters))
//		s.mux.Handle("POST /matters/{id}", admin(s.matterSave))
//		s.addNav("Matters", "/matters", catalog.RoleAdmin)
//	}
//
// requireRole sends a visitor without a session to the sign-in page and
// answers 403, audited as access.denied, to the other roles. Handlers take
// the viewer from the context and render their template inside the
// layout:
//
//	func (s *Server) matters(w http.ResponseWriter, r *http.Request) {
//		v := viewerFrom(r.Context()) // v.Tenant, v.User, v.IP, v.Actor()
//		...
//		s.page(w, r, "matters", data) // or s.render(w, r, status, "matters", notice, data)
//	}
//
// The template, admin/templates/<page>.html, defines "title" and
// "content"; the page's data is .Data and the viewer .Viewer.
//
// Changes go through catalog (or worker.Handlers) with v.Actor() as the
// actor; the request's context carries the client's address
// (catalog.WithSourceIP), so their audit records say where they came
// from. Check walls (catalog.User.WalledFrom) and mailboxes
// (catalog.User.SeesMailbox) before anything is decrypted. Read forms with
// parseForm (bounded). Answer a POST with a 303 redirect to a page showing
// the result; ?done=<key> shows one of the fixed notices (users.go), so no
// user text travels in a URL.
//
// Tests (package admin) build a Server on a catalog from catalogtest with
// InsecureCookies and a fake clock; see setup in admin_test.go.
package admin
