// Package leakscan searches a storage directory for plaintext that must only
// ever exist there encrypted (attack 47 in docs/security.md).
//
// The caller supplies needles: exact byte strings taken from the messages it
// filed (subjects, addresses, filenames, body excerpts). Scan walks every
// regular file under a directory, the way MinIO's data directory or the local
// store lays them out, and reports every place a needle occurs: in a file's
// bytes, in a file or directory name (object names may hold IDs only), or in
// a symlink's target. Symlinks are never followed: what they point to is
// either inside the tree, and scanned there, or outside, and not ours to scan.
//
// Needles are secrets themselves, so nothing leakscan returns holds their
// bytes: a hit names the needle by its index and length, and any path that
// contains a needle is reported with the needle's bytes masked. Files are
// streamed through one fixed window, so memory stays flat whatever their
// size.
package leakscan

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"
)

// MinNeedleLen is the shortest needle Scan accepts. Ciphertext is
// indistinguishable from random bytes, and a k-byte needle turns up by chance
// about once every 256^k bytes per needle: at 4 bytes a few hundred needles
// over a few hundred MB of store give dozens of false hits, at 8 bytes the
// expected count is below one in a hundred million, so every hit is real.
const MinNeedleLen = 8

// DefaultBufferSize is the read window when Options.BufferSize is zero.
const DefaultBufferSize = 1 << 20

// Options adjust a Scan. The zero value is a case-sensitive scan with a
// DefaultBufferSize window that lists every hit.
type Options struct {
	// LowerCase also searches for each needle's lower-case form, for places
	// that fold case (addresses, normalised names). A lower-case form shorter
	// than MinNeedleLen is left out, for the reason MinNeedleLen gives.
	LowerCase bool
	// BufferSize is the size of the read window in bytes: memory use is about
	// this much whatever the size of the files. Zero means DefaultBufferSize,
	// or twice the longest needle if that is larger; a non-zero value below
	// twice the longest needle is refused, as each read must move the window
	// forward by at least a needle's length.
	BufferSize int
	// MaxHits caps the hits listed in Report.Hits, so a scan pointed at
	// plaintext by mistake does not fill memory; Report.HitCount still counts
	// them all. Zero lists every hit.
	MaxHits int
}

// Where says which part of a directory entry a hit is in.
type Where string

const (
	// InContent is a hit in a regular file's bytes; Offset is a file offset.
	InContent Where = "content"
	// InName is a hit in a name; Offset is a byte offset in Hit.Path. The
	// needle ends in the last element of Path, and may start in its parents
	// when it contains a slash.
	InName Where = "name"
	// InLink is a hit in a symlink's target; Offset is a byte offset in the
	// target, which is not reported.
	InLink Where = "link"
)

// Hit is one occurrence of one needle.
type Hit struct {
	// Path is slash-separated and relative to Report.Dir, with the bytes of
	// every needle occurring in it replaced by '*'.
	Path  string `json:"path"`
	Where Where  `json:"where"`
	// Offset is where the needle starts; see Where for what it counts in.
	Offset int64 `json:"offset"`
	// Needle is the index of the needle in the slice given to Scan.
	Needle int `json:"needle"`
	// NeedleLen is the length of the form that matched.
	NeedleLen int `json:"needle_len"`
	// Lower is set when the needle's lower-case form matched (Options.LowerCase).
	Lower bool `json:"lower,omitempty"`
}

// Report is the outcome of a Scan. It holds no needle bytes.
type Report struct {
	// Dir is the directory scanned, as given, with needle bytes masked.
	Dir string `json:"dir"`
	// Files counts regular files read to their end, Bytes their sizes.
	Files int64 `json:"files"`
	Bytes int64 `json:"bytes"`
	// Vanished counts files listed but gone before they could be opened,
	// which happens in the data directory of a running server.
	Vanished int64 `json:"vanished,omitempty"`
	// Needles is the number of needles searched for, LongestNeedle the
	// length of the longest form.
	Needles       int `json:"needles"`
	LongestNeedle int `json:"longest_needle"`
	// HitCount counts every hit, Hits lists them in walk order up to
	// Options.MaxHits; within a file they are sorted by offset.
	HitCount int64 `json:"hit_count"`
	Hits     []Hit `json:"hits"`
}

