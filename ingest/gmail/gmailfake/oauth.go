package gmailfake

import (
	"cmp"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Google's access tokens live an hour and say 3599 s.
const tokenLifetime = 3599 * time.Second

type accessToken struct {
	user, client string
	scopes       []string
	expiry       time.Time
	invalid      bool
}

type refreshToken struct {
	user, client string
	scopes       []string
	revoked      bool
}

type authCode struct {
	client, redirectURI, user string
	scopes                    []string
	challenge, method         string
	nonce                     string
	offline, forceConsent     bool
	expiry                    time.Time
	used                      bool
}

type serviceAccount struct {
	email, clientID, keyID string
	key                    *rsa.PublicKey
	allowed                []string
}

// RegisterClient registers an OAuth client for the authorization-code and
// refresh grants.
func (s *Server) RegisterClient(clientID, clientSecret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[clientID] = clientSecret
}

// IssueToken returns an access and refresh token for email as if the user
// had consented through clientID, which must be registered. The expiry is
// an hour from the server's Clock; x/oauth2 judges it by the real time. A
// token issued without scopes may call every method.
func (s *Server) IssueToken(clientID, email string, scopes ...string) *oauth2.Token {
	user := strings.ToLower(email)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.clients[clientID]; !ok {
		panic(fmt.Sprintf("gmailfake: IssueToken for unregistered client %q", clientID))
	}
	access, expiry := s.mintAccess(clientID, user, scopes)
	refresh := "1//" + rand.Text()
	s.refresh[refresh] = &refreshToken{user: user, client: clientID, scopes: slices.Clone(scopes)}
	s.consented[[2]string{clientID, user}] = true
	tok := &oauth2.Token{AccessToken: access, TokenType: "Bearer", RefreshToken: refresh, Expiry: expiry}
	return tok.WithExtra(map[string]any{"scope": strings.Join(scopes, " ")})
}

// mintAccess creates an access token. Callers hold s.mu.
func (s *Server) mintAccess(client, user string, scopes []string) (string, time.Time) {
	tok := "ya29." + rand.Text()
	expiry := s.clock().Add(tokenLifetime)
	s.access[tok] = &accessToken{user: user, client: client, scopes: slices.Clone(scopes), expiry: expiry}
	return tok, expiry
}

// Revoke revokes every token of email, as when the user removes the app or
// changes the password: refreshing answers 400 invalid_grant and API calls
// with its access tokens 401. Tokens issued later work.
func (s *Server) Revoke(email string) {
	user := strings.ToLower(email)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rt := range s.refresh {
		if rt.user == user {
			rt.revoked = true
		}
	}
	for _, at := range s.access {
		if at.user == user {
			at.invalid = true
		}
	}
	for k := range s.consented {
		if k[1] == user {
			delete(s.consented, k)
		}
	}
}

// ExpireAccessTokens invalidates every access token issued so far, so API
// calls answer 401 while refreshing still works. x/oauth2 does not refresh
// on a 401 by itself, which is the trap this exposes.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, at := range s.access {
		at.invalid = true
	}
}

// SetConsentUser makes the authorization endpoint consent as email
// whatever login_hint says, as when someone picks the wrong account;
// "" restores login_hint.
func (s *Server) SetConsentUser(email string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.consentUser = strings.ToLower(email)
}

// UntickScopes makes consent grant every requested scope except these, as
// when a user unticks boxes on the consent screen; no arguments restores
// full grants.
func (s *Server) UntickScopes(scopes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unticked = map[string]bool{}
	for _, sc := range scopes {
		s.unticked[sc] = true
	}
}

// Consent plays the browser: it opens authCodeURL (from
// oauth2.Config.AuthCodeURL) and returns the redirect the authorization
// endpoint answers with, carrying code and state, or error and state.
func (s *Server) Consent(authCodeURL string) (*url.URL, error) {
	c := *s.srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := c.Get(authCodeURL)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode != http.StatusFound {
		return nil, fmt.Errorf("gmailfake: consent: %s: %s", res.Status, strings.TrimSpace(string(body)))
	}
	return url.Parse(res.Header.Get("Location"))
}

