package sealed

// KMS root keys against loopback fakes: a Vault transit server over TLS, the
// AWS KMS JSON API and the Cloud KMS gRPC service. Each fake does real
// AES-GCM with its own key, so a round trip works only through the key that
// sealed the value. No request leaves the machine.

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash/crc32"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	kmspb "cloud.google.com/go/kms/apiv1/kmspb"
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/kms"
	"github.com/aws/aws-sdk-go/service/kms/kmsiface"
	"github.com/stretchr/testify/require"
	"github.com/tink-crypto/tink-go/v2/tink"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// fakeKey is one fake KMS key: AES-256-GCM, random nonce prepended.
type fakeKey struct{ gcm cipher.AEAD }

func newFakeKey(t *testing.T) *fakeKey {
	t.Helper()
	k := make([]byte, 32)
	_, err := rand.Read(k)
	require.NoError(t, err)
	b, err := aes.NewCipher(k)
	require.NoError(t, err)
	gcm, err := cipher.NewGCM(b)
	require.NoError(t, err)
	return &fakeKey{gcm}
}

func (k *fakeKey) seal(pt, ad []byte) []byte {
	nonce := make([]byte, k.gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	return k.gcm.Seal(nonce, nonce, pt, ad)
}

func (k *fakeKey) open(ct, ad []byte) ([]byte, error) {
	n := k.gcm.NonceSize()
	if len(ct) < n {
		return nil, errors.New("short ciphertext")
	}
	return k.gcm.Open(nil, ct[:n], ct[n:], ad)
}

// fakeKMS holds the keys of one fake service. decrypt, when set, replaces
// the key used to decrypt (a KMS answering with the wrong key).
type fakeKMS struct {
	mu      sync.Mutex
	keys    map[string]*fakeKey
	decrypt *fakeKey
	seen    []map[string]any // request bodies, for checking the wire form
}

func (f *fakeKMS) key(name string, decrypting bool) *fakeKey {
	f.mu.Lock()
	defer f.mu.Unlock()
	if decrypting && f.decrypt != nil {
		return f.decrypt
	}
	return f.keys[name]
}

func (f *fakeKMS) record(body map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seen = append(f.seen, body)
}

func (f *fakeKMS) requests() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.seen...)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func requireRoundTrip(t *testing.T, a tink.AEAD) {
	t.Helper()
	secret := []byte("tenant keyset bytes")
	ad := []byte("tenant acme")
	ct, err := a.Encrypt(secret, ad)
	require.NoError(t, err)
	require.False(t, bytes.Contains(ct, secret))
	pt, err := a.Decrypt(ct, ad)
	require.NoError(t, err)
	require.Equal(t, secret, pt)
	_, err = a.Decrypt(ct, []byte("tenant other"))
	require.Error(t, err, "associated data is bound")
}

// --- HashiCorp Vault transit ---

const testVaultToken = "hvs.test-token-never-printed"

// fakeVault serves /v1/<mount>/{encrypt,decrypt}/<name> as Vault's transit
// engine does, with the request fields the tink-go-hcvault client sends:
// base64 plaintext, vault:v1: ciphertext, base64 associated_data.
func fakeVault(t *testing.T, f *fakeKMS, wantToken string) *httptest.Server {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut && r.Method != http.MethodPost {
			writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"errors": []string{"method"}})
			return
		}
		if r.Header.Get("X-Vault-Token") != wantToken {
			writeJSON(w, http.StatusForbidden, map[string]any{"errors": []string{"permission denied"}})
			return
		}
		parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/v1/"), "/")
		if len(parts) != 3 || parts[0] != "transit" {
			writeJSON(w, http.StatusNotFound, map[string]any{"errors": []string{}})
			return
		}
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []string{"bad json"}})
			return
		}
		f.record(body)
		str := func(k string) string { s, _ := body[k].(string); return s }
		ad, err := base64.StdEncoding.DecodeString(str("associated_data"))
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []string{"bad associated_data"}})
			return
		}
		key := f.key(parts[2], parts[1] == "decrypt")
		if key == nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []string{"encryption key not found"}})
			return
		}
		switch parts[1] {
		case "encrypt":
			pt, err := base64.StdEncoding.DecodeString(str("plaintext"))
			if err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []string{"bad plaintext"}})
				return
			}
			ct := "vault:v1:" + base64.StdEncoding.EncodeToString(key.seal(pt, ad))
			writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"ciphertext": ct, "key_version": 1}})
		case "decrypt":
			raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(str("ciphertext"), "vault:v1:"))
			if err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []string{"invalid ciphertext"}})
				return
			}
			pt, err := key.open(raw, ad)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []string{"cipher: message authentication failed"}})
				return
			}
			writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"plaintext": base64.StdEncoding.EncodeToString(pt)}})
		default:
			writeJSON(w, http.StatusNotFound, map[string]any{"errors": []string{}})
		}
	}))
	t.Cleanup(srv.Close)
	old := vaultRootCAs
	vaultRootCAs = srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	t.Cleanup(func() { vaultRootCAs = old })
	return srv
}