// String is a summary line followed by one line per listed hit.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "scanned %s: %d files, %d bytes, %d needles (longest %d bytes): %d hits\n",
		r.Dir, r.Files, r.Bytes, r.Needles, r.LongestNeedle, r.HitCount)
	if r.Vanished > 0 {
		fmt.Fprintf(&b, "%d files vanished during the scan\n", r.Vanished)
	}
	for _, h := range r.Hits {
		form := ""
		if h.Lower {
			form = ", lower-case"
		}
		fmt.Fprintf(&b, "%s\t%s offset %d\tneedle %d (%d bytes%s)\n",
			filepath.Join(r.Dir, filepath.FromSlash(h.Path)), h.Where, h.Offset, h.Needle, h.NeedleLen, form)
	}
	if int64(len(r.Hits)) < r.HitCount {
		fmt.Fprintf(&b, "%d more hits not listed\n", r.HitCount-int64(len(r.Hits)))
	}
	return b.String()
}

// pattern is one distinct byte string to search for, with every needle form
// it stands for: duplicates are searched once and reported for each.
type pattern struct {
	bytes []byte
	forms []form
}

type form struct {
	needle int
	lower  bool
}

// scanner holds what one Scan needs while it walks.
type scanner struct {
	patterns []pattern
	longest  int
	maxHits  int
	buf      []byte
	report   Report
}

// Scan searches every entry under dir for needles and reports each hit.
// Needles shorter than MinNeedleLen are refused. An unreadable directory or
// file stops the scan with an error, since a scan that skipped it would
// vouch for what it never read; the Report then covers what was read. Errors
// name paths with needle bytes masked.
func Scan(ctx context.Context, dir string, needles [][]byte, opts Options) (Report, error) {
	s, err := newScanner(needles, opts)
	if err != nil {
		return Report{}, err
	}
	s.report.Dir = s.redact(dir)
	root, err := os.OpenRoot(dir)
	if err != nil {
		return s.report, s.pathError(".", err)
	}
	defer root.Close()
	fsys := root.FS()
	err = fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil && name != "." && errors.Is(err, fs.ErrNotExist) {
			// Removed between listing and reading (a live server's
			// temporary directory): nothing is left in it to leak.
			s.report.Vanished++
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if err != nil {
			return s.pathError(name, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if name == "." {
			return nil
		}
		s.scanName(name)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := fs.ReadLink(fsys, name)
			if err != nil {
				return s.pathError(name, err)
			}
			s.scanLink(name, target)
		case d.Type().IsRegular():
			return s.scanFile(ctx, root, name)
		}
		return nil
	})
	return s.report, err
}

func newScanner(needles [][]byte, opts Options) (*scanner, error) {
	if len(needles) == 0 {
		return nil, errors.New("leakscan: no needles: a scan for nothing proves nothing")
	}
	if opts.MaxHits < 0 {
		return nil, fmt.Errorf("leakscan: Options.MaxHits is %d, want 0 or more", opts.MaxHits)
	}
	s := &scanner{maxHits: opts.MaxHits}
	index := map[string]int{}
	add := func(b []byte, f form) {
		i, ok := index[string(b)]
		if !ok {
			i = len(s.patterns)
			index[string(b)] = i
			s.patterns = append(s.patterns, pattern{bytes: b})
			s.longest = max(s.longest, len(b))
		}
		s.patterns[i].forms = append(s.patterns[i].forms, f)
	}
	for i, n := range needles {
		if len(n) < MinNeedleLen {
			return nil, fmt.Errorf("leakscan: needle %d is %d bytes, want at least %d: shorter needles match ciphertext by chance", i, len(n), MinNeedleLen)
		}
		add(bytes.Clone(n), form{needle: i})
		if opts.LowerCase {
			if l := lower(n); len(l) >= MinNeedleLen && !bytes.Equal(l, n) {
				add(l, form{needle: i, lower: true})
			}
		}
	}
	size := opts.BufferSize
	switch {
	case size == 0:
		size = max(DefaultBufferSize, 2*s.longest)
	case size < 2*s.longest:
		return nil, fmt.Errorf("leakscan: Options.BufferSize is %d, want at least %d (twice the longest needle)", size, 2*s.longest)
	}
	s.buf = make([]byte, size)
	s.report.Needles = len(needles)
	s.report.LongestNeedle = s.longest
	return s, nil
}

// lower folds text needles by Unicode rules and binary needles by ASCII
// only: bytes.ToLower would turn invalid UTF-8 into U+FFFD and search for a
// form that was never in the needle.
func lower(n []byte) []byte {
	if utf8.Valid(n) {
		return bytes.ToLower(n)
	}
	l := bytes.Clone(n)
	for i, c := range l {
		if 'A' <= c && c <= 'Z' {
			l[i] = c + 'a' - 'A'
		}
	}
	return l
}

