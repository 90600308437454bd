package gmailfake

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// The OpenID Connect side of the fake: "Sign in with Google". The server is
// its own issuer (Issuer), publishes a discovery document and its signing
// key, and the token endpoint adds an RS256 id_token to a code exchange
// whose scopes include openid, as Google does.

// Scopes of OpenID Connect sign-in.
const (
	ScopeOpenID  = "openid"
	ScopeEmail   = "email"
	ScopeProfile = "profile"
)

// idTokenLifetime is Google's: an hour.
const idTokenLifetime = time.Hour

// oidcState is the issuer's key and the per-account facts its tokens tell.
type oidcState struct {
	key   *rsa.PrivateKey
	keyID string
	// hostedDomain overrides the hd claim per lower-case address; "" means
	// a consumer account (no hd).
	hostedDomain map[string]string
	unverified   map[string]bool
}

// newOIDCState generates the signing key a server keeps for its life.
func newOIDCState() oidcState {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic("gmailfake: generate OIDC signing key: " + err.Error())
	}
	return oidcState{
		key:          key,
		keyID:        strings.ToLower(rand.Text()),
		hostedDomain: map[string]string{},
		unverified:   map[string]bool{},
	}
}

// Issuer is the OpenID Connect issuer (the iss claim, and the URL whose
// /.well-known/openid-configuration is the discovery document).
func (s *Server) Issuer() string { return s.srv.URL }

// JWKSURL is where the issuer's signing keys are published.
func (s *Server) JWKSURL() string { return s.srv.URL + "/oauth2/v3/certs" }

// SetHostedDomain sets the hd claim of email's ID tokens: the Google
// Workspace domain the account belongs to, which need not be the domain
// of its address (an alias domain, a consumer account with a company
// address). "" makes it a consumer account, without hd. By default hd is
// the address's domain, except for gmail.com and googlemail.com.
func (s *Server) SetHostedDomain(email, hd string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oidc.hostedDomain[strings.ToLower(email)] = strings.ToLower(hd)
}

// SetEmailVerified sets the email_verified claim of email's ID tokens
// (true by default, as for every Workspace account).
func (s *Server) SetEmailVerified(email string, verified bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oidc.unverified[strings.ToLower(email)] = !verified
}

// hostedDomainOf returns the hd claim of user. Callers hold s.mu.
func (s *Server) hostedDomainOf(user string) string {
	if hd, ok := s.oidc.hostedDomain[user]; ok {
		return hd
	}
	_, domain, _ := strings.Cut(user, "@")
	if domain == "gmail.com" || domain == "googlemail.com" {
		return ""
	}
	return domain
}

// Subject returns the sub claim of email: stable, numeric and unrelated to
// the address, like Google's, so that code keys accounts by it and not by
// an address that can be renamed.
func Subject(email string) string {
	sum := sha256.Sum256([]byte("gmailfake-sub:" + strings.ToLower(email)))
	return fmt.Sprintf("1%020d", binary.BigEndian.Uint64(sum[:8]))
}

// idTokenClaims is what Google's ID tokens carry for sign-in.
type idTokenClaims struct {
	Issuer        string `json:"iss"`
	AuthorizedBy  string `json:"azp"`
	Audience      string `json:"aud"`
	Subject       string `json:"sub"`
	HostedDomain  string `json:"hd,omitempty"`
	Email         string `json:"email,omitempty"`
	EmailVerified *bool  `json:"email_verified,omitempty"`
	Nonce         string `json:"nonce,omitempty"`
	IssuedAt      int64  `json:"iat"`
	Expiry        int64  `json:"exp"`
}

// idToken signs an ID token for the code's user, or returns "" when the
// code's scopes do not include openid. Callers hold s.mu.
func (s *Server) idToken(code *authCode) (string, error) {
	if !slices.Contains(code.scopes, ScopeOpenID) {
		return "", nil
	}
	now := s.clock()
	c := idTokenClaims{
		Issuer: s.Issuer(), AuthorizedBy: code.client, Audience: code.client,
		Subject: Subject(code.user), HostedDomain: s.hostedDomainOf(code.user),
		Nonce: code.nonce, IssuedAt: now.Unix(), Expiry: now.Add(idTokenLifetime).Unix(),
	}
	if slices.Contains(code.scopes, ScopeEmail) {
		verified := !s.oidc.unverified[code.user]
		c.Email, c.EmailVerified = code.user, &verified
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: s.oidc.key, KeyID: s.oidc.keyID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	return jwt.Signed(signer).Claims(c).Serialize()
}

// discovery is the document at /.well-known/openid-configuration, with
// the fields Google's has that a client reads.
func (s *Server) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                s.Issuer(),
		"authorization_endpoint":                s.AuthURL(),
		"token_endpoint":                        s.TokenURL(),
		"jwks_uri":                              s.JWKSURL(),
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{ScopeOpenID, ScopeEmail, ScopeProfile},
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
		"claims_supported":                      []string{"aud", "email", "email_verified", "exp", "hd", "iat", "iss", "nonce", "sub"},
		"code_challenge_methods_supported":      []string{"plain", "S256"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
	})
}

// jwks publishes the issuer's public key. Google lets clients cache it for
// hours; a fake's key lives as long as the server.
func (s *Server) jwks(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(int((6*time.Hour).Seconds())))
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: &s.oidc.key.PublicKey, KeyID: s.oidc.keyID, Algorithm: string(jose.RS256), Use: "sig",
	}}})
}