// authorize is the consent screen: it approves at once as the consent user
// or login_hint and redirects with a single-use code.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	clientID := q.Get("client_id")
	s.mu.Lock()
	_, known := s.clients[clientID]
	consentUser := s.consentUser
	unticked := s.unticked
	s.mu.Unlock()
	if !known {
		http.Error(w, "Error 401: invalid_client. The OAuth client was not found.", http.StatusUnauthorized)
		return
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || !redirect.IsAbs() {
		http.Error(w, "Error 400: invalid_request. Missing or invalid parameter: redirect_uri", http.StatusBadRequest)
		return
	}
	back := func(v url.Values) {
		if st := q.Get("state"); st != "" {
			v.Set("state", st)
		}
		redirect.RawQuery = v.Encode()
		http.Redirect(w, r, redirect.String(), http.StatusFound)
	}
	if q.Get("response_type") != "code" {
		back(url.Values{"error": {"unsupported_response_type"}})
		return
	}
	scopes := strings.Fields(q.Get("scope"))
	if len(scopes) == 0 {
		http.Error(w, "Error 400: invalid_request. Missing required parameter: scope", http.StatusBadRequest)
		return
	}
	challenge := q.Get("code_challenge")
	method := q.Get("code_challenge_method")
	if challenge != "" {
		method = cmp.Or(method, "plain")
		if method != "S256" && method != "plain" {
			http.Error(w, "Error 400: invalid_request. Invalid code_challenge_method", http.StatusBadRequest)
			return
		}
	}
	user := cmp.Or(consentUser, strings.ToLower(q.Get("login_hint")))
	if user == "" {
		http.Error(w, "gmailfake: no account to consent as: pass login_hint or call SetConsentUser", http.StatusBadRequest)
		return
	}
	granted := slices.DeleteFunc(slices.Clone(scopes), func(sc string) bool { return unticked[sc] })
	code := "4/" + rand.Text()
	s.mu.Lock()
	s.codes[code] = &authCode{
		client: clientID, redirectURI: q.Get("redirect_uri"), user: user, scopes: granted,
		challenge: challenge, method: method, nonce: q.Get("nonce"),
		offline:      q.Get("access_type") == "offline",
		forceConsent: slices.Contains(strings.Fields(q.Get("prompt")), "consent"),
		expiry:       s.clock().Add(10 * time.Minute),
	}
	s.mu.Unlock()
	back(url.Values{"code": {code}, "scope": {strings.Join(granted, " ")}})
}

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope"`
	TokenType    string `json:"token_type"`
	IDToken      string `json:"id_token,omitempty"`
}

func oauthError(w http.ResponseWriter, code int, errCode, description string) {
	writeJSON(w, code, map[string]string{"error": errCode, "error_description": description})
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "refresh_token":
		s.refreshGrant(w, r)
	case "authorization_code":
		s.codeGrant(w, r)
	case "urn:ietf:params:oauth:grant-type:jwt-bearer":
		s.jwtGrant(w, r)
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "Invalid grant_type: "+gt)
	}
}

// clientAuth accepts the client's credentials in the Authorization header
// (URL-encoded, as RFC 6749 and x/oauth2 do) or in the form.
func (s *Server) clientAuth(w http.ResponseWriter, r *http.Request) (string, bool) {
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	s.mu.Lock()
	want, known := s.clients[id]
	s.mu.Unlock()
	if !known || subtle.ConstantTimeCompare([]byte(want), []byte(secret)) != 1 {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "The OAuth client was not found.")
		return "", false
	}
	return id, true
}

func (s *Server) refreshGrant(w http.ResponseWriter, r *http.Request) {
	client, ok := s.clientAuth(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rt := s.refresh[r.PostForm.Get("refresh_token")]
	switch {
	case rt == nil || rt.revoked:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "Token has been expired or revoked.")
		return
	case rt.client != client:
		oauthError(w, http.StatusUnauthorized, "unauthorized_client", "Unauthorized")
		return
	}
	access, _ := s.mintAccess(client, rt.user, rt.scopes)
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken: access, ExpiresIn: int(tokenLifetime.Seconds()),
		Scope: strings.Join(rt.scopes, " "), TokenType: "Bearer",
	})
}

// codeGrant exchanges a code once. A failed PKCE check leaves the code
// usable, so a test can retry the exchange with the right verifier.
func (s *Server) codeGrant(w http.ResponseWriter, r *http.Request) {
	client, ok := s.clientAuth(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	code := s.codes[r.PostForm.Get("code")]
	if code == nil || code.used || code.client != client || !s.clock().Before(code.expiry) {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "Bad Request")
		return
	}
	if r.PostForm.Get("redirect_uri") != code.redirectURI {
		oauthError(w, http.StatusBadRequest, "redirect_uri_mismatch", "Bad Request")
		return
	}
	if code.challenge != "" {
		verifier := r.PostForm.Get("code_verifier")
		if verifier == "" {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "Missing code verifier.")
			return
		}
		got := verifier
		if code.method == "S256" {
			sum := sha256.Sum256([]byte(verifier))
			got = base64.RawURLEncoding.EncodeToString(sum[:])
		}
		if subtle.ConstantTimeCompare([]byte(got), []byte(code.challenge)) != 1 {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "Invalid code verifier.")
			return
		}
	}
	idToken, err := s.idToken(code)
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", "gmailfake: sign ID token: "+err.Error())
		return
	}
	code.used = true
	access, _ := s.mintAccess(client, code.user, code.scopes)
	res := tokenResponse{
		AccessToken: access, ExpiresIn: int(tokenLifetime.Seconds()),
		Scope: strings.Join(code.scopes, " "), TokenType: "Bearer", IDToken: idToken,
	}
	// Google hands out a refresh token only for offline access, and on a
	// repeated consent only when prompt=consent forced the screen.
	key := [2]string{client, code.user}
	if code.offline && (code.forceConsent || !s.consented[key]) {
		res.RefreshToken = "1//" + rand.Text()
		s.refresh[res.RefreshToken] = &refreshToken{user: code.user, client: client, scopes: slices.Clone(code.scopes)}
	}
	s.consented[key] = true
	writeJSON(w, http.StatusOK, res)
}

