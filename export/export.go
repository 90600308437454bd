// Package export owns the archive a matter's correspondence is handed over
// in: a zip of files, an index, and a manifest of every file's SHA-256 that
// the firm signs, so that whoever receives it can show nothing was added,
// removed or changed.
//
// It writes and verifies archives and nothing else: it never decrypts,
// never looks anything up and never holds a file in memory; the caller
// streams each file in. The signature is an ed25519 signed note
// (golang.org/x/mod/sumdb/note), the format Go's checksum database uses.
package export

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// ManifestName is the signed manifest's name in the archive.
const ManifestName = "MANIFEST"

// manifestHeader opens the manifest's text; its version is checked.
const manifestHeader = "matterfile export v1"

var (
	// ErrVerify is wrapped by every verification failure.
	ErrVerify = errors.New("export does not verify")
	// ErrName is wrapped when a file name is not a clean relative path.
	ErrName = errors.New("bad file name in export")
)

// Writer streams files into a zip and signs their manifest on Close.
type Writer struct {
	zw     *zip.Writer
	signer note.Signer
	title  string
	now    time.Time
	files  map[string]string // name → hex SHA-256
	order  []string
	closed bool
}

// NewWriter writes an archive to w, to be signed by signer. title says
// what it holds ("tenant acme matter m-2024-0117"): IDs only.
func NewWriter(w io.Writer, signer note.Signer, title string, now time.Time) (*Writer, error) {
	if signer == nil {
		return nil, errors.New("export: a signer is required")
	}
	if strings.ContainsAny(title, "\n") {
		return nil, errors.New("export: the title is one line")
	}
	return &Writer{zw: zip.NewWriter(w), signer: signer, title: title, now: now.UTC(), files: map[string]string{}}, nil
}

// checkName accepts clean relative slash-separated paths of printable
// characters: nothing that unpacks outside the folder it is unpacked in.
func checkName(name string) error {
	if name == "" || name == ManifestName || path.Clean(name) != name || strings.HasPrefix(name, "/") ||
		name == ".." || strings.HasPrefix(name, "../") || strings.ContainsAny(name, "\\\x00\n\r") {
		return fmt.Errorf("%w: %q", ErrName, name)
	}
	return nil
}

// Add streams r into the archive as name and returns its SHA-256 and size.
// A name is added once.
func (w *Writer) Add(name string, r io.Reader) (string, int64, error) {
	if w.closed {
		return "", 0, errors.New("export: add after close")
	}
	if err := checkName(name); err != nil {
		return "", 0, err
	}
	if _, dup := w.files[name]; dup {
		return "", 0, fmt.Errorf("%w: %q twice", ErrName, name)
	}
	h := sha256.New()
	n, err := writeEntry(w.zw, name, w.now, io.TeeReader(r, h))
	if err != nil {
		return "", n, fmt.Errorf("export %s: %w", name, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	w.files[name] = sum
	w.order = append(w.order, name)
	return sum, n, nil
}

// writeEntry writes one file the one way an export writes files: stored
// (not compressed), dated now. Verify writes them again the same way to
// prove that no byte of the archive differs from what this writer made.
func writeEntry(zw *zip.Writer, name string, now time.Time, r io.Reader) (int64, error) {
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: now})
	if err != nil {
		return 0, err
	}
	return io.Copy(fw, r)
}

// manifestText lists every file as "<sha256>  <name>" in archive order,
// after a header naming the archive, its time and its file count.
func manifestText(title string, now time.Time, order []string, files map[string]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%s\ncreated %s\n%d files\n", manifestHeader, title, now.Format(time.RFC3339Nano), len(order))
	for _, n := range order {
		fmt.Fprintf(&b, "%s  %s\n", files[n], n)
	}
	return b.String()
}

// Close signs the manifest, writes it last and finishes the zip. It does
// not close the underlying writer.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	signed, err := note.Sign(&note.Note{Text: manifestText(w.title, w.now, w.order, w.files)}, w.signer)
	if err != nil {
		return fmt.Errorf("export: sign manifest: %w", err)
	}
	if _, err := writeEntry(w.zw, ManifestName, w.now, bytes.NewReader(signed)); err != nil {
		return fmt.Errorf("export: manifest: %w", err)
	}
	return w.zw.Close()
}

// Result is what a verified archive holds.
type Result struct {
	Title  string
	Files  int
	Signer string // the key's name, e.g. "matterfile-export/acme"
}

