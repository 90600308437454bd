// Package gmailfake is an in-process Gmail API and Google OAuth server for
// tests. It is driven by the real google.golang.org/api/gmail/v1 client and
// golang.org/x/oauth2, so a test exercises the same decoding, paging and
// error handling as production:
//
//	fake := gmailfake.New(gmailfake.Options{})
//	defer fake.Close()
//	mb := fake.AddMailbox("alice@firm.example")
//	fake.RegisterClient("cid", "secret")
//	tok := fake.IssueToken("cid", "alice@firm.example")
//	cfg := &oauth2.Config{ClientID: "cid", ClientSecret: "secret",
//		Endpoint: oauth2.Endpoint{AuthURL: fake.AuthURL(), TokenURL: fake.TokenURL()}}
//	svc, _ := gmail.NewService(ctx, option.WithEndpoint(fake.URL()+"/"),
//		option.WithHTTPClient(cfg.Client(ctx, tok)))
//
// The fake reproduces the wire facts and traps of gmail.md rather than
// being convenient: int64s travel as strings, empty fields are omitted,
// raw is padded base64url, repeated labelIds mean AND, list pages can be
// empty yet carry a nextPageToken, history ids grow in uneven steps and go
// stale, errors carry Google's JSON body, and quota is charged per user in
// a sliding minute. Faults (503s, dropped connections, empty pages) are
// drawn from a seeded generator so a failing run can be replayed.
package gmailfake

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configures a Server. The zero value is a well-behaved server
// without quota, faults or concurrency limits.
type Options struct {
	// QuotaPerMinute is the per-user budget in units over any sliding
	// 60 s window; 0 means unlimited.
	QuotaPerMinute int
	// Costs overrides the unit cost of methods by name; methods not named
	// keep DefaultCosts.
	Costs map[string]int
	// MaxInFlightPerUser is the number of concurrent requests of one user
	// beyond which requests get 429 rateLimitExceeded; 0 means unlimited.
	MaxInFlightPerUser int
	// FailRate is the fraction of API requests answered 503 backendError.
	FailRate float64
	// RateLimit403Rate is the fraction of API requests answered 403 with
	// reason userRateLimitExceeded or rateLimitExceeded (in turn): how
	// Gmail refuses a user's or the project's rate, which only the body
	// tells from a permission error.
	RateLimit403Rate float64
	// DropRate is the fraction of API requests whose connection is closed
	// without a response. Go's transport silently retries an idempotent
	// request once when a reused connection dies this way, so a drop may
	// surface only as a second request.
	DropRate float64
	// EmptyPageRate is the fraction of messages.list and history.list
	// pages answered empty but with a nextPageToken. Must be below 1, or
	// paging never ends.
	EmptyPageRate float64
	// Seed seeds fault injection, message ids and history id steps.
	Seed int64
	// Clock is the server's time (quota windows, token expiry,
	// internalDate); default time.Now.
	Clock func() time.Time
	// Latency delays every API request after it is admitted, so that
	// concurrency limits and in-flight counts can be observed.
	Latency time.Duration
}

// DefaultCosts returns the unit cost of each method the fake serves,
// keyed by the names Options.Costs and Stats.ByMethod use.
func DefaultCosts() map[string]int {
	return map[string]int{
		"getProfile":               1,
		"watch":                    100,
		"stop":                     1,
		"labels.list":              1,
		"labels.get":               1,
		"labels.create":            5,
		"messages.list":            5,
		"messages.get":             20,
		"messages.modify":          5,
		"messages.batchModify":     50,
		"messages.attachments.get": 5,
		"history.list":             2,
	}
}

// Stats counts what the server saw. Requests and the Answered/Dropped
// counters cover Gmail API requests only, not the OAuth endpoints.
type Stats struct {
	Requests    int
	Answered429 int
	Answered5xx int
	Dropped     int

	// Answered403RateLimit counts the 403 rate-limit answers
	// (RateLimit403Rate).
	Answered403RateLimit int
	// UnitsByUser is the quota charged per mailbox address.
	UnitsByUser map[string]int
	// ByMethod counts requests per method name, whatever their outcome.
	ByMethod map[string]int
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	opt   Options
	costs map[string]int
	clock func() time.Time
	srv   *httptest.Server

	mu          sync.Mutex
	rng         *rand.Rand
	stats       Stats
	charges     map[string][]charge
	inFlight    map[string]int
	mailboxes   map[string]*Mailbox
	clients     map[string]string
	access      map[string]*accessToken
	refresh     map[string]*refreshToken
	codes       map[string]*authCode
	consented   map[[2]string]bool
	consentUser string
	unticked    map[string]bool
	accounts    map[string]*serviceAccount
	oidc        oidcState
}

