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
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Local is a BlobStore on a local directory. Keys map to nested paths
// (a/b/c is file c in directory a/b). Every file operation goes through an
// *os.Root, so neither a key nor a symlink planted in the directory can reach
// a file outside it.
//
// A key cannot name both an object and a directory: with a/b stored, a Put of
// a fails. MinIO has the same rule, and the storage layout never needs both.
//
// Several processes on one machine may share the directory. Every Put and
// Delete publishes its change (the final check and rename, link or remove)
// while holding the store lock: an in-process mutex, since flock(2) does not
// exclude goroutines sharing one open file, plus an exclusive flock on the
// lock file, which excludes other processes and other Local values. Only
// that final step is locked; writing and syncing the data happen outside,
// so the lock is held for microseconds. The lock is what makes IfMatch
// atomic, and it orders plain, create-only and conditional puts and deletes
// of a key the way a single server would.
//
// The ETag of an object is its inode number, size and modification time in
// nanoseconds. A replace renames a new file into place, so the inode
// changes; but the old inode is freed and may be reused at once, and the
// kernel stamps writes with a clock that ticks only every few milliseconds,
// so a later version of the same size could come back with an old version's
// ETag and let a stale IfMatch through. Put therefore stamps every new file
// with the full-precision wall clock before publishing it: a reused inode
// then carries a later time, and versions never share an ETag unless the
// wall clock steps back. A content hash would be immune to that but would
// have to be stored beside the object or recomputed by every Stat and List.
// Conditional puts are refused on a filesystem that does not keep
// nanosecond times (see errImpreciseTimes).
type Local struct {
	root *os.Root
	abs  string

	// mu serializes publishing within the process and guards lockFile,
	// opened on first use so a store that is only read needs no write
	// access to its directory.
	mu       sync.Mutex
	lockFile *os.File
	closed   bool
}

const (
	localFileMode = 0o600
	localDirMode  = 0o700
	// tempPrefix starts with a dot, which no canonical ID does, so a temp
	// file can never collide with or be listed as an object.
	tempPrefix = ".tmp-"
	// lockName is the store lock. Its leading dot keeps it outside the key
	// space: no key can name it and List never reports it.
	lockName = ".lock"
)

// errImpreciseTimes refuses IfMatch on a filesystem that does not keep
// the nanoseconds of modification times (ext4 with 128-byte inodes keeps
// seconds, FAT two seconds, some network filesystems microseconds): there
// two versions written within one tick could share an ETag, and a stale
// IfMatch would silently overwrite.
var errImpreciseTimes = permanentError{errors.New("the filesystem does not keep nanosecond modification times, which conditional puts rely on")}

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

// Close releases the directory handle and the lock file.
func (l *Local) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	var lerr error
	if l.lockFile != nil {
		lerr = l.lockFile.Close()
		l.lockFile = nil
	}
	return errors.Join(l.root.Close(), lerr)
}

// lock takes the store lock (see Local) and returns its release.
func (l *Local) lock() (func(), error) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil, os.ErrClosed
	}
	if l.lockFile == nil {
		f, err := l.root.OpenFile(lockName, os.O_RDWR|os.O_CREATE, localFileMode)
		if err != nil {
			l.mu.Unlock()
			return nil, fmt.Errorf("open store lock: %w", err)
		}
		l.lockFile = f
	}
	if err := flock(l.lockFile, syscall.LOCK_EX); err != nil {
		l.mu.Unlock()
		return nil, fmt.Errorf("take store lock: %w", err)
	}
	return func() {
		// Unlocking only fails on a bad descriptor; the lock then went
		// with it.
		flock(l.lockFile, syscall.LOCK_UN)
		l.mu.Unlock()
	}, nil
}

func flock(f *os.File, how int) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	cerr := rc.Control(func(fd uintptr) {
		for {
			ferr = syscall.Flock(int(fd), how)
			if ferr != syscall.EINTR {
				return
			}
		}
	})
	if cerr != nil {
		return cerr
	}
	return ferr
}

// localETag derives the ETag from what changes with every version (see
// Local).
func localETag(fi fs.FileInfo) string {
	var ino uint64
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		ino = uint64(st.Ino)
	}
	return strconv.FormatUint(ino, 16) + "-" +
		strconv.FormatInt(fi.Size(), 16) + "-" +
		strconv.FormatInt(fi.ModTime().UnixNano(), 16)
}

func localInfo(key string, fi fs.FileInfo) Info {
	return Info{Key: key, Size: fi.Size(), Modified: fi.ModTime(), ETag: localETag(fi)}
}

// String describes the store for logs and startup messages.
func (l *Local) String() string { return "local directory " + l.abs }

