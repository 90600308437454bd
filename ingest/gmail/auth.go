package gmail

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
)

// Scopes matterfile asks for. Modify is only requested when the tenant
// turns label write-back on: it is a restricted scope.
const (
	ScopeReadonly = "https://www.googleapis.com/auth/gmail.readonly"
	ScopeLabels   = "https://www.googleapis.com/auth/gmail.labels"
	ScopeModify   = "https://www.googleapis.com/auth/gmail.modify"
)

// Scopes returns the scopes to request.
func Scopes(writeBack bool) []string {
	if writeBack {
		return []string{ScopeReadonly, ScopeLabels, ScopeModify}
	}
	return []string{ScopeReadonly}
}

// OAuthConfig is the per-user consent configuration. Empty URLs mean
// Google's.
func OAuthConfig(clientID, clientSecret, authURL, tokenURL, redirectURL string, scopes []string) *oauth2.Config {
	ep := google.Endpoint
	if authURL != "" {
		ep.AuthURL = authURL
	}
	if tokenURL != "" {
		ep.TokenURL = tokenURL
	}
	return &oauth2.Config{ClientID: clientID, ClientSecret: clientSecret, Endpoint: ep, RedirectURL: redirectURL, Scopes: scopes}
}

// Credentials make authorized HTTP clients for one mailbox and can be made
// to refresh before the stored expiry (gmail.md: x/oauth2 refreshes on
// expiry, not on a 401).
type Credentials interface {
	Client(ctx context.Context) *http.Client
	Refresh()
}

// UserToken is a per-user OAuth grant whose refreshed tokens are saved
// through save (sealed by the caller), because x/oauth2 cannot persist
// them itself (golang/oauth2#84).
type UserToken struct {
	cfg  *oauth2.Config
	save func(*oauth2.Token) error

	mu     sync.Mutex
	tok    *oauth2.Token
	forced bool
}

// NewUserToken wraps tok. save is called with every new token.
func NewUserToken(cfg *oauth2.Config, tok *oauth2.Token, save func(*oauth2.Token) error) (*UserToken, error) {
	if tok == nil || tok.RefreshToken == "" {
		return nil, errors.New("gmail token: no refresh token (consent needs access_type=offline and prompt=consent)")
	}
	return &UserToken{cfg: cfg, tok: tok, save: save}, nil
}

// Client returns an HTTP client that authorizes with the token.
func (u *UserToken) Client(ctx context.Context) *http.Client {
	return authorizedClient(ctx, &userTokenSource{u: u, ctx: ctx})
}

// authorizedClient is oauth2.NewClient without its token cache: our
// sources cache themselves and must be able to drop the cached token on a
// 401, which oauth2.ReuseTokenSource would hide.
func authorizedClient(ctx context.Context, src oauth2.TokenSource) *http.Client {
	base := http.DefaultTransport
	if hc, ok := ctx.Value(oauth2.HTTPClient).(*http.Client); ok && hc != nil && hc.Transport != nil {
		base = hc.Transport
	}
	return &http.Client{Transport: &oauth2.Transport{Source: src, Base: base}}
}

// Refresh makes the next request refresh the token first.
func (u *UserToken) Refresh() {
	u.mu.Lock()
	u.forced = true
	u.mu.Unlock()
}

type userTokenSource struct {
	u   *UserToken
	ctx context.Context
}

func (s *userTokenSource) Token() (*oauth2.Token, error) {
	u := s.u
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.tok.Valid() && !u.forced {
		return u.tok, nil
	}
	fresh, err := u.cfg.TokenSource(s.ctx, &oauth2.Token{RefreshToken: u.tok.RefreshToken}).Token()
	if err != nil {
		return nil, err
	}
	if fresh.RefreshToken == "" {
		// Google usually omits the refresh token on refresh; the old
		// one stays valid.
		fresh.RefreshToken = u.tok.RefreshToken
	}
	if u.save != nil {
		if err := u.save(fresh); err != nil {
			return nil, fmt.Errorf("gmail token: save refreshed token: %w", err)
		}
	}
	u.tok, u.forced = fresh, false
	return fresh, nil
}

// Delegation is Google Workspace domain-wide delegation: a service
// account acting as the mailbox.
type Delegation struct {
	jwt func() oauth2.TokenSource

	mu  sync.Mutex
	src oauth2.TokenSource
}

