package sealed

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go/service/kms/kmsiface"
	vault "github.com/hashicorp/vault/api"
	"github.com/tink-crypto/tink-go-awskms/v2/integration/awskms"
	"github.com/tink-crypto/tink-go-gcpkms/v2/integration/gcpkms"
	"github.com/tink-crypto/tink-go-hcvault/v2/integration/hcvault"
	tinksubtle "github.com/tink-crypto/tink-go/v2/aead/subtle"
	"github.com/tink-crypto/tink-go/v2/tink"
	"google.golang.org/api/option"
)

// RootKeySize is the size of a local root key file: one AES-256 key.
const RootKeySize = 32

// ErrRootKey is wrapped by every failure to obtain the root key. A tenant
// whose keysets cannot be unwrapped is unavailable: there is no fallback key.
var ErrRootKey = errors.New("root key unavailable")

// probeAD is the associated data of the start-up round trip through a KMS.
const probeAD = "matterfile root key probe"

// probeTimeout bounds the start-up probe when the caller's context has no
// earlier deadline, so an unreachable KMS fails start-up instead of hanging.
const probeTimeout = 30 * time.Second

// Key URI shapes. They follow what the Tink KMS clients accept.
var (
	// aws-kms://arn:<partition>:kms:<region>:<account>:key/<id> or alias/<name>.
	awsKeyURI = regexp.MustCompile(`^aws-kms://arn:aws[a-z-]*:kms:([a-z0-9-]+):[0-9]{12}:(key/[A-Za-z0-9-]+|alias/[A-Za-z0-9/_-]+)$`)
	// gcp-kms://projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>.
	gcpKeyURI = regexp.MustCompile(`^gcp-kms://projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$`)
	// The path of hcvault://host[:port]/<mount>/keys/<name>.
	vaultKeyPath = regexp.MustCompile(`^/[^/]+(/[^/]+)*/keys/[^/]+$`)
)

// Test seams, unset in production: they point the KMS clients at loopback
// fakes. Production always uses the platform's credentials and endpoints.
var (
	awsKMSForTest     func(region string) (kmsiface.KMSAPI, error)
	gcpOptionsForTest []option.ClientOption
	vaultRootCAs      *x509.CertPool // nil: the system roots
)

// OpenRootKey is OpenRootKeyContext with a background context.
func OpenRootKey(uri string, create bool) (tink.AEAD, error) {
	return OpenRootKeyContext(context.Background(), uri, create)
}

// OpenRootKeyContext returns the key-encryption AEAD named by uri:
//
//   - file:///absolute/path: a 32-byte local key file. With create set, a
//     missing key file is created (32 random bytes, mode 0600, exclusive
//     create so two processes never race to different keys). An existing key
//     file is never replaced; one readable by group or others, or one inside
//     a git working tree, is refused.
//   - aws-kms://arn:aws:kms:<region>:<account>:key/<id> (or alias/<name>):
//     AWS KMS through Tink's awskms client; credentials from the AWS default
//     chain, region from the ARN.
//   - gcp-kms://projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>: Cloud
//     KMS through Tink's gcpkms client; Application Default Credentials.
//   - hcvault://host[:port]/<mount>/keys/<name> (usually /transit/keys/<name>):
//     Vault transit through Tink's hcvault client, over HTTPS to host with
//     the system roots; token from VAULT_TOKEN or the file VAULT_TOKEN_FILE.
//
// create only concerns file URIs: KMS keys are never created here.
//
// A KMS key is probed once (encrypt then decrypt a random value) so a wrong
// key, a missing permission or an unreachable KMS refuses start-up. Every
// failure wraps ErrRootKey and names the scheme, never a credential.
func OpenRootKeyContext(ctx context.Context, uri string, create bool) (tink.AEAD, error) {
	scheme, _, _ := strings.Cut(uri, ":")
	var (
		a      tink.AEAD
		redact = func(s string) string { return s }
		done   = func() {}
		err    error
	)
	switch scheme = strings.ToLower(scheme); scheme {
	case "file":
		return openLocalRootKey(uri, create)
	case "aws-kms":
		a, err = openAWSKMS(uri)
	case "gcp-kms":
		a, done, err = openGCPKMS(ctx, uri)
	case "hcvault":
		var token string
		a, token, err = openVault(uri)
		redact = func(s string) string { return strings.ReplaceAll(s, token, "[token]") }
	default:
		return nil, fmt.Errorf("key uri scheme %q: want file://, aws-kms://, gcp-kms:// or hcvault://: %w", scheme, ErrRootKey)
	}
	if err != nil {
		return nil, err
	}
	if err := probe(ctx, a); err != nil {
		done()
		// One line, whatever the client's error layout; the token redacted.
		msg := strings.Join(strings.Fields(redact(err.Error())), " ")
		return nil, fmt.Errorf("root key %s: probe failed (wrong key, missing permission or KMS unreachable): %s: %w", scheme, msg, ErrRootKey)
	}
	return a, nil
}