// Put writes r to a temp file next to the final one and moves it into place
// only once it is complete and synced, so readers never see a partial object
// and a crash leaves at most an invisible temp file.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, opts PutOptions) error {
	if err := ValidateKey(key); err != nil {
		return fmt.Errorf("put: %w", err)
	}
	if err := opts.validate(); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
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
	// The stamp makes the ETag unique (see Local). It is set before the
	// sync so that a crash cannot bring back the kernel's coarse time. A
	// whole number of microseconds is nudged so that a filesystem keeping
	// only microseconds is always detected below, never by luck missed.
	stamp := time.Now().Round(0)
	if stamp.Nanosecond()%1000 == 0 {
		stamp = stamp.Add(1)
	}
	if err := sub.Chtimes(tmp, stamp, stamp); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	preciseTimes := fi.ModTime().Equal(stamp)
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

	unlock, err := l.lock()
	if err != nil {
		return err
	}
	linked, err := publish(sub, tmp, base, opts, preciseTimes)
	unlock()
	if err != nil {
		return err
	}
	if linked {
		// The object is committed; a temp file we then fail to remove is
		// invisible to List and Get, so the Put still succeeded.
		sub.Remove(tmp)
	}
	tmpLive = false
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

// publish moves the complete temp file tmp to base, in the object's
// directory dir, as opts ask. The caller holds the store lock, which is
// what makes the IfMatch check and the rename one step. linked reports that
// tmp was linked rather than renamed, so it still exists.
func publish(dir *os.Root, tmp, base string, opts PutOptions, preciseTimes bool) (linked bool, err error) {
	switch {
	case opts.CreateOnly:
		// link(2) fails if the name exists, which makes create-only atomic
		// even against writers that do not take the lock (an older
		// matterfile sharing the directory).
		if err := dir.Link(tmp, base); err != nil {
			if errors.Is(err, fs.ErrExist) {
				if fi, serr := dir.Lstat(base); serr == nil && fi.Mode().IsRegular() {
					return false, ErrExists
				}
			}
			return false, err
		}
		return true, nil
	case opts.IfMatch != "":
		if !preciseTimes {
			return false, errImpreciseTimes
		}
		cur, err := dir.Lstat(base)
		switch {
		case isNotExist(err):
			return false, fmt.Errorf("no object to replace: %w", ErrPrecondition)
		case err != nil:
			return false, err
		case cur.IsDir():
			return false, fmt.Errorf("no object to replace: %w", ErrPrecondition)
		case !cur.Mode().IsRegular():
			return false, errNotRegular
		case localETag(cur) != opts.IfMatch:
			return false, fmt.Errorf("object replaced since read: %w", ErrPrecondition)
		}
	}
	return false, dir.Rename(tmp, base)
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
// A concurrent Put replacing the object also swaps the file; that is tried
// again a few times rather than reported, since every file it could have
// opened was a whole version of the object.
func (l *Local) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := ValidateKey(key); err != nil {
		return nil, fmt.Errorf("get: %w", err)
	}
	for range getAttempts {
		f, err := l.open(ctx, key)
		switch {
		case err == nil:
			return f, nil
		case err != errReplaced:
			return nil, err
		}
	}
	return nil, fmt.Errorf("get %s: file replaced while opening, %d times: %w", key, getAttempts, errNotRegular)
}

// getAttempts bounds Get's retries on a file swapped while opening: only a
// key replaced in a tight loop by other writers would run out of them.
const getAttempts = 10

// errReplaced tells Get the file changed between inspection and opening.
var errReplaced = errors.New("file replaced while opening")

func (l *Local) open(ctx context.Context, key string) (*os.File, error) {
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
		return nil, errReplaced
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
	return localInfo(key, fi), nil
}

// Delete removes the object. Directories are left in place, even when
// empty: removing them would race with a concurrent Put creating a file in
// them. The removal holds the store lock, so it cannot fall between a
// conditional Put's check and its rename and be undone by it.
func (l *Local) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	// A missing key is answered without the lock, which a store that is
	// only read may not be able to open.
	if _, err := l.statRegular(key); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	unlock, err := l.lock()
	if err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	err = l.remove(key)
	unlock()
	if err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	if err := l.syncDir(path.Dir(key)); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// remove checks again under the lock: the object may have gone since.
func (l *Local) remove(key string) error {
	if _, err := l.statRegular(key); err != nil {
		return err
	}
	if err := l.root.Remove(key); err != nil {
		if isNotExist(err) {
			return ErrNotFound
		}
		return err
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
		if err := fn(localInfo(p, fi)); err != nil {
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
