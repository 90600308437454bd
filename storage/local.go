package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// Local is a BlobStore on a local directory. Keys map to nested paths
// (a/b/c is file c in directory a/b). Every file operation goes through an
// *os.Root, so neither a key nor a symlink planted in the directory can reach
// a file outside it.
//
// A key cannot name both an object and a directory: with a/b stored, a Put of
// a fails. MinIO has the same rule, and the storage layout never needs both.
type Local struct {
	root *os.Root
	abs  string
}

const (
	localFileMode = 0o600
	localDirMode  = 0o700
	// tempPrefix starts with a dot, which no canonical ID does, so a temp
	// file can never collide with or be listed as an object.
	tempPrefix = ".tmp-"
)

// NewLocal opens (creating it if needed) the directory dir as a BlobStore.
func NewLocal(dir string) (*Local, error) {
	if dir == "" {
		return nil, errors.New("local store: empty directory name")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("local store %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, localDirMode); err != nil {
		return nil, fmt.Errorf("local store %s: %w", abs, err)
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("local store %s: %w", abs, err)
	}
	return &Local{root: root, abs: abs}, nil
}

// Close releases the directory handle.
func (l *Local) Close() error { return l.root.Close() }

// String describes the store for logs and startup messages.
func (l *Local) String() string { return "local directory " + l.abs }

// Put writes r to a temp file next to the final one and moves it into place
// only once it is complete and synced, so readers never see a partial object
// and a crash leaves at most an invisible temp file.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, opts PutOptions) error {
	if err := ValidateKey(key); err != nil {
		return fmt.Errorf("put: %w", err)
	}
	if err := l.put(ctx, key, r, opts); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

func (l *Local) put(ctx context.Context, key string, r io.Reader, opts PutOptions) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	dir, base := path.Split(key)
	dir = path.Clean(dir)
	created, err := l.mkdirs(dir)
	if err != nil {
		return err
	}
	// Every step below works in the object's directory, opened once:
	// through the root, each path would be walked again component by
	// component, which dominated the cost of small objects.
	sub, err := l.root.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer sub.Close()
	tmp, f, err := createTemp(sub)
	if err != nil {
		return err
	}
	tmpLive := true
	defer func() {
		if f != nil {
			f.Close()
		}
		if tmpLive {
			// The temp file is the only thing a failed put may have created
			// beyond directories, and it must not outlive the call.
			sub.Remove(tmp)
		}
	}()

	if _, err := io.Copy(f, ctxReader{ctx, r}); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	err = f.Close()
	f = nil
	if err != nil {
		return err
	}
	// A cancellation that arrived while the data was being synced still
	// means the caller gave up; do not publish.
	if err := ctx.Err(); err != nil {
		return err
	}

	if opts.CreateOnly {
		// link(2) fails if the name exists, which makes create-only atomic
		// even against concurrent writers, unlike a stat-then-rename.
		if err := sub.Link(tmp, base); err != nil {
			if errors.Is(err, fs.ErrExist) {
				if _, serr := l.statRegular(key); serr == nil {
					return ErrExists
				}
			}
			return err
		}
		// The object is committed; a temp file we then fail to remove is
		// invisible to List and Get, so the Put still succeeded.
		sub.Remove(tmp)
		tmpLive = false
	} else {
		if err := sub.Rename(tmp, base); err != nil {
			return err
		}
		tmpLive = false
	}
	// Syncing the directory makes the new name durable; syncing the parents
	// of directories this call created makes the path to it durable too.
	if err := syncRootDir(sub); err != nil {
		return err
	}
	for _, d := range created {
		if err := l.syncDir(path.Dir(d)); err != nil {
			return err
		}
	}
	return nil
}

// mkdirs creates dir and its missing parents one segment at a time and
// returns the directories it created, so their parents can be synced.
func (l *Local) mkdirs(dir string) ([]string, error) {
	if dir == "." {
		return nil, nil
	}
	// Most puts go into a directory that exists: one walk to see that,
	// instead of one per segment.
	if fi, err := l.root.Lstat(dir); err == nil && fi.IsDir() {
		return nil, nil
	}
	var created []string
	segs := strings.Split(dir, "/")
	for i := range segs {
		p := strings.Join(segs[:i+1], "/")
		err := l.root.Mkdir(p, localDirMode)
		switch {
		case err == nil:
			created = append(created, p)
		case errors.Is(err, fs.ErrExist):
			// Exists already, possibly created by a concurrent Put.
		default:
			return nil, err
		}
	}
	return created, nil
}

func createTemp(dir *os.Root) (string, *os.File, error) {
	var b [12]byte
	for range 10 {
		if _, err := rand.Read(b[:]); err != nil {
			return "", nil, err
		}
		name := tempPrefix + hex.EncodeToString(b[:])
		f, err := dir.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, localFileMode)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", nil, err
		}
		return name, f, nil
	}
	return "", nil, errors.New("cannot create a unique temp file")
}