type charge struct {
	at    time.Time
	units int
}

// New validates opt and starts a server on a loopback port. It panics on
// an invalid option, naming it, as httptest does on setup errors.
func New(opt Options) *Server {
	for name, v := range map[string]float64{"FailRate": opt.FailRate, "RateLimit403Rate": opt.RateLimit403Rate, "DropRate": opt.DropRate, "EmptyPageRate": opt.EmptyPageRate} {
		if v < 0 || v > 1 || math.IsNaN(v) {
			panic(fmt.Sprintf("gmailfake: Options.%s = %v, want 0..1", name, v))
		}
	}
	if opt.EmptyPageRate >= 1 {
		panic("gmailfake: Options.EmptyPageRate must be below 1, or paging never ends")
	}
	if opt.QuotaPerMinute < 0 {
		panic("gmailfake: Options.QuotaPerMinute is negative")
	}
	if opt.MaxInFlightPerUser < 0 {
		panic("gmailfake: Options.MaxInFlightPerUser is negative")
	}
	if opt.Latency < 0 {
		panic("gmailfake: Options.Latency is negative")
	}
	costs := DefaultCosts()
	for k, v := range opt.Costs {
		if v < 0 {
			panic(fmt.Sprintf("gmailfake: Options.Costs[%q] is negative", k))
		}
		costs[k] = v
	}
	clock := opt.Clock
	if clock == nil {
		clock = time.Now
	}
	s := &Server{
		opt:   opt,
		costs: costs,
		clock: clock,
		rng:   rand.New(rand.NewPCG(uint64(opt.Seed), 0x676d61696c66616b)),
		stats: Stats{UnitsByUser: map[string]int{}, ByMethod: map[string]int{}},

		charges:   map[string][]charge{},
		inFlight:  map[string]int{},
		mailboxes: map[string]*Mailbox{},
		clients:   map[string]string{},
		access:    map[string]*accessToken{},
		refresh:   map[string]*refreshToken{},
		codes:     map[string]*authCode{},
		consented: map[[2]string]bool{},
		unticked:  map[string]bool{},
		accounts:  map[string]*serviceAccount{},
		oidc:      newOIDCState(),
	}
	s.srv = httptest.NewServer(s.routes())
	return s
}

// URL is the server's base URL, without a trailing slash. API paths are
// /gmail/v1/users/{userId}/...; pass URL()+"/" to option.WithEndpoint.
func (s *Server) URL() string { return s.srv.URL }

// TokenURL is the OAuth token endpoint (oauth2.Endpoint.TokenURL).
func (s *Server) TokenURL() string { return s.srv.URL + "/token" }

// AuthURL is the OAuth authorization endpoint (oauth2.Endpoint.AuthURL).
func (s *Server) AuthURL() string { return s.srv.URL + "/o/oauth2/auth" }

// Close shuts the server down, cutting requests still in flight.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// AddMailbox creates the mailbox of email, or returns it if it exists.
// Addresses compare case-insensitively.
func (s *Server) AddMailbox(email string) *Mailbox {
	key := strings.ToLower(email)
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.mailboxes[key]; ok {
		return m
	}
	m := newMailbox(email, s.clock, s.opt.Seed)
	s.mailboxes[key] = m
	return m
}

// Mailbox returns the mailbox of email, or nil if there is none.
func (s *Server) Mailbox(email string) *Mailbox {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mailboxes[strings.ToLower(email)]
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.stats
	out.UnitsByUser = make(map[string]int, len(s.stats.UnitsByUser))
	for k, v := range s.stats.UnitsByUser {
		out.UnitsByUser[k] = v
	}
	out.ByMethod = make(map[string]int, len(s.stats.ByMethod))
	for k, v := range s.stats.ByMethod {
		out.ByMethod[k] = v
	}
	return out
}