func vaultURI(srv *httptest.Server, name string) string {
	return "hcvault://" + srv.Listener.Addr().String() + "/transit/keys/" + name
}

func TestVaultRootKey(t *testing.T) {
	f := &fakeKMS{keys: map[string]*fakeKey{"root": newFakeKey(t)}}
	srv := fakeVault(t, f, testVaultToken)
	t.Setenv("VAULT_TOKEN", testVaultToken)
	t.Setenv("VAULT_TOKEN_FILE", "")

	a, err := OpenRootKey(vaultURI(srv, "root"), true)
	require.NoError(t, err)
	requireRoundTrip(t, a)

	reqs := f.requests()
	require.NotEmpty(t, reqs)
	probe := reqs[0]
	require.Contains(t, probe, "plaintext")
	require.Equal(t, base64.StdEncoding.EncodeToString([]byte(probeAD)), probe["associated_data"],
		"the probe's associated data goes to transit's associated_data")

	// A value sealed by this key does not open through another Vault
	// whose key of the same name differs.
	ct, err := a.Encrypt([]byte("keyset"), nil)
	require.NoError(t, err)
	other := fakeVault(t, &fakeKMS{keys: map[string]*fakeKey{"root": newFakeKey(t)}}, testVaultToken)
	b, err := OpenRootKey(vaultURI(other, "root"), false)
	require.NoError(t, err)
	_, err = b.Decrypt(ct, nil)
	require.Error(t, err)
}

func TestVaultRootKeyTokenFile(t *testing.T) {
	f := &fakeKMS{keys: map[string]*fakeKey{"root": newFakeKey(t)}}
	srv := fakeVault(t, f, testVaultToken)
	file := filepath.Join(t.TempDir(), "vault-token")
	require.NoError(t, os.WriteFile(file, []byte(testVaultToken+"\n"), 0o600))
	t.Setenv("VAULT_TOKEN", "")
	t.Setenv("VAULT_TOKEN_FILE", file)
	a, err := OpenRootKey(vaultURI(srv, "root"), false)
	require.NoError(t, err)
	requireRoundTrip(t, a)

	t.Setenv("VAULT_TOKEN_FILE", "")
	_, err = OpenRootKey(vaultURI(srv, "root"), false)
	require.ErrorIs(t, err, ErrRootKey, "no token")
	require.Contains(t, err.Error(), "VAULT_TOKEN")

	t.Setenv("VAULT_TOKEN_FILE", filepath.Join(t.TempDir(), "missing"))
	_, err = OpenRootKey(vaultURI(srv, "root"), false)
	require.ErrorIs(t, err, ErrRootKey, "unreadable token file")
}

func TestVaultRootKeyForbidden(t *testing.T) {
	f := &fakeKMS{keys: map[string]*fakeKey{"root": newFakeKey(t)}}
	srv := fakeVault(t, f, "hvs.another-token")
	t.Setenv("VAULT_TOKEN", testVaultToken)
	_, err := OpenRootKey(vaultURI(srv, "root"), false)
	require.ErrorIs(t, err, ErrRootKey)
	require.Contains(t, err.Error(), "hcvault")
	require.Contains(t, err.Error(), "403")
	require.NotContains(t, err.Error(), testVaultToken)
	require.NotContains(t, err.Error(), "test-token")
}

func TestVaultRootKeyWrongKey(t *testing.T) {
	t.Setenv("VAULT_TOKEN", testVaultToken)
	f := &fakeKMS{keys: map[string]*fakeKey{"root": newFakeKey(t)}}
	srv := fakeVault(t, f, testVaultToken)

	// A key name the server does not hold.
	_, err := OpenRootKey(vaultURI(srv, "missing"), false)
	require.ErrorIs(t, err, ErrRootKey)
	require.Contains(t, err.Error(), "hcvault")

	// A server whose decrypt key is not its encrypt key.
	f.decrypt = newFakeKey(t)
	_, err = OpenRootKey(vaultURI(srv, "root"), false)
	require.ErrorIs(t, err, ErrRootKey)
	require.Contains(t, err.Error(), "probe")
	require.NotContains(t, err.Error(), testVaultToken)
}

