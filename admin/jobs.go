package admin

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"

	"github.com/matterfile/matterfile/catalog"
)

// jobsPath is where the queue monitor (asynqmon) is mounted; its RootPath
// must be the same.
const jobsPath = "/jobs"

func (s *Server) jobsRoutes() {
	if s.cfg.Jobs == nil {
		return
	}
	admin := s.requireRole(catalog.RoleAdmin)
	s.mux.Handle(jobsPath+"/", admin(s.cfg.Jobs.ServeHTTP))
	s.mux.Handle("GET "+jobsPath, admin(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, jobsPath+"/", http.StatusSeeOther)
	}))
	s.jobsCSP = jobsPolicy(s.cfg.Jobs)
	s.addNav("Jobs", jobsPath, catalog.RoleAdmin)
}

var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// jobsPolicy is the Content-Security-Policy of the queue monitor, a
// third-party React app: its page carries two inline scripts (its
// settings and webpack's loader), admitted by their hashes rather than by
// 'unsafe-inline'; its style library injects styles at run time, and it
// loads Google's fonts. The hashes are taken from the page it serves, so
// they follow its RootPath and read-only flag.
func jobsPolicy(jobs http.Handler) string {
	rec := httptest.NewRecorder()
	jobs.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, jobsPath+"/", nil))
	scripts := []string{"'self'"}
	for _, m := range inlineScript.FindAllStringSubmatch(rec.Body.String(), -1) {
		sum := sha256.Sum256([]byte(m[1]))
		scripts = append(scripts, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	return "default-src 'none'; script-src " + strings.Join(scripts, " ") + "; " +
		"style-src 'self' 'unsafe-inline' https://fonts.googleapis.com; font-src 'self' https://fonts.gstatic.com; " +
		"img-src 'self' data:; connect-src 'self'; manifest-src 'self'; " +
		"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
}