// UnitsBetween returns the units charged to email for requests that
// arrived in [from, to) by the server's clock.
func (s *Server) UnitsBetween(email string, from, to time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.charges[strings.ToLower(email)] {
		if !c.at.Before(from) && c.at.Before(to) {
			n += c.units
		}
	}
	return n
}

// roll draws one fault decision. Callers must not hold s.mu.
func (s *Server) roll(rate float64) bool {
	if rate <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.Float64() < rate
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	const base = "/gmail/v1/users/{userId}/"
	read := []string{ScopeMail, ScopeModify, ScopeReadonly}
	meta := append(read[:len(read):len(read)], ScopeMetadata)
	labels := append(meta[:len(meta):len(meta)], ScopeLabels)
	write := []string{ScopeMail, ScopeModify}
	mux.Handle("GET "+base+"profile", s.api("getProfile", meta, s.getProfile))
	mux.Handle("POST "+base+"watch", s.api("watch", meta, s.watch))
	mux.Handle("POST "+base+"stop", s.api("stop", meta, s.stop))
	mux.Handle("GET "+base+"labels", s.api("labels.list", labels, s.listLabels))
	mux.Handle("GET "+base+"labels/{id}", s.api("labels.get", labels, s.getLabel))
	mux.Handle("POST "+base+"labels", s.api("labels.create", []string{ScopeMail, ScopeModify, ScopeLabels}, s.createLabel))
	mux.Handle("GET "+base+"messages", s.api("messages.list", meta, s.listMessages))
	mux.Handle("GET "+base+"messages/{id}", s.api("messages.get", meta, s.getMessage))
	mux.Handle("POST "+base+"messages/{id}/modify", s.api("messages.modify", write, s.modifyMessage))
	mux.Handle("POST "+base+"messages/batchModify", s.api("messages.batchModify", write, s.batchModify))
	mux.Handle("GET "+base+"messages/{messageId}/attachments/{id}", s.api("messages.attachments.get", read, s.getAttachment))
	mux.Handle("GET "+base+"history", s.api("history.list", meta, s.listHistory))
	mux.HandleFunc("POST /token", s.token)
	mux.HandleFunc("GET /o/oauth2/auth", s.authorize)
	mux.HandleFunc("GET /.well-known/openid-configuration", s.discovery)
	mux.HandleFunc("GET /oauth2/v3/certs", s.jwks)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "notFound", "Requested entity was not found.")
	})
	return mux
}

// call is one admitted API request.
type call struct {
	user   string
	mb     *Mailbox
	scopes []string
}

type apiHandler func(w http.ResponseWriter, r *http.Request, c *call)

// api wraps a Gmail method in what every real call goes through, in
// Google's order as far as it shows: faults, authentication, the userId
// check, scopes, the per-user concurrency cap, then quota.
func (s *Server) api(method string, scopes []string, h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.stats.Requests++
		s.stats.ByMethod[method]++
		drop := s.opt.DropRate > 0 && s.rng.Float64() < s.opt.DropRate
		fail := !drop && s.opt.FailRate > 0 && s.rng.Float64() < s.opt.FailRate
		limit := !drop && !fail && s.opt.RateLimit403Rate > 0 && s.rng.Float64() < s.opt.RateLimit403Rate
		userLimit := false
		switch {
		case drop:
			s.stats.Dropped++
		case fail:
			s.stats.Answered5xx++
		case limit:
			userLimit = s.stats.Answered403RateLimit%2 == 0
			s.stats.Answered403RateLimit++
		}
		s.mu.Unlock()
		if drop {
			dropConnection(w)
			return
		}
		if fail {
			writeError(w, http.StatusServiceUnavailable, "UNAVAILABLE", "backendError", "The service is currently unavailable.")
			return
		}
		if limit {
			if userLimit {
				writeError(w, http.StatusForbidden, "PERMISSION_DENIED", "userRateLimitExceeded", "User Rate Limit Exceeded")
			} else {
				writeError(w, http.StatusForbidden, "PERMISSION_DENIED", "rateLimitExceeded", "Rate Limit Exceeded")
			}
			return
		}

		c, ok := s.admit(w, r, method, scopes)
		if !ok {
			return
		}
		defer func() {
			s.mu.Lock()
			s.inFlight[c.user]--
			s.mu.Unlock()
		}()
		if s.opt.Latency > 0 {
			t := time.NewTimer(s.opt.Latency)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		h(w, r, c)
	})
}