func TestVaultRootKeyUnreachable(t *testing.T) {
	t.Setenv("VAULT_TOKEN", testVaultToken)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	_, err = OpenRootKey("hcvault://"+addr+"/transit/keys/root", false)
	require.ErrorIs(t, err, ErrRootKey)
	require.NotContains(t, err.Error(), testVaultToken)
}

// --- AWS KMS ---

const (
	awsKeyARN    = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	awsAccessKey = "AKIDMATTERFILETEST"
	awsSecretKey = "aws-secret-never-printed"
)

// fakeAWSKMS answers TrentService.Encrypt and .Decrypt in the AWS JSON 1.1
// protocol, binding the encryption context as GCM associated data.
func fakeAWSKMS(t *testing.T, f *fakeKMS, allowedAccessKey string) *httptest.Server {
	t.Helper()
	fail := func(w http.ResponseWriter, typ, msg string) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Authorization"), "Credential="+allowedAccessKey+"/") {
			fail(w, "AccessDeniedException", "User is not authorized to perform kms:Encrypt")
			return
		}
		var req struct {
			KeyId             string
			Plaintext         []byte
			CiphertextBlob    []byte
			EncryptionContext map[string]string
		}
		var raw map[string]any
		body := new(bytes.Buffer)
		_, _ = body.ReadFrom(r.Body)
		if err := json.Unmarshal(body.Bytes(), &req); err != nil || json.Unmarshal(body.Bytes(), &raw) != nil {
			fail(w, "SerializationException", "bad body")
			return
		}
		f.record(raw)
		var ks []string
		for k := range req.EncryptionContext {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		var ad []byte
		for _, k := range ks {
			ad = append(ad, k+"="+req.EncryptionContext[k]+";"...)
		}
		switch r.Header.Get("X-Amz-Target") {
		case "TrentService.Encrypt":
			key := f.key(req.KeyId, false)
			if key == nil {
				fail(w, "NotFoundException", "key not found")
				return
			}
			writeJSON(w, http.StatusOK, map[string]any{"CiphertextBlob": key.seal(req.Plaintext, ad), "KeyId": req.KeyId})
		case "TrentService.Decrypt":
			key := f.key(req.KeyId, true)
			if key == nil {
				fail(w, "NotFoundException", "key not found")
				return
			}
			pt, err := key.open(req.CiphertextBlob, ad)
			if err != nil {
				fail(w, "InvalidCiphertextException", "")
				return
			}
			writeJSON(w, http.StatusOK, map[string]any{"Plaintext": pt, "KeyId": req.KeyId})
		default:
			fail(w, "UnknownOperationException", "")
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// useAWS points the aws-kms client at srv with a fixed access key.
func useAWS(t *testing.T, srv *httptest.Server, accessKey string, regions *[]string) {
	t.Helper()
	old := awsKMSForTest
	awsKMSForTest = func(region string) (kmsiface.KMSAPI, error) {
		*regions = append(*regions, region)
		s, err := session.NewSession(&aws.Config{
			Region:      aws.String(region),
			Endpoint:    aws.String(srv.URL),
			Credentials: credentials.NewStaticCredentials(accessKey, awsSecretKey, ""),
			MaxRetries:  aws.Int(0),
		})
		if err != nil {
			return nil, err
		}
		return kms.New(s), nil
	}
	t.Cleanup(func() { awsKMSForTest = old })
}

func TestAWSKMSRootKey(t *testing.T) {
	f := &fakeKMS{keys: map[string]*fakeKey{awsKeyARN: newFakeKey(t)}}
	srv := fakeAWSKMS(t, f, awsAccessKey)
	var regions []string
	useAWS(t, srv, awsAccessKey, &regions)

	a, err := OpenRootKey("aws-kms://"+awsKeyARN, false)
	require.NoError(t, err)
	require.Equal(t, []string{"eu-west-1"}, regions, "region from the ARN")
	requireRoundTrip(t, a)
	probe := f.requests()[0]
	require.Equal(t, awsKeyARN, probe["KeyId"])
	require.Equal(t, map[string]any{"associatedData": hex.EncodeToString([]byte(probeAD))}, probe["EncryptionContext"])

	// Denied: the error names the scheme, not the credentials.
	useAWS(t, srv, "AKIDSOMEONEELSE", &regions)
	_, err = OpenRootKey("aws-kms://"+awsKeyARN, false)
	require.ErrorIs(t, err, ErrRootKey)
	require.Contains(t, err.Error(), "aws-kms")
	require.Contains(t, err.Error(), "AccessDenied")
	require.NotContains(t, err.Error(), awsSecretKey)

	// A key the account does not hold, then a KMS decrypting with another key.
	useAWS(t, srv, awsAccessKey, &regions)
	_, err = OpenRootKey("aws-kms://arn:aws:kms:eu-west-1:123456789012:alias/other", false)
	require.ErrorIs(t, err, ErrRootKey)
	f.decrypt = newFakeKey(t)
	_, err = OpenRootKey("aws-kms://"+awsKeyARN, false)
	require.ErrorIs(t, err, ErrRootKey)
	require.Contains(t, err.Error(), "probe")
}

// --- Google Cloud KMS ---

const gcpKeyName = "projects/firm/locations/europe-west2/keyRings/matterfile/cryptoKeys/root"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func crc(b []byte) int64 { return int64(crc32.Checksum(b, castagnoli)) }

// fakeCloudKMS implements Encrypt and Decrypt of Cloud KMS's gRPC service,
// with its CRC32C integrity fields.
type fakeCloudKMS struct {
	kmspb.UnimplementedKeyManagementServiceServer
	f    *fakeKMS
	deny bool
}

func (s *fakeCloudKMS) Encrypt(_ context.Context, req *kmspb.EncryptRequest) (*kmspb.EncryptResponse, error) {
	if s.deny {
		return nil, status.Error(codes.PermissionDenied, "Permission 'cloudkms.cryptoKeyVersions.useToEncrypt' denied")
	}
	key := s.f.key(req.GetName(), false)
	if key == nil {
		return nil, status.Error(codes.NotFound, "CryptoKey not found")
	}
	s.f.record(map[string]any{"name": req.GetName(), "aad": string(req.GetAdditionalAuthenticatedData())})
	ct := key.seal(req.GetPlaintext(), req.GetAdditionalAuthenticatedData())
	return &kmspb.EncryptResponse{
		Name:                    req.GetName() + "/cryptoKeyVersions/1",
		Ciphertext:              ct,
		CiphertextCrc32C:        wrapperspb.Int64(crc(ct)),
		VerifiedPlaintextCrc32C: req.GetPlaintextCrc32C().GetValue() == crc(req.GetPlaintext()),
		VerifiedAdditionalAuthenticatedDataCrc32C: req.GetAdditionalAuthenticatedDataCrc32C().GetValue() == crc(req.GetAdditionalAuthenticatedData()),
	}, nil
}

func (s *fakeCloudKMS) Decrypt(_ context.Context, req *kmspb.DecryptRequest) (*kmspb.DecryptResponse, error) {
	if s.deny {
		return nil, status.Error(codes.PermissionDenied, "Permission 'cloudkms.cryptoKeyVersions.useToDecrypt' denied")
	}
	key := s.f.key(req.GetName(), true)
	if key == nil {
		return nil, status.Error(codes.NotFound, "CryptoKey not found")
	}
	pt, err := key.open(req.GetCiphertext(), req.GetAdditionalAuthenticatedData())
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, "Decryption failed: the ciphertext is invalid.")
	}
	return &kmspb.DecryptResponse{Plaintext: pt, PlaintextCrc32C: wrapperspb.Int64(crc(pt))}, nil
}