// Verify checks an archive: the manifest's signature by one of verifiers;
// that the zip holds exactly the files the manifest lists, in its order,
// with exactly their SHA-256; and that every byte of the archive is what
// this package's writer makes of those files, so a change anywhere (a
// header, a date, padding) fails too. It streams each file twice and holds
// none in memory.
func Verify(r io.ReaderAt, size int64, verifiers note.Verifiers) (Result, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return Result{}, fmt.Errorf("%w: not a readable zip: %v", ErrVerify, err)
	}
	if len(zr.File) == 0 || zr.File[len(zr.File)-1].Name != ManifestName {
		return Result{}, fmt.Errorf("%w: %s is not the last file", ErrVerify, ManifestName)
	}
	manifest := zr.File[len(zr.File)-1]
	signed, err := readAll(manifest, 64<<20)
	if err != nil {
		return Result{}, fmt.Errorf("%w: %s: %v", ErrVerify, ManifestName, err)
	}
	n, err := note.Open(signed, verifiers)
	if err != nil {
		return Result{}, fmt.Errorf("%w: manifest signature: %v", ErrVerify, err)
	}
	m, err := parseManifest(n.Text)
	if err != nil {
		return Result{}, err
	}
	files := zr.File[:len(zr.File)-1]
	if len(files) != len(m.order) {
		return Result{}, fmt.Errorf("%w: the zip holds %d files, the manifest lists %d", ErrVerify, len(files), len(m.order))
	}
	for i, f := range files {
		if f.Name != m.order[i] {
			return Result{}, fmt.Errorf("%w: file %d is %q, the manifest says %q", ErrVerify, i+1, f.Name, m.order[i])
		}
		got, err := hashFile(f)
		if err != nil {
			return Result{}, fmt.Errorf("%w: %q: %v", ErrVerify, f.Name, err)
		}
		if got != m.sums[i] {
			return Result{}, fmt.Errorf("%w: %q has SHA-256 %s, the manifest says %s", ErrVerify, f.Name, got, m.sums[i])
		}
	}

	// Every file checks out; now the bytes around them. Written again
	// the way the writer wrote them, the archive must come out the same.
	again := sha256.New()
	zw := zip.NewWriter(again)
	for _, f := range files {
		rc, err := f.Open()
		if err != nil {
			return Result{}, fmt.Errorf("%w: %q: %v", ErrVerify, f.Name, err)
		}
		_, err = writeEntry(zw, f.Name, m.created, rc)
		rc.Close()
		if err != nil {
			return Result{}, fmt.Errorf("%w: %q: %v", ErrVerify, f.Name, err)
		}
	}
	if _, err := writeEntry(zw, ManifestName, m.created, bytes.NewReader(signed)); err != nil {
		return Result{}, err
	}
	if err := zw.Close(); err != nil {
		return Result{}, err
	}
	whole := sha256.New()
	if _, err := io.Copy(whole, io.NewSectionReader(r, 0, size)); err != nil {
		return Result{}, fmt.Errorf("%w: %v", ErrVerify, err)
	}
	if !bytes.Equal(again.Sum(nil), whole.Sum(nil)) {
		return Result{}, fmt.Errorf("%w: the zip's headers or layout were changed (its files are intact)", ErrVerify)
	}
	return Result{Title: m.title, Files: len(files), Signer: n.Sigs[0].Name}, nil
}

type manifest struct {
	title   string
	created time.Time
	order   []string
	sums    []string
}

func parseManifest(text string) (manifest, error) {
	bad := func(why string) (manifest, error) {
		return manifest{}, fmt.Errorf("%w: manifest: %s", ErrVerify, why)
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 4 || lines[0] != manifestHeader {
		return bad("not a " + manifestHeader + " manifest")
	}
	var m manifest
	m.title = lines[1]
	created, ok := strings.CutPrefix(lines[2], "created ")
	if !ok {
		return bad("no creation time")
	}
	var err error
	if m.created, err = time.Parse(time.RFC3339Nano, created); err != nil {
		return bad("bad creation time")
	}
	seen := map[string]bool{}
	for _, l := range lines[4:] {
		sum, name, ok := strings.Cut(l, "  ")
		if !ok || len(sum) != 64 || checkName(name) != nil || seen[name] {
			return bad("bad file line")
		}
		seen[name] = true
		m.order, m.sums = append(m.order, name), append(m.sums, sum)
	}
	if fmt.Sprintf("%d files", len(m.order)) != lines[3] {
		return bad("its count does not match its lines")
	}
	return m, nil
}

func hashFile(f *zip.File) (string, error) {
	rc, err := f.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha256.New()
	// zip checks each file's CRC-32 at its end: a changed byte the
	// hash would catch anyway fails here first.
	if _, err := io.Copy(h, rc); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func readAll(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, errors.New("too large")
	}
	return data, nil
}
