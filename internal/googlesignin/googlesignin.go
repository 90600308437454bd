// Package googlesignin is "Sign in with Google" for the admin web: OpenID
// Connect's authorization-code flow through golang.org/x/oauth2, with the
// ID token verified by github.com/coreos/go-oidc/v3.
//
// Security model. Start sends the browser to Google with a fresh state, a
// nonce and a PKCE challenge, and keeps state, nonce, PKCE verifier and the
// page to return to in a short-lived cookie (HttpOnly, Secure, SameSite=Lax,
// __Host- prefixed) signed with HMAC-SHA256 under Config.CookieKey. Lax lets
// the cookie ride along on Google's top-level redirect back, and keeps it
// off cross-site subrequests. Finish accepts the callback only from the
// browser that started it: the cookie must verify, be unexpired and carry
// the state of the callback; a state is accepted once (replays are refused
// before the code is spent). It then exchanges the code with the PKCE
// verifier, verifies the ID token's signature (the issuer's published keys),
// issuer, audience and expiry, compares the nonce with the cookie's, and
// requires a verified email. Which accounts may sign in is the caller's
// decision; AllowedDomain refuses all but one Google Workspace domain by the
// token's hd claim, which Google sets from the account's organization,
// not from the address that a consumer account can freely choose.
//
// Errors wrap one of the Err* values, so a caller can answer and audit by
// class; none carries a token, code or address.
package googlesignin

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// GoogleIssuer is Google's OpenID Connect issuer, the default Issuer.
const GoogleIssuer = "https://accounts.google.com"

// Defaults applied by New.
const (
	DefaultCookieName = "__Host-mf-google-signin"
	DefaultFlowTTL    = 10 * time.Minute
	// MinCookieKeyLen is the shortest CookieKey New accepts: HMAC-SHA256's
	// full strength.
	MinCookieKeyLen = 32
)

// Error classes of Finish and AllowedDomain.
var (
	// ErrState: no sign-in cookie, a forged or expired one, a callback
	// whose state is not the cookie's, or a state seen before.
	ErrState = errors.New("googlesignin: sign-in state missing, invalid, expired or replayed")
	// ErrDenied: the user cancelled at Google, or Google refused.
	ErrDenied = errors.New("googlesignin: sign-in refused at the provider")
	// ErrExchange: the code could not be exchanged for tokens.
	ErrExchange = errors.New("googlesignin: code exchange failed")
	// ErrIDToken: the ID token is missing, or fails signature, issuer,
	// audience or expiry checks.
	ErrIDToken = errors.New("googlesignin: ID token invalid")
	// ErrNonce: the ID token was not issued for this sign-in.
	ErrNonce = errors.New("googlesignin: ID token nonce mismatch")
	// ErrEmailUnverified: the account's address is not verified, or the
	// token does not carry it (the email scope was not granted).
	ErrEmailUnverified = errors.New("googlesignin: email missing or not verified")
	// ErrDomain: the account is not in the required Workspace domain.
	ErrDomain = errors.New("googlesignin: account outside the allowed Workspace domain")
	// ErrReturnTo: Start's returnTo is not a path on this site.
	ErrReturnTo = errors.New("googlesignin: returnTo must be a local path")
)

// Config configures a Signin. Issuer, CookieName and FlowTTL have
// defaults; the rest is required.
type Config struct {
	// Issuer is the OpenID Connect issuer; GoogleIssuer by default, the
	// fake's Issuer() in tests. Discovery runs in New.
	Issuer string
	// ClientID and ClientSecret are the OAuth client's, from the Google
	// Cloud console.
	ClientID, ClientSecret string
	// RedirectURL is the absolute URL of the callback that calls Finish,
	// exactly as registered with the client.
	RedirectURL string
	// HTTPClient carries discovery, key and token requests; nil means
	// http.DefaultClient.
	HTTPClient *http.Client
	// CookieKey signs the sign-in cookie: at least MinCookieKeyLen random
	// bytes, kept secret. Rotating it only cancels sign-ins under way.
	CookieKey []byte
	// CookieName is the sign-in cookie's name; DefaultCookieName by
	// default. The cookie is always Secure, HttpOnly, SameSite=Lax, Path=/.
	CookieName string
	// FlowTTL is how long a started sign-in may take; DefaultFlowTTL by
	// default.
	FlowTTL time.Duration
	// HostedDomain, if set, asks Google's account chooser to offer only
	// accounts of that Workspace domain (the hd parameter). It is a hint
	// to the user, not a check: call AllowedDomain on the Identity.
	HostedDomain string
	// Now is the clock of the cookie's expiry and of ID token checks;
	// time.Now by default.
	Now func() time.Time
}

// Identity is who signed in, from a verified ID token.
type Identity struct {
	// Email is the account's verified address.
	Email string
	// Subject is Google's stable account id (sub): key accounts by it,
	// since an address can be renamed or reassigned.
	Subject string
	// HostedDomain is the account's Workspace domain (hd), "" for a
	// consumer account.
	HostedDomain string
}