// admit authenticates, authorizes and charges a request, answering it
// itself when it is refused. On success the caller owns one in-flight slot.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, method string, scopes []string) (*call, bool) {
	now := s.clock()
	bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := s.access[strings.TrimSpace(bearer)]
	if !ok || tok == nil || tok.invalid || !now.Before(tok.expiry) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="https://accounts.google.com/", error="invalid_token"`)
		writeGoogleError(w, googleError{
			Code:    http.StatusUnauthorized,
			Status:  "UNAUTHENTICATED",
			Message: "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
			Errors: []googleErrorItem{{
				Message: "Invalid Credentials", Domain: "global", Reason: "authError",
				Location: "Authorization", LocationType: "header",
			}},
		})
		return nil, false
	}
	if u := r.PathValue("userId"); u != "me" && !strings.EqualFold(u, tok.user) {
		writeError(w, http.StatusForbidden, "PERMISSION_DENIED", "forbidden", "Delegation denied for "+tok.user)
		return nil, false
	}
	if !scopeAllows(tok.scopes, scopes) {
		writeGoogleError(w, googleError{
			Code: http.StatusForbidden, Status: "PERMISSION_DENIED",
			Message: "Request had insufficient authentication scopes.",
			Errors:  []googleErrorItem{{Message: "Insufficient Permission", Domain: "global", Reason: "insufficientPermissions"}},
		})
		return nil, false
	}
	mb := s.mailboxes[tok.user]
	if mb == nil {
		writeError(w, http.StatusBadRequest, "FAILED_PRECONDITION", "failedPrecondition", "Mail service not enabled")
		return nil, false
	}
	if limit := s.opt.MaxInFlightPerUser; limit > 0 && s.inFlight[tok.user] >= limit {
		s.stats.Answered429++
		writeError(w, http.StatusTooManyRequests, "RESOURCE_EXHAUSTED", "rateLimitExceeded", "Too many concurrent requests for user.")
		return nil, false
	}
	cost := s.costs[method]
	if quota := s.opt.QuotaPerMinute; quota > 0 {
		if wait, over := s.overQuota(tok.user, now, quota, cost); over {
			s.stats.Answered429++
			secs := int64(math.Ceil(wait.Seconds()))
			w.Header().Set("Retry-After", strconv.FormatInt(max(secs, 1), 10))
			writeError(w, http.StatusTooManyRequests, "RESOURCE_EXHAUSTED", "rateLimitExceeded",
				fmt.Sprintf("Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service 'gmail.googleapis.com' for consumer 'project_number:0'. Retry after %d seconds.", max(secs, 1)))
			return nil, false
		}
	}
	s.charges[tok.user] = append(s.charges[tok.user], charge{at: now, units: cost})
	s.stats.UnitsByUser[tok.user] += cost
	s.inFlight[tok.user]++
	return &call{user: tok.user, mb: mb, scopes: tok.scopes}, true
}

// overQuota reports whether cost more units would exceed quota in the
// window (now-60s, now], and if so how long until enough units age out.
// Callers hold s.mu.
func (s *Server) overQuota(user string, now time.Time, quota, cost int) (time.Duration, bool) {
	start := now.Add(-time.Minute)
	cs := s.charges[user]
	first := len(cs)
	used := 0
	for i := len(cs) - 1; i >= 0 && cs[i].at.After(start); i-- {
		used += cs[i].units
		first = i
	}
	if used+cost <= quota {
		return 0, false
	}
	if cost > quota {
		return time.Minute, true
	}
	need := used + cost - quota
	for _, c := range cs[first:] {
		need -= c.units
		if need <= 0 {
			return c.at.Add(time.Minute).Sub(now), true
		}
	}
	return time.Minute, true
}

// dropConnection closes the connection without a byte of response, which
// the client sees as EOF or a reset: a *url.Error.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("gmailfake: response writer cannot hijack; DropRate needs HTTP/1")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	conn.Close()
}