// AddServiceAccount creates a service account with a fresh RSA key,
// authorized for domain-wide delegation of allowedScopes, and returns its
// JSON key file for google.JWTConfigFromJSON. Its token_uri is TokenURL.
func (s *Server) AddServiceAccount(allowedScopes ...string) []byte {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic("gmailfake: generate service account key: " + err.Error())
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic("gmailfake: marshal service account key: " + err.Error())
	}
	s.mu.Lock()
	n := len(s.accounts) + 1
	sa := &serviceAccount{
		email:    fmt.Sprintf("gmailfake-%d@gmailfake.iam.gserviceaccount.com", n),
		clientID: fmt.Sprintf("1%020d", n),
		keyID:    strings.ToLower(rand.Text()),
		key:      &key.PublicKey,
		allowed:  slices.Clone(allowedScopes),
	}
	s.accounts[sa.email] = sa
	s.mu.Unlock()
	out, err := json.MarshalIndent(map[string]string{
		"type":                        "service_account",
		"project_id":                  "gmailfake",
		"private_key_id":              sa.keyID,
		"private_key":                 string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":                sa.email,
		"client_id":                   sa.clientID,
		"auth_uri":                    s.AuthURL(),
		"token_uri":                   s.TokenURL(),
		"auth_provider_x509_cert_url": s.URL() + "/oauth2/v1/certs",
		"universe_domain":             "googleapis.com",
	}, "", "  ")
	if err != nil {
		panic("gmailfake: encode service account key: " + err.Error())
	}
	return out
}

// jwtGrant is the service account's token request (RFC 7523). With a
// subject it is domain-wide delegation, which the Workspace admin must
// have granted for every requested scope.
func (s *Server) jwtGrant(w http.ResponseWriter, r *http.Request) {
	invalid := func(desc string) { oauthError(w, http.StatusBadRequest, "invalid_grant", desc) }
	segs := strings.Split(r.PostForm.Get("assertion"), ".")
	if len(segs) != 3 {
		invalid("Invalid JWT")
		return
	}
	var hdr struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	var claims struct {
		Iss   string `json:"iss"`
		Scope string `json:"scope"`
		Aud   string `json:"aud"`
		Sub   string `json:"sub"`
		Prn   string `json:"prn"`
		Exp   int64  `json:"exp"`
		Iat   int64  `json:"iat"`
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(segs[0])
	cb, err2 := base64.RawURLEncoding.DecodeString(segs[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(segs[2])
	if err1 != nil || err2 != nil || err3 != nil || json.Unmarshal(hb, &hdr) != nil || json.Unmarshal(cb, &claims) != nil {
		invalid("Invalid JWT")
		return
	}
	if hdr.Alg != "RS256" {
		invalid("Invalid JWT: unsupported alg " + hdr.Alg)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sa := s.accounts[claims.Iss]
	if sa == nil {
		invalid("Invalid grant: account not found")
		return
	}
	digest := sha256.Sum256([]byte(segs[0] + "." + segs[1]))
	if (hdr.Kid != "" && hdr.Kid != sa.keyID) || rsa.VerifyPKCS1v15(sa.key, crypto.SHA256, digest[:], sig) != nil {
		invalid("Invalid JWT Signature.")
		return
	}
	if claims.Aud != s.TokenURL() {
		invalid(fmt.Sprintf("Invalid JWT: Failed audience check. The expected value was %s but the actual value was %s", s.TokenURL(), claims.Aud))
		return
	}
	// x/oauth2 stamps iat and exp from the real time, not Options.Clock,
	// so they are checked against the real time.
	now := time.Now().Unix()
	if claims.Exp <= claims.Iat || claims.Exp-claims.Iat > 3600 || claims.Exp < now-60 || claims.Iat > now+60 {
		invalid("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.")
		return
	}
	scopes := strings.Fields(claims.Scope)
	if len(scopes) == 0 {
		oauthError(w, http.StatusBadRequest, "invalid_scope", "Empty or missing scope not allowed.")
		return
	}
	user := sa.email
	if sub := cmp.Or(claims.Sub, claims.Prn); sub != "" {
		for _, sc := range scopes {
			if !slices.Contains(sa.allowed, sc) {
				oauthError(w, http.StatusUnauthorized, "unauthorized_client",
					"Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.")
				return
			}
		}
		user = strings.ToLower(sub)
		if s.mailboxes[user] == nil {
			invalid("Invalid email or User ID")
			return
		}
	}
	access, _ := s.mintAccess(sa.clientID, user, scopes)
	writeJSON(w, http.StatusOK, tokenResponse{
		AccessToken: access, ExpiresIn: int(tokenLifetime.Seconds()),
		Scope: strings.Join(scopes, " "), TokenType: "Bearer",
	})
}
