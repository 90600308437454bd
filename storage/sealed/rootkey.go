package sealed

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/tink-crypto/tink-go/v2/aead/subtle"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// RootKeySize is the size of a local root key file: one AES-256 key.
const RootKeySize = 32

// ErrRootKey is wrapped by every failure to obtain the root key. A tenant
// whose keysets cannot be unwrapped is unavailable: there is no fallback key.
var ErrRootKey = errors.New("root key unavailable")

// OpenRootKey returns the key-encryption AEAD named by uri. Only file:///path
// is supported so far; KMS URIs (aws-kms://, gcp-kms://, hcvault://) are
// refused by name until their clients are wired.
//
// With create set, a missing key file is created (32 random bytes, mode
// 0600, exclusive create so two processes never race to different keys).
// An existing key file is never replaced, and one readable by group or
// others is refused.
func OpenRootKey(uri string, create bool) (tink.AEAD, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return nil, fmt.Errorf("key uri: %w", ErrRootKey)
	}
	switch u.Scheme {
	case "file":
	case "aws-kms", "gcp-kms", "hcvault":
		return nil, fmt.Errorf("key uri scheme %s: KMS root keys are not supported yet: %w", u.Scheme, ErrRootKey)
	default:
		return nil, fmt.Errorf("key uri scheme %q: want file:///path: %w", u.Scheme, ErrRootKey)
	}
	if u.Host != "" || !filepath.IsAbs(u.Path) {
		return nil, fmt.Errorf("key uri must be file:///absolute/path: %w", ErrRootKey)
	}
	key, err := readOrCreateKeyFile(u.Path, create)
	if err != nil {
		return nil, err
	}
	// subtle.AESGCM is Tink's own AES-256-GCM with random nonces; we only
	// hand it the key bytes.
	a, err := subtle.NewAESGCM(key)
	if err != nil {
		return nil, fmt.Errorf("root key: %v: %w", err, ErrRootKey)
	}
	return a, nil
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