// NewDelegation parses a service-account JSON key for subject. tokenURL,
// if set, overrides the key's token_uri.
func NewDelegation(ctx context.Context, serviceAccountJSON []byte, subject, tokenURL string, scopes []string) (*Delegation, error) {
	jc, err := google.JWTConfigFromJSON(serviceAccountJSON, scopes...)
	if err != nil {
		return nil, fmt.Errorf("gmail delegation: service-account key: %w", err)
	}
	jc.Subject = subject
	if tokenURL != "" {
		jc.TokenURL = tokenURL
	}
	d := &Delegation{jwt: func() oauth2.TokenSource { return jc.TokenSource(ctx) }}
	d.src = d.jwt()
	return d, nil
}

// Client returns an HTTP client acting as the subject.
func (d *Delegation) Client(ctx context.Context) *http.Client {
	return authorizedClient(ctx, delegationSource{d})
}

// Refresh drops the cached token: the next request mints a new one.
func (d *Delegation) Refresh() {
	d.mu.Lock()
	d.src = d.jwt()
	d.mu.Unlock()
}

type delegationSource struct{ d *Delegation }

func (s delegationSource) Token() (*oauth2.Token, error) {
	s.d.mu.Lock()
	src := s.d.src
	s.d.mu.Unlock()
	return src.Token()
}

// Consent is one per-user authorization-code flow with PKCE (S256): the
// state is random and single-use, the verifier never leaves this process.
type Consent struct {
	cfg      *oauth2.Config
	mailbox  string
	state    string
	verifier string

	mu   sync.Mutex
	used bool
}

// ErrConsent is a consent that must not be accepted: wrong or reused state,
// wrong account, scopes unticked.
var ErrConsent = errors.New("gmail consent rejected")

// NewConsent starts a consent for mailbox.
func NewConsent(cfg *oauth2.Config, mailbox string) (*Consent, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return &Consent{cfg: cfg, mailbox: strings.ToLower(mailbox), state: base64.RawURLEncoding.EncodeToString(b), verifier: oauth2.GenerateVerifier()}, nil
}

// URL is where the admin consents. Offline access and forced consent make
// Google return a refresh token even on re-consent.
func (c *Consent) URL() string {
	return c.cfg.AuthCodeURL(c.state, oauth2.AccessTypeOffline, oauth2.ApprovalForce,
		oauth2.S256ChallengeOption(c.verifier), oauth2.SetAuthURLParam("login_hint", c.mailbox))
}

// Exchange trades the code for a token once, after checking state. The
// caller must still check the account with CheckAccount.
func (c *Consent) Exchange(ctx context.Context, state, code string) (*oauth2.Token, error) {
	c.mu.Lock()
	used := c.used
	c.used = true
	c.mu.Unlock()
	if used {
		return nil, fmt.Errorf("state already used: %w", ErrConsent)
	}
	if state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(c.state)) != 1 {
		return nil, fmt.Errorf("state does not match: %w", ErrConsent)
	}
	if code == "" {
		return nil, fmt.Errorf("no code: %w", ErrConsent)
	}
	tok, err := c.cfg.Exchange(ctx, code, oauth2.VerifierOption(c.verifier))
	if err != nil {
		return nil, fmt.Errorf("gmail consent: exchange: %w", err)
	}
	if tok.RefreshToken == "" {
		return nil, fmt.Errorf("no refresh token granted: %w", ErrConsent)
	}
	// Users can untick scopes on the consent screen. A token endpoint
	// that does not report scopes at all is trusted; one that reports
	// them must report every scope asked for.
	if v := tok.Extra("scope"); v != nil {
		granted, _ := v.(string)
		have := strings.Fields(granted)
		for _, want := range c.cfg.Scopes {
			if !slices.Contains(have, want) {
				return nil, fmt.Errorf("scope %s not granted: %w", want, ErrConsent)
			}
		}
	}
	return tok, nil
}

// CheckAccount makes sure the grant is for the mailbox being connected:
// people consent with the wrong account.
func (c *Consent) CheckAccount(p Profile) error {
	if !strings.EqualFold(p.Address, c.mailbox) {
		return fmt.Errorf("consent was given for another account: %w", ErrConsent)
	}
	return nil
}