func fakeGCPKMS(t *testing.T, s *fakeCloudKMS) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	g := grpc.NewServer()
	kmspb.RegisterKeyManagementServiceServer(g, s)
	go func() { _ = g.Serve(l) }()
	t.Cleanup(g.Stop)
	old := gcpOptionsForTest
	gcpOptionsForTest = []option.ClientOption{
		option.WithEndpoint(l.Addr().String()),
		option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
	}
	t.Cleanup(func() { gcpOptionsForTest = old })
}

func TestGCPKMSRootKey(t *testing.T) {
	f := &fakeKMS{keys: map[string]*fakeKey{gcpKeyName: newFakeKey(t)}}
	s := &fakeCloudKMS{f: f}
	fakeGCPKMS(t, s)

	a, err := OpenRootKey("gcp-kms://"+gcpKeyName, false)
	require.NoError(t, err)
	requireRoundTrip(t, a)
	probe := f.requests()[0]
	require.Equal(t, gcpKeyName, probe["name"])
	require.Equal(t, probeAD, probe["aad"])

	s.deny = true
	_, err = OpenRootKey("gcp-kms://"+gcpKeyName, false)
	require.ErrorIs(t, err, ErrRootKey)
	require.Contains(t, err.Error(), "gcp-kms")
	require.Contains(t, err.Error(), "PermissionDenied")
	s.deny = false

	_, err = OpenRootKey("gcp-kms://projects/firm/locations/europe-west2/keyRings/matterfile/cryptoKeys/other", false)
	require.ErrorIs(t, err, ErrRootKey)

	f.decrypt = newFakeKey(t)
	_, err = OpenRootKey("gcp-kms://"+gcpKeyName, false)
	require.ErrorIs(t, err, ErrRootKey)
	require.Contains(t, err.Error(), "probe")
}