// Signin runs Google sign-in. It is safe for concurrent use.
type Signin struct {
	cfg      Config
	oauth    *oauth2.Config
	verifier *oidc.IDTokenVerifier
	client   *http.Client

	mu   sync.Mutex
	used map[[sha256.Size]byte]time.Time // state digest → when its cookie expires
}

// New validates cfg, applies defaults and runs discovery at cfg.Issuer.
func New(ctx context.Context, cfg Config) (*Signin, error) {
	if cfg.Issuer == "" {
		cfg.Issuer = GoogleIssuer
	}
	if cfg.CookieName == "" {
		cfg.CookieName = DefaultCookieName
	}
	if cfg.FlowTTL == 0 {
		cfg.FlowTTL = DefaultFlowTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	client := cfg.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	switch {
	case cfg.ClientID == "":
		return nil, errors.New("googlesignin: Config.ClientID is empty")
	case cfg.ClientSecret == "":
		return nil, errors.New("googlesignin: Config.ClientSecret is empty")
	case len(cfg.CookieKey) < MinCookieKeyLen:
		return nil, fmt.Errorf("googlesignin: Config.CookieKey has %d bytes, want at least %d", len(cfg.CookieKey), MinCookieKeyLen)
	case cfg.FlowTTL < 0:
		return nil, errors.New("googlesignin: Config.FlowTTL is negative")
	case !strings.HasPrefix(cfg.CookieName, "__Host-"):
		// The prefix makes the browser refuse the cookie unless it is
		// Secure, host-only and Path=/: no sibling subdomain can plant one.
		return nil, fmt.Errorf("googlesignin: Config.CookieName %q must start with __Host-", cfg.CookieName)
	}
	if u, err := url.Parse(cfg.RedirectURL); err != nil || !u.IsAbs() || u.Host == "" {
		return nil, fmt.Errorf("googlesignin: Config.RedirectURL %q is not an absolute URL", cfg.RedirectURL)
	}
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, client), cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("googlesignin: discovery at Config.Issuer %s: %w", cfg.Issuer, err)
	}
	cfg.CookieKey = append([]byte(nil), cfg.CookieKey...)
	return &Signin{
		cfg: cfg,
		oauth: &oauth2.Config{
			ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
			RedirectURL: cfg.RedirectURL, Endpoint: provider.Endpoint(),
			Scopes: []string{oidc.ScopeOpenID, "email"},
		},
		verifier: provider.Verifier(&oidc.Config{ClientID: cfg.ClientID, Now: cfg.Now}),
		client:   client,
		used:     map[[sha256.Size]byte]time.Time{},
	}, nil
}

// flow is what the sign-in cookie holds between Start and Finish.
type flow struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	ReturnTo string `json:"r"`
	Expires  int64  `json:"e"`
}

// Start sends the browser to the provider's sign-in, to come back to
// RedirectURL, and after Finish to returnTo: a path on this site (e.g.
// "/review?page=2"); anything else is refused with ErrReturnTo.
func (s *Signin) Start(w http.ResponseWriter, r *http.Request, returnTo string) error {
	if !localPath(returnTo) {
		return ErrReturnTo
	}
	f := flow{
		State:    rand.Text(),
		Nonce:    rand.Text(),
		Verifier: oauth2.GenerateVerifier(),
		ReturnTo: returnTo,
		Expires:  s.cfg.Now().Add(s.cfg.FlowTTL).Unix(),
	}
	value, err := s.seal(f)
	if err != nil {
		return err
	}
	http.SetCookie(w, s.cookie(value, int(s.cfg.FlowTTL.Seconds())))
	opts := []oauth2.AuthCodeOption{oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)}
	if s.cfg.HostedDomain != "" {
		opts = append(opts, oauth2.SetAuthURLParam("hd", s.cfg.HostedDomain))
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, s.oauth.AuthCodeURL(f.State, opts...), http.StatusFound)
	return nil
}

// Finish handles the callback at RedirectURL: it checks the state against
// the cookie Start set, exchanges the code, verifies the ID token and
// returns who signed in and the returnTo given to Start. The cookie is
// cleared whatever the outcome. The caller still decides whether the
// Identity may sign in (AllowedDomain, its user list).
func (s *Signin) Finish(w http.ResponseWriter, r *http.Request) (Identity, string, error) {
	http.SetCookie(w, s.cookie("", -1))
	w.Header().Set("Cache-Control", "no-store")
	c, err := r.Cookie(s.cfg.CookieName)
	if err != nil {
		return Identity{}, "", fmt.Errorf("%w: no sign-in cookie", ErrState)
	}
	f, err := s.open(c.Value)
	if err != nil {
		return Identity{}, "", err
	}
	q := r.URL.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.State)) != 1 {
		return Identity{}, "", fmt.Errorf("%w: callback state is not the cookie's", ErrState)
	}
	if !s.firstUse(f) {
		return Identity{}, "", fmt.Errorf("%w: state already used", ErrState)
	}
	if e := q.Get("error"); e != "" {
		return Identity{}, "", fmt.Errorf("%w: %s", ErrDenied, oauthErrorCode(e))
	}
	code := q.Get("code")
	if code == "" {
		return Identity{}, "", fmt.Errorf("%w: callback without code", ErrExchange)
	}

	ctx := oidc.ClientContext(r.Context(), s.client)
	tok, err := s.oauth.Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return Identity{}, "", fmt.Errorf("%w: %s", ErrExchange, exchangeErrorClass(err))
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return Identity{}, "", fmt.Errorf("%w: token response has no id_token", ErrIDToken)
	}
	idt, err := s.verifier.Verify(ctx, raw)
	if err != nil {
		// go-oidc's messages name the failed check, not the token.
		return Identity{}, "", fmt.Errorf("%w: %v", ErrIDToken, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		return Identity{}, "", ErrNonce
	}
	var claims struct {
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
		HostedDomain  string `json:"hd"`
	}
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, "", fmt.Errorf("%w: claims: %v", ErrIDToken, err)
	}
	if claims.Email == "" || !claims.EmailVerified {
		return Identity{}, "", ErrEmailUnverified
	}
	return Identity{Email: claims.Email, Subject: idt.Subject, HostedDomain: claims.HostedDomain}, f.ReturnTo, nil
}