func syncRootDir(r *os.Root) error {
	d, err := r.Open(".")
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func (l *Local) syncDir(dir string) error {
	d, err := l.root.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// errNotRegular reports a key whose path holds something other than a
// regular file, which only happens if someone tampered with the directory.
var errNotRegular = errors.New("not a regular file")

// statRegular describes the file at key without following a final symlink.
// A missing path, or one blocked by a file where a directory should be, is
// ErrNotFound; so is a directory, since it holds no object.
func (l *Local) statRegular(key string) (fs.FileInfo, error) {
	fi, err := l.root.Lstat(key)
	if err != nil {
		if isNotExist(err) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	switch {
	case fi.Mode().IsRegular():
		return fi, nil
	case fi.IsDir():
		return nil, ErrNotFound
	default:
		return nil, errNotRegular
	}
}

func isNotExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// Get opens the object. The file is checked to be the same regular file
// that was inspected, so a symlink swapped in between cannot redirect it.
func (l *Local) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := ValidateKey(key); err != nil {
		return nil, fmt.Errorf("get: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	before, err := l.statRegular(key)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	f, err := l.root.Open(key)
	if err != nil {
		if isNotExist(err) {
			err = ErrNotFound
		}
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	after, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	if !os.SameFile(before, after) {
		f.Close()
		return nil, fmt.Errorf("get %s: file replaced while opening: %w", key, errNotRegular)
	}
	return f, nil
}

// Stat describes the object.
func (l *Local) Stat(ctx context.Context, key string) (Info, error) {
	if err := ValidateKey(key); err != nil {
		return Info{}, fmt.Errorf("stat: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return Info{}, fmt.Errorf("stat %s: %w", key, err)
	}
	fi, err := l.statRegular(key)
	if err != nil {
		return Info{}, fmt.Errorf("stat %s: %w", key, err)
	}
	return Info{Key: key, Size: fi.Size(), Modified: fi.ModTime()}, nil
}

// Delete removes the object. Directories are left in place, even when
// empty: removing them would race with a concurrent Put creating a file in
// them.
func (l *Local) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	if _, err := l.statRegular(key); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	if err := l.root.Remove(key); err != nil {
		if isNotExist(err) {
			err = ErrNotFound
		}
		return fmt.Errorf("delete %s: %w", key, err)
	}
	if err := l.syncDir(path.Dir(key)); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// List walks the directory tree below prefix depth-first. Sorting each
// directory's entries by name, with "/" appended to directory names, yields
// keys in exact lexical order: "a-b/x" sorts before "a/y" because '-' < '/'.
func (l *Local) List(ctx context.Context, prefix string, fn func(Info) error) error {
	if err := ValidatePrefix(prefix); err != nil {
		return fmt.Errorf("list: %w", err)
	}
	dir := strings.TrimSuffix(prefix, "/")
	if dir == "" {
		dir = "."
	} else {
		fi, err := l.root.Lstat(dir)
		if err != nil {
			if isNotExist(err) {
				return nil
			}
			return fmt.Errorf("list %s: %w", prefix, err)
		}
		if !fi.IsDir() {
			return nil
		}
	}
	err := l.walk(ctx, dir, fn)
	var fe fnError
	if errors.As(err, &fe) {
		return fe.err
	}
	if err != nil {
		return fmt.Errorf("list %s: %w", prefix, err)
	}
	return nil
}

// fnError carries an error from List's callback through the walk, so it is
// returned unwrapped rather than dressed up as a storage failure.
type fnError struct{ err error }

func (e fnError) Error() string { return e.err.Error() }

type walkEntry struct {
	name    string
	sortKey string
	isDir   bool
}

func (l *Local) walk(ctx context.Context, dir string, fn func(Info) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d, err := l.root.Open(dir)
	if err != nil {
		if isNotExist(err) {
			// Removed since its parent was read.
			return nil
		}
		return err
	}
	des, err := d.ReadDir(-1)
	d.Close()
	if err != nil {
		return err
	}
	entries := make([]walkEntry, 0, len(des))
	for _, de := range des {
		name := de.Name()
		// Dot-files are temp files; anything else that is not a canonical
		// ID, a symlink or a special file was not written by this store and
		// is never reported as an object.
		if strings.HasPrefix(name, ".") || ValidateKey(name) != nil {
			continue
		}
		switch {
		case de.Type().IsDir():
			entries = append(entries, walkEntry{name: name, sortKey: name + "/", isDir: true})
		case de.Type().IsRegular():
			entries = append(entries, walkEntry{name: name, sortKey: name})
		}
	}
	slices.SortFunc(entries, func(a, b walkEntry) int { return strings.Compare(a.sortKey, b.sortKey) })
	for _, e := range entries {
		p := e.name
		if dir != "." {
			p = dir + "/" + e.name
		}
		if e.isDir {
			if err := l.walk(ctx, p, fn); err != nil {
				return err
			}
			continue
		}
		fi, err := l.root.Lstat(p)
		if err != nil {
			if isNotExist(err) {
				// Deleted during the walk.
				continue
			}
			return err
		}
		if !fi.Mode().IsRegular() {
			continue
		}
		if err := fn(Info{Key: p, Size: fi.Size(), Modified: fi.ModTime()}); err != nil {
			return fnError{err}
		}
	}
	return nil
}

// ctxReader stops a copy once ctx is done, so a cancelled Put does not
// keep draining its reader into a file nobody will see.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