// --- URI shapes and the local key file ---

func TestKMSKeyURIShapes(t *testing.T) {
	t.Setenv("VAULT_TOKEN", testVaultToken)
	for _, uri := range []string{
		"aws-kms://arn",
		"aws-kms://arn:aws:kms:eu-west-1:123:key/x",
		"aws-kms://arn:aws:s3:eu-west-1:123456789012:key/x",
		"gcp-kms://projects/p/keyRings/r/cryptoKeys/k",
		"gcp-kms://projects/p/locations/l/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1",
		"hcvault:///transit/keys/root",
		"hcvault://127.0.0.1:1/transit/root",
		"hcvault://s.token@127.0.0.1:1/transit/keys/root",
		"hcvault://127.0.0.1:1/transit/keys/root?token=x",
	} {
		_, err := OpenRootKey(uri, false)
		require.ErrorIs(t, err, ErrRootKey, uri)
		require.NotContains(t, err.Error(), "s.token", uri)
	}
}

func TestRootKeyFileInGitTree(t *testing.T) {
	for _, gitEntry := range []string{"dir", "file"} {
		t.Run(gitEntry, func(t *testing.T) {
			repo := t.TempDir()
			if gitEntry == "dir" {
				require.NoError(t, os.Mkdir(filepath.Join(repo, ".git"), 0o755))
			} else {
				require.NoError(t, os.WriteFile(filepath.Join(repo, ".git"), []byte("gitdir: /elsewhere\n"), 0o644))
			}
			path := filepath.Join(repo, "deploy", "data", "root.key")
			_, err := OpenRootKey("file://"+path, true)
			require.ErrorIs(t, err, ErrRootKey)
			require.Contains(t, err.Error(), "git working tree")
			require.NoFileExists(t, path, "no key is created inside a repository")
		})
	}

	t.Run("existing key", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "root.key")
		_, err := OpenRootKey("file://"+path, true)
		require.NoError(t, err)
		require.NoError(t, os.Mkdir(filepath.Join(dir, ".git"), 0o755))
		_, err = OpenRootKey("file://"+path, false)
		require.ErrorIs(t, err, ErrRootKey)
		require.Contains(t, err.Error(), "git working tree")
	})

	t.Run("symlink into a repository", func(t *testing.T) {
		repo := t.TempDir()
		require.NoError(t, os.Mkdir(filepath.Join(repo, ".git"), 0o755))
		link := filepath.Join(t.TempDir(), "keys")
		require.NoError(t, os.Symlink(repo, link))
		_, err := OpenRootKey("file://"+filepath.Join(link, "root.key"), true)
		require.ErrorIs(t, err, ErrRootKey)
		require.NoFileExists(t, filepath.Join(repo, "root.key"))
	})

	t.Run("this repository", func(t *testing.T) {
		wd, err := os.Getwd()
		require.NoError(t, err)
		if _, ok := gitTreeOf(wd); !ok {
			t.Skip("not run from a git working tree")
		}
		path := filepath.Join(wd, "testdata-root.key")
		_, err = OpenRootKey("file://"+path, true)
		require.ErrorIs(t, err, ErrRootKey)
		require.NoFileExists(t, path)
	})

	t.Run("outside a repository", func(t *testing.T) {
		_, err := OpenRootKey("file://"+filepath.Join(t.TempDir(), "root.key"), true)
		require.NoError(t, err)
	})
}