// AllowedDomain returns nil if id belongs to the Google Workspace domain,
// by its hd claim. A consumer account (no hd) is refused, and so is an
// account of another organization even when its address is at domain.
// An empty domain allows no one.
func AllowedDomain(id Identity, domain string) error {
	switch {
	case domain == "":
		return fmt.Errorf("%w: no domain configured", ErrDomain)
	case id.HostedDomain == "":
		return fmt.Errorf("%w: not a Workspace account", ErrDomain)
	case !strings.EqualFold(id.HostedDomain, domain):
		return fmt.Errorf("%w: another Workspace domain", ErrDomain)
	}
	return nil
}

func (s *Signin) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: s.cfg.CookieName, Value: value, Path: "/", MaxAge: maxAge,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	}
}

// macLabel separates this MAC from any other use of the key.
const macLabel = "matterfile googlesignin cookie v1\x00"

func (s *Signin) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.cfg.CookieKey)
	m.Write([]byte(macLabel))
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// seal encodes f as payload.mac, both base64url.
func (s *Signin) seal(f flow) (string, error) {
	b, err := json.Marshal(f)
	if err != nil {
		return "", fmt.Errorf("googlesignin: encode cookie: %w", err)
	}
	payload := base64.RawURLEncoding.EncodeToString(b)
	return payload + "." + base64.RawURLEncoding.EncodeToString(s.mac(payload)), nil
}

// open verifies and decodes a cookie value, refusing an expired one.
func (s *Signin) open(value string) (flow, error) {
	payload, sig, ok := strings.Cut(value, ".")
	if !ok {
		return flow{}, fmt.Errorf("%w: malformed cookie", ErrState)
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(payload)) {
		return flow{}, fmt.Errorf("%w: cookie signature", ErrState)
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return flow{}, fmt.Errorf("%w: malformed cookie", ErrState)
	}
	var f flow
	if err := json.Unmarshal(b, &f); err != nil || f.State == "" || f.Nonce == "" || f.Verifier == "" {
		return flow{}, fmt.Errorf("%w: malformed cookie", ErrState)
	}
	if !s.cfg.Now().Before(time.Unix(f.Expires, 0)) {
		return flow{}, fmt.Errorf("%w: sign-in took longer than %s", ErrState, s.cfg.FlowTTL)
	}
	return f, nil
}

// firstUse records f's state as used and reports whether it was new.
// Entries go once their cookie has expired, when open refuses it anyway.
func (s *Signin) firstUse(f flow) bool {
	key := sha256.Sum256([]byte(f.State))
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, exp := range s.used {
		if !now.Before(exp) {
			delete(s.used, k)
		}
	}
	if _, seen := s.used[key]; seen {
		return false
	}
	s.used[key] = time.Unix(f.Expires, 0)
	return true
}

// localPath reports whether p is a path on this site: it starts with one
// slash, and nothing in it could make a browser leave the site
// ("//host", "/\host", a scheme, control characters).
func localPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return false
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return false
		}
	}
	u, err := url.Parse(p)
	return err == nil && u.Scheme == "" && u.Host == ""
}

// oauthErrorCode keeps an OAuth error code if it is one of RFC 6749's, so
// that a hostile callback cannot put text into logs.
func oauthErrorCode(e string) string {
	switch e {
	case "access_denied", "invalid_request", "unauthorized_client", "unsupported_response_type",
		"invalid_scope", "server_error", "temporarily_unavailable", "interaction_required",
		"login_required", "account_selection_required", "consent_required",
		"invalid_grant", "invalid_client", "unsupported_grant_type":
		return e
	}
	return "other error"
}

// exchangeErrorClass names why the exchange failed without the response
// body, which may echo what was sent.
func exchangeErrorClass(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		return fmt.Sprintf("token endpoint answered %d %s", re.Response.StatusCode, oauthErrorCode(re.ErrorCode))
	}
	// A transport error names the token endpoint and the cause; nothing
	// sent is in it.
	return err.Error()
}