// probe encrypts and decrypts a random value with the KMS key, so that
// start-up fails rather than the first tenant.
func probe(ctx context.Context, a tink.AEAD) error {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	want := make([]byte, 16)
	if _, err := rand.Read(want); err != nil {
		return errors.New("random probe value")
	}
	ad := []byte(probeAD)
	res := make(chan error, 1)
	go func() {
		var (
			ct, pt []byte
			err    error
		)
		if ac, ok := a.(tink.AEADWithContext); ok {
			ct, err = ac.EncryptWithContext(ctx, want, ad)
		} else {
			ct, err = a.Encrypt(want, ad)
		}
		if err != nil {
			res <- fmt.Errorf("encrypt: %v", err)
			return
		}
		if ac, ok := a.(tink.AEADWithContext); ok {
			pt, err = ac.DecryptWithContext(ctx, ct, ad)
		} else {
			pt, err = a.Decrypt(ct, ad)
		}
		if err != nil {
			res <- fmt.Errorf("decrypt: %v", err)
			return
		}
		if subtle.ConstantTimeCompare(pt, want) != 1 {
			res <- errors.New("decrypt returned a different value")
			return
		}
		res <- nil
	}()
	select {
	case err := <-res:
		return err
	case <-ctx.Done():
		return fmt.Errorf("no answer: %v", ctx.Err())
	}
}

func openAWSKMS(uri string) (tink.AEAD, error) {
	m := awsKeyURI.FindStringSubmatch(uri)
	if m == nil {
		return nil, fmt.Errorf("key uri: want aws-kms://arn:aws:kms:<region>:<account>:key/<id> or alias/<name>: %w", ErrRootKey)
	}
	var opts []awskms.ClientOption
	if awsKMSForTest != nil {
		k, err := awsKMSForTest(m[1])
		if err != nil {
			return nil, fmt.Errorf("root key aws-kms: client: %v: %w", err, ErrRootKey)
		}
		opts = append(opts, awskms.WithKMS(k))
	}
	// Without WithKMS the client uses the AWS default credential chain and
	// the region of the ARN.
	c, err := awskms.NewClientWithOptions(uri, opts...)
	if err != nil {
		return nil, fmt.Errorf("root key aws-kms: client: %v: %w", err, ErrRootKey)
	}
	a, err := c.GetAEAD(uri)
	if err != nil {
		return nil, fmt.Errorf("root key aws-kms: %v: %w", err, ErrRootKey)
	}
	return a, nil
}

func openGCPKMS(ctx context.Context, uri string) (tink.AEAD, func(), error) {
	if !gcpKeyURI.MatchString(uri) {
		return nil, nil, fmt.Errorf("key uri: want gcp-kms://projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>: %w", ErrRootKey)
	}
	var opts []gcpkms.Option
	if gcpOptionsForTest != nil {
		opts = append(opts, gcpkms.WithGoogleAPIClientOptions(gcpOptionsForTest...))
	}
	// gRPC (the client's default) with Application Default Credentials.
	c, err := gcpkms.NewClient(ctx, uri, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("root key gcp-kms: client: %v: %w", err, ErrRootKey)
	}
	closeClient := func() { c.Close() }
	a, err := c.GetAEAD(uri)
	if err != nil {
		closeClient()
		return nil, nil, fmt.Errorf("root key gcp-kms: %v: %w", err, ErrRootKey)
	}
	return a, closeClient, nil
}

// openVault returns the transit AEAD and the token, for redaction.
func openVault(uri string) (tink.AEAD, string, error) {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "hcvault" || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" || !vaultKeyPath.MatchString(u.EscapedPath()) {
		return nil, "", fmt.Errorf("key uri: want hcvault://host[:port]/transit/keys/<name>: %w", ErrRootKey)
	}
	token, err := vaultToken()
	if err != nil {
		return nil, "", err
	}
	// As hcvault.NewClient does it: Vault's default client, HTTPS to the
	// URI's host, a fresh TLS configuration with the system roots (VAULT_ADDR,
	// VAULT_AGENT_ADDR and VAULT_SKIP_VERIFY play no part).
	cfg := vault.DefaultConfig()
	if cfg.Error != nil {
		return nil, "", fmt.Errorf("root key hcvault: client configuration: %v: %w", cfg.Error, ErrRootKey)
	}
	tr, ok := cfg.HttpClient.Transport.(*http.Transport)
	if !ok {
		return nil, "", fmt.Errorf("root key hcvault: unexpected HTTP transport: %w", ErrRootKey)
	}
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: vaultRootCAs}
	cfg.Address = "https://" + u.Host
	cfg.AgentAddress = ""
	client, err := vault.NewClient(cfg)
	if err != nil {
		return nil, "", fmt.Errorf("root key hcvault: client: %v: %w", err, ErrRootKey)
	}
	client.SetToken(token)
	// Without WithLegacyContextParamater the AEAD binds its associated data
	// through transit's associated_data parameter (AES-GCM keys, not
	// derived).
	c, err := hcvault.NewClientWithAEADOptions(uri, client.Logical())
	if err != nil {
		return nil, "", fmt.Errorf("root key hcvault: client: %w", ErrRootKey)
	}
	a, err := c.GetAEAD(uri)
	if err != nil {
		return nil, "", fmt.Errorf("root key hcvault: %v: %w", err, ErrRootKey)
	}
	return a, token, nil
}

