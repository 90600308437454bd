package gmailfake_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/matterfile/matterfile/ingest/gmail/gmailfake"
)

// idClaims are the claims a sign-in reads, all of them, so that a missing
// one shows as its zero value.
type idClaims struct {
	Iss           string  `json:"iss"`
	Aud           string  `json:"aud"`
	Sub           string  `json:"sub"`
	Email         *string `json:"email"`
	EmailVerified *bool   `json:"email_verified"`
	HD            *string `json:"hd"`
	Nonce         string  `json:"nonce"`
	Iat           int64   `json:"iat"`
	Exp           int64   `json:"exp"`
}

// signIn runs Google sign-in as email against the fake, through go-oidc's
// discovery and verifier, and returns the ID token's claims, or nil when
// the token response has no id_token.
func signIn(t *testing.T, fake *gmailfake.Server, email string, scopes ...string) *idClaims {
	t.Helper()
	ctx := t.Context()
	provider, err := oidc.NewProvider(ctx, fake.Issuer())
	require.NoError(t, err)
	cfg := &oauth2.Config{ClientID: "cid", ClientSecret: "secret", RedirectURL: redirect, Endpoint: provider.Endpoint(), Scopes: scopes}
	verifier := oauth2.GenerateVerifier()
	fake.SetConsentUser(email)
	loc, err := fake.Consent(cfg.AuthCodeURL("st", oidc.Nonce("n-123"), oauth2.S256ChallengeOption(verifier)))
	require.NoError(t, err)
	tok, err := cfg.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return nil
	}
	idt, err := provider.Verifier(&oidc.Config{ClientID: "cid"}).Verify(ctx, raw)
	require.NoError(t, err, "go-oidc verifies the fake's token against its discovery and JWKS")
	var c idClaims
	require.NoError(t, idt.Claims(&c))
	return &c
}

func TestOIDCSignInIssuesVerifiableIDToken(t *testing.T) {
	b := setup(t, gmailfake.Options{})
	start := time.Now().Add(-time.Minute).Unix()
	c := signIn(t, b.fake, alice, gmailfake.ScopeOpenID, gmailfake.ScopeEmail)
	require.NotNil(t, c)
	require.Equal(t, b.fake.Issuer(), c.Iss)
	require.Equal(t, "cid", c.Aud)
	require.Equal(t, gmailfake.Subject(alice), c.Sub)
	require.Len(t, c.Sub, 21)
	require.NotContains(t, c.Sub, "alice")
	require.Equal(t, alice, *c.Email)
	require.True(t, *c.EmailVerified)
	require.Equal(t, "firm.example", *c.HD, "hd defaults to the address's domain")
	require.Equal(t, "n-123", c.Nonce)
	require.GreaterOrEqual(t, c.Iat, start)
	require.Equal(t, int64(3600), c.Exp-c.Iat)
}

func TestOIDCHostedDomain(t *testing.T) {
	b := setup(t, gmailfake.Options{})
	const consumer = "someone@gmail.com"
	const alias = "carol@firm-alias.example"
	require.Nil(t, signIn(t, b.fake, consumer, gmailfake.ScopeOpenID, gmailfake.ScopeEmail).HD, "a consumer account has no hd")

	b.fake.SetHostedDomain(alias, "firm.example")
	require.Equal(t, "firm.example", *signIn(t, b.fake, alias, gmailfake.ScopeOpenID, gmailfake.ScopeEmail).HD)

	b.fake.SetHostedDomain(bob, "")
	require.Nil(t, signIn(t, b.fake, bob, gmailfake.ScopeOpenID, gmailfake.ScopeEmail).HD, "a company address on a consumer account")
}

func TestOIDCEmailClaims(t *testing.T) {
	b := setup(t, gmailfake.Options{})
	b.fake.SetEmailVerified(bob, false)
	c := signIn(t, b.fake, bob, gmailfake.ScopeOpenID, gmailfake.ScopeEmail)
	require.False(t, *c.EmailVerified)

	c = signIn(t, b.fake, alice, gmailfake.ScopeOpenID)
	require.Nil(t, c.Email, "no email scope, no email claim")
	require.Nil(t, c.EmailVerified)
	require.Equal(t, gmailfake.Subject(alice), c.Sub)

	require.Nil(t, signIn(t, b.fake, alice, gmailfake.ScopeReadonly), "no openid scope, no id_token")
}

func TestOIDCDiscoveryDocument(t *testing.T) {
	b := setup(t, gmailfake.Options{})
	res, err := http.Get(b.fake.Issuer() + "/.well-known/openid-configuration")
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	var doc map[string]any
	require.NoError(t, json.NewDecoder(res.Body).Decode(&doc))
	require.Equal(t, b.fake.Issuer(), doc["issuer"])
	require.Equal(t, b.fake.AuthURL(), doc["authorization_endpoint"])
	require.Equal(t, b.fake.TokenURL(), doc["token_endpoint"])
	require.Equal(t, b.fake.JWKSURL(), doc["jwks_uri"])
	require.Contains(t, doc["code_challenge_methods_supported"], "S256")

	keys, err := http.Get(b.fake.JWKSURL())
	require.NoError(t, err)
	defer keys.Body.Close()
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	require.NoError(t, json.NewDecoder(keys.Body).Decode(&set))
	require.Len(t, set.Keys, 1)
	require.Equal(t, "RSA", set.Keys[0]["kty"])
	require.Equal(t, "RS256", set.Keys[0]["alg"])
	require.NotContains(t, set.Keys[0], "d", "the private exponent is never published")
}