// scanName searches the slash-separated path of an entry, keeping only
// matches that end in its last element: those ending earlier belong to a
// parent, which was searched when it was visited. Searching the whole path
// rather than the element finds needles that contain a slash.
func (s *scanner) scanName(name string) {
	last := strings.LastIndexByte(name, '/') + 1
	b := []byte(name)
	for _, p := range s.patterns {
		from := max(0, last-len(p.bytes)+1)
		eachIndex(b, p.bytes, from, func(at int) {
			s.hit(name, InName, int64(at), p)
		})
	}
}

func (s *scanner) scanLink(name, target string) {
	b := []byte(target)
	for _, p := range s.patterns {
		eachIndex(b, p.bytes, 0, func(at int) {
			s.hit(name, InLink, int64(at), p)
		})
	}
}

// scanFile streams one file through s.buf. Each window after the first
// starts with the last longest-1 bytes of the one before, so a needle that
// straddles two reads is whole in the second; a match lying entirely in
// that carried-over part was already reported and is skipped.
func (s *scanner) scanFile(ctx context.Context, root *os.Root, name string) error {
	f, err := root.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		s.report.Vanished++
		return nil
	}
	if err != nil {
		return s.pathError(name, err)
	}
	defer f.Close()
	// The entry may have been replaced since it was listed; only a regular
	// file is read, so a directory or device swapped in is not.
	if fi, err := f.Stat(); err != nil {
		return s.pathError(name, err)
	} else if !fi.Mode().IsRegular() {
		return nil
	}
	first := len(s.report.Hits)
	var base int64 // file offset of s.buf[0]
	carried := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := io.ReadFull(f, s.buf[carried:])
		last := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !last {
			return s.pathError(name, err)
		}
		s.report.Bytes += int64(n)
		window := s.buf[:carried+n]
		for _, p := range s.patterns {
			from := max(0, carried-len(p.bytes)+1)
			eachIndex(window, p.bytes, from, func(at int) {
				s.hit(name, InContent, base+int64(at), p)
			})
		}
		if last {
			break
		}
		keep := min(len(window), s.longest-1)
		copy(s.buf, window[len(window)-keep:])
		base += int64(len(window) - keep)
		carried = keep
	}
	s.report.Files++
	slices.SortStableFunc(s.report.Hits[first:], func(a, b Hit) int {
		return cmp.Or(cmp.Compare(a.Offset, b.Offset), cmp.Compare(a.Needle, b.Needle))
	})
	return nil
}

// eachIndex calls fn with the start of every occurrence of p in b at or
// after from, overlapping ones included.
func eachIndex(b, p []byte, from int, fn func(at int)) {
	for from <= len(b)-len(p) {
		i := bytes.Index(b[from:], p)
		if i < 0 {
			return
		}
		fn(from + i)
		from += i + 1
	}
}

func (s *scanner) hit(name string, where Where, offset int64, p pattern) {
	for _, f := range p.forms {
		s.report.HitCount++
		if s.maxHits > 0 && len(s.report.Hits) >= s.maxHits {
			continue
		}
		s.report.Hits = append(s.report.Hits, Hit{
			Path: s.redact(name), Where: where, Offset: offset,
			Needle: f.needle, NeedleLen: len(p.bytes), Lower: f.lower,
		})
	}
}

// redact masks every byte of s covered by an occurrence of any needle form.
func (s *scanner) redact(str string) string {
	orig, b := []byte(str), []byte(str)
	masked := false
	for _, p := range s.patterns {
		eachIndex(orig, p.bytes, 0, func(at int) {
			for i := at; i < at+len(p.bytes); i++ {
				b[i] = '*'
			}
			masked = true
		})
	}
	if !masked {
		return str
	}
	return string(b)
}

// pathError rebuilds err around the masked name: the path in an
// *fs.PathError would otherwise carry a needle into logs.
func (s *scanner) pathError(name string, err error) error {
	op := "scan"
	var pe *fs.PathError
	if errors.As(err, &pe) {
		op, err = pe.Op, pe.Err
	}
	return fmt.Errorf("leakscan: %s %s: %w", op, s.redact(filepath.Join(s.report.Dir, filepath.FromSlash(name))), err)
}
