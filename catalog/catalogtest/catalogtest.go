// Package catalogtest builds catalogs for tests: a local store in a
// temporary directory and a fresh root key, so each test starts with no
// tenants and leaves nothing behind.
package catalogtest

import (
	"path/filepath"
	"testing"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/storage"
	"github.com/matterfile/matterfile/storage/sealed"
)

// New returns an empty catalog and the store under it.
func New(t testing.TB) (*catalog.Catalog, *storage.Local) {
	t.Helper()
	bs, err := storage.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bs.Close() })
	// Keys in a store of their own, as in production: the data store then
	// holds ciphertext only.
	ks, err := storage.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ks.Close() })
	root, err := sealed.OpenRootKey("file://"+filepath.Join(t.TempDir(), "root.key"), true)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.New(bs, sealed.Keyring{Store: ks, Root: root})
	if err != nil {
		t.Fatal(err)
	}
	return cat, bs
}
