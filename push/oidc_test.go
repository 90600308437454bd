package push_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/api/idtoken"
	"google.golang.org/api/option"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/catalog/catalogtest"
	"github.com/matterfile/matterfile/push"
)

// certsTransport answers Google's certificate URL with our test key, so
// the real idtoken validator checks signatures made here.
type certsTransport struct{ jwks []byte }

func (c certsTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host != "www.googleapis.com" {
		return &http.Response{StatusCode: 404, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(string(c.jwks))), Request: r}, nil
}

func signJWT(t *testing.T, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	head := enc(map[string]string{"alg": "RS256", "typ": "JWT", "kid": kid})
	body := enc(claims)
	sum := sha256.Sum256([]byte(head + "." + body))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	require.NoError(t, err)
	return head + "." + body + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// Attack 37 with Pub/Sub's OIDC tokens: only a Google-signed token for
// the subscription's audience and service account queues a sync.
func TestPushOIDC(t *testing.T) {
	ctx := context.Background()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	jwks, err := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "k1",
		"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
	}}})
	require.NoError(t, err)
	v, err := idtoken.NewValidator(ctx, option.WithHTTPClient(&http.Client{Transport: certsTransport{jwks}}))
	require.NoError(t, err)

	cat, _ := catalogtest.New(t)
	require.NoError(t, cat.CreateTenant(ctx, "firm"))
	tn, _ := cat.Open(ctx, "firm")
	mb, err := tn.EnsureMailbox(ctx, "ann@firm.example")
	require.NoError(t, err)
	require.NoError(t, tn.SaveGmailState(ctx, mb.ID, catalog.GmailState{Status: catalog.StatusActive}))

	const aud, sa = "https://matterfile.firm.example/gmail/push/firm", "pubsub-push@firm-project.iam.gserviceaccount.com"
	_, err = push.New(push.Config{Audience: aud, Catalog: cat, Enqueuer: &fakeQueue{}})
	require.Error(t, err, "half an OIDC configuration is refused")

	good := map[string]any{"iss": "https://accounts.google.com", "aud": aud, "email": sa, "email_verified": true,
		"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix(), "sub": "1"}
	with := func(k string, val any) map[string]any {
		c := map[string]any{}
		for a, b := range good {
			c[a] = b
		}
		c[k] = val
		return c
	}
	for _, tc := range []struct {
		name  string
		token string
		want  int
	}{
		{"valid", signJWT(t, key, "k1", good), 204},
		{"other key", signJWT(t, other, "k1", good), 401},
		{"wrong audience", signJWT(t, key, "k1", with("aud", "https://evil.example/")), 401},
		{"wrong account", signJWT(t, key, "k1", with("email", "eve@evil.iam.gserviceaccount.com")), 401},
		{"unverified email", signJWT(t, key, "k1", with("email_verified", false)), 401},
		{"wrong issuer", signJWT(t, key, "k1", with("iss", "https://evil.example")), 401},
		{"expired", signJWT(t, key, "k1", with("exp", time.Now().Add(-time.Hour).Unix())), 401},
		{"not a jwt", "a.b.c", 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := &fakeQueue{}
			h, err := push.New(push.Config{Audience: aud, ServiceAccount: sa, Validator: v, Catalog: cat, Enqueuer: q})
			require.NoError(t, err)
			req := httptest.NewRequest(http.MethodPost, "/gmail/push/firm", strings.NewReader(body("ann@firm.example", "9")))
			req.Header.Set("Authorization", "Bearer "+tc.token)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			require.Equal(t, tc.want, rec.Code)
			if tc.want == 204 {
				require.Len(t, q.tasks, 1)
			} else {
				require.Empty(t, q.tasks)
			}
		})
	}
}