// vaultToken reads VAULT_TOKEN, else the file named by VAULT_TOKEN_FILE. The
// token never appears in an error.
func vaultToken() (string, error) {
	if t := strings.TrimSpace(os.Getenv("VAULT_TOKEN")); t != "" {
		return t, nil
	}
	path := os.Getenv("VAULT_TOKEN_FILE")
	if path == "" {
		return "", fmt.Errorf("root key hcvault: no token: set VAULT_TOKEN or VAULT_TOKEN_FILE: %w", ErrRootKey)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("root key hcvault: VAULT_TOKEN_FILE: %v: %w", errClass(err), ErrRootKey)
	}
	t := strings.TrimSpace(string(b))
	if t == "" {
		return "", fmt.Errorf("root key hcvault: VAULT_TOKEN_FILE is empty: %w", ErrRootKey)
	}
	return t, nil
}

func openLocalRootKey(uri string, create bool) (tink.AEAD, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return nil, fmt.Errorf("key uri: %w", ErrRootKey)
	}
	if u.Host != "" || !filepath.IsAbs(u.Path) {
		return nil, fmt.Errorf("key uri must be file:///absolute/path: %w", ErrRootKey)
	}
	path := filepath.Clean(u.Path)
	if err := refuseGitTree(path); err != nil {
		return nil, err
	}
	key, err := readOrCreateKeyFile(path, create)
	if err != nil {
		return nil, err
	}
	// subtle.AESGCM is Tink's own AES-256-GCM with random nonces; we only
	// hand it the key bytes.
	a, err := tinksubtle.NewAESGCM(key)
	if err != nil {
		return nil, fmt.Errorf("root key: %v: %w", err, ErrRootKey)
	}
	return a, nil
}

// refuseGitTree refuses a key file that lies inside a git working tree,
// where one `git add -A` would put the root key in version control. It walks
// up from the key file's directory, and from its resolved location when the
// file or a parent is a symbolic link, looking for a .git entry (a directory,
// or the file of a worktree or submodule).
func refuseGitTree(path string) error {
	dirs := []string{filepath.Dir(path)}
	if real, err := filepath.EvalSymlinks(path); err == nil {
		dirs = append(dirs, filepath.Dir(real))
	} else if real, err := filepath.EvalSymlinks(filepath.Dir(path)); err == nil {
		dirs = append(dirs, real)
	}
	for _, dir := range dirs {
		if top, ok := gitTreeOf(dir); ok {
			return fmt.Errorf("root key file %s lies inside the git working tree %s; keep root keys out of repositories: %w", path, top, ErrRootKey)
		}
	}
	return nil
}

// gitTreeOf returns the nearest directory at or above dir holding a .git
// entry.
func gitTreeOf(dir string) (string, bool) {
	for {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

func readOrCreateKeyFile(path string, create bool) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) && create {
		return createKeyFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("open root key file %s: %v: %w", path, errClass(err), ErrRootKey)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat root key file %s: %w", path, ErrRootKey)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("root key file %s has mode %v; it must not be readable by group or others (chmod 600): %w", path, st.Mode().Perm(), ErrRootKey)
	}
	buf := make([]byte, RootKeySize+1)
	n, _ := f.Read(buf)
	if n != RootKeySize {
		return nil, fmt.Errorf("root key file %s holds %d bytes, want %d: %w", path, n, RootKeySize, ErrRootKey)
	}
	return buf[:RootKeySize], nil
}

func createKeyFile(path string) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create root key dir: %v: %w", errClass(err), ErrRootKey)
	}
	key := make([]byte, RootKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generate root key: %w", ErrRootKey)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		// Another process created it first: use theirs.
		return readOrCreateKeyFile(path, false)
	}
	if err != nil {
		return nil, fmt.Errorf("create root key file %s: %v: %w", path, errClass(err), ErrRootKey)
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("write root key file %s: %w", path, ErrRootKey)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("sync root key file %s: %w", path, ErrRootKey)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("close root key file %s: %w", path, ErrRootKey)
	}
	return key, nil
}

// errClass keeps OS errors short and free of anything but the failure kind.
func errClass(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return strings.TrimSpace(pe.Err.Error())
	}
	return err.Error()
}
