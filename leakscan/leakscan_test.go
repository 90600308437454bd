package leakscan_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/leakscan"
)

// tree describes a directory to build: a path ending in "/" is a directory,
// a value starting with "->" a symlink to what follows, anything else a
// file's content.
type tree map[string]string

func build(t *testing.T, tr tree) string {
	t.Helper()
	dir := t.TempDir()
	for name, v := range tr {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		switch {
		case strings.HasSuffix(name, "/"):
			require.NoError(t, os.MkdirAll(p, 0o755))
		case strings.HasPrefix(v, "->"):
			require.NoError(t, os.Symlink(strings.TrimPrefix(v, "->"), p))
		default:
			require.NoError(t, os.WriteFile(p, []byte(v), 0o644))
		}
	}
	return dir
}

func needles(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func TestScan(t *testing.T) {
	outside := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("Privileged and confidential"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(outside, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(outside, "sub", "x"), []byte("Privileged and confidential"), 0o644))

	tests := []struct {
		name      string
		tree      tree
		needles   [][]byte
		opts      leakscan.Options
		wantFiles int64
		wantBytes int64
		want      []leakscan.Hit
		wantCount int64 // when more than len(want)
	}{
		{
			name:      "clean ciphertext",
			tree:      tree{"tenants/acme/raw": "\x01\x02\x03 nothing to see", "tenants/acme/manifest-1": "opaque"},
			needles:   needles("Privileged and confidential"),
			wantFiles: 2, wantBytes: 24,
		},
		{
			name:      "hits at start, middle and end of a file",
			tree:      tree{"a": "Merger term sheet .. Merger term sheet .. Merger term sheet"},
			needles:   needles("Merger term sheet"),
			wantFiles: 1, wantBytes: 59,
			want: []leakscan.Hit{
				{Path: "a", Where: leakscan.InContent, Offset: 0, Needle: 0, NeedleLen: 17},
				{Path: "a", Where: leakscan.InContent, Offset: 21, Needle: 0, NeedleLen: 17},
				{Path: "a", Where: leakscan.InContent, Offset: 42, Needle: 0, NeedleLen: 17},
			},
		},
		{
			name: "hits straddling small windows",
			// A 40-byte window carries 17 bytes over, so the windows are
			// [0,40), [23,63), [46,78): each hit straddles the end of one.
			tree:      tree{"a": strings.Repeat(".", 30) + "ann@harper.example" + strings.Repeat(".", 7) + "ann@harper.example" + "....."},
			needles:   needles("ann@harper.example"),
			opts:      leakscan.Options{BufferSize: 40},
			wantFiles: 1, wantBytes: 78,
			want: []leakscan.Hit{
				{Path: "a", Where: leakscan.InContent, Offset: 30, Needle: 0, NeedleLen: 18},
				{Path: "a", Where: leakscan.InContent, Offset: 55, Needle: 0, NeedleLen: 18},
			},
		},
		{
			name:      "overlapping occurrences and needles, duplicate needles",
			tree:      tree{"a": "zzaaaaaaaaazz"},
			needles:   needles("aaaaaaaa", "aaaaaaaaa", "aaaaaaaa"),
			wantFiles: 1, wantBytes: 13,
			want: []leakscan.Hit{
				{Path: "a", Where: leakscan.InContent, Offset: 2, Needle: 0, NeedleLen: 8},
				{Path: "a", Where: leakscan.InContent, Offset: 2, Needle: 1, NeedleLen: 9},
				{Path: "a", Where: leakscan.InContent, Offset: 2, Needle: 2, NeedleLen: 8},
				{Path: "a", Where: leakscan.InContent, Offset: 3, Needle: 0, NeedleLen: 8},
				{Path: "a", Where: leakscan.InContent, Offset: 3, Needle: 2, NeedleLen: 8},
			},
		},
		{
			name: "names of files and directories, nested",
			tree: tree{
				"tenants/acme/clients/Project Falcon/raw": "x",
				"tenants/acme/Project Falcon.eml":         "y",
				"tenants/acme/empty-Project Falcon/":      "",
			},
			needles:   needles("Project Falcon"),
			wantFiles: 2, wantBytes: 2,
			want: []leakscan.Hit{
				{Path: "tenants/acme/**************.eml", Where: leakscan.InName, Offset: 13, NeedleLen: 14},
				{Path: "tenants/acme/clients/**************", Where: leakscan.InName, Offset: 21, NeedleLen: 14},
				{Path: "tenants/acme/empty-**************", Where: leakscan.InName, Offset: 19, NeedleLen: 14},
			},
		},
		{
			name:      "a needle spanning directory levels is reported once, where it ends",
			tree:      tree{"reports/Q3/Q4 board pack/raw": "x"},
			needles:   needles("Q3/Q4 board"),
			wantFiles: 1, wantBytes: 1,
			want: []leakscan.Hit{
				{Path: "reports/*********** pack", Where: leakscan.InName, Offset: 8, NeedleLen: 11},
			},
		},
		{
			name: "symlinks are not followed, their targets are searched",
			tree: tree{
				"link-to-file": "->" + filepath.Join(outside, "secret.txt"),
				"link-to-dir":  "->" + filepath.Join(outside, "sub"),
				"named-link":   "->/srv/Privileged and confidential.pdf",
				"plain":        "ok",
			},
			needles:   needles("Privileged and confidential"),
			wantFiles: 1, wantBytes: 2,
			want: []leakscan.Hit{
				{Path: "named-link", Where: leakscan.InLink, Offset: 5, NeedleLen: 27},
			},
		},
		{
			name:      "case-sensitive by default",
			tree:      tree{"a": "from ann.lee@harper.example"},
			needles:   needles("Ann.Lee@Harper.example"),
			wantFiles: 1, wantBytes: 27,
		},
		{
			name:      "lower-case forms on request",
			tree:      tree{"a": "from ann.lee@harper.example", "ann.lee@harper.example": "Ann.Lee@Harper.example"},
			needles:   needles("Ann.Lee@Harper.example", "already lower"),
			opts:      leakscan.Options{LowerCase: true},
			wantFiles: 2, wantBytes: 49,
			want: []leakscan.Hit{
				{Path: "a", Where: leakscan.InContent, Offset: 5, NeedleLen: 22, Lower: true},
				{Path: "**********************", Where: leakscan.InName, Offset: 0, NeedleLen: 22, Lower: true},
				{Path: "**********************", Where: leakscan.InContent, Offset: 0, NeedleLen: 22},
			},
		},
		{
			name:      "binary needles",
			tree:      tree{"a": "\x00\xff\xfe\x80PK\x03\x04\x00"},
			needles:   [][]byte{{0xff, 0xfe, 0x80, 'P', 'K', 3, 4, 0}},
			opts:      leakscan.Options{LowerCase: true},
			wantFiles: 1, wantBytes: 9,
			want: []leakscan.Hit{{Path: "a", Where: leakscan.InContent, Offset: 1, NeedleLen: 8}},
		},
		{
			name:      "MaxHits lists the first hits and counts them all",
			tree:      tree{"a": strings.Repeat("Settlement offer ", 5)},
			needles:   needles("Settlement offer"),
			opts:      leakscan.Options{MaxHits: 2},
			wantFiles: 1, wantBytes: 85,
			want: []leakscan.Hit{
				{Path: "a", Where: leakscan.InContent, Offset: 0, NeedleLen: 16},
				{Path: "a", Where: leakscan.InContent, Offset: 17, NeedleLen: 16},
			},
			wantCount: 5,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := build(t, tt.tree)
			rep, err := leakscan.Scan(context.Background(), dir, tt.needles, tt.opts)
			require.NoError(t, err)
			require.Equal(t, tt.wantFiles, rep.Files, "files")
			require.Equal(t, tt.wantBytes, rep.Bytes, "bytes")
			require.Equal(t, len(tt.needles), rep.Needles)
			require.Equal(t, tt.want, rep.Hits)
			require.Equal(t, max(tt.wantCount, int64(len(tt.want))), rep.HitCount)
		})
	}
}

// TestScanMatchesWholeFileSearch compares Scan with a search of each file
// held whole in memory, on text made of two letters so that needles occur
// often, overlap and straddle every window boundary.
func TestScanMatchesWholeFileSearch(t *testing.T) {
	r := rand.New(rand.NewPCG(47, 1))
	word := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = "ab"[r.IntN(2)]
		}
		return b
	}
	for round := range 40 {
		dir := t.TempDir()
		var ns [][]byte
		for range 1 + r.IntN(6) {
			ns = append(ns, word(8+r.IntN(8)))
		}
		longest := slices.MaxFunc(ns, func(a, b []byte) int { return len(a) - len(b) })
		content := word(r.IntN(3000))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "f"), content, 0o644))

		type at struct {
			needle int
			offset int64
		}
		var want []at
		for i, n := range ns {
			for off := 0; off+len(n) <= len(content); off++ {
				if bytes.Equal(content[off:off+len(n)], n) {
					want = append(want, at{i, int64(off)})
				}
			}
		}
		size := 2*len(longest) + r.IntN(200)
		rep, err := leakscan.Scan(context.Background(), dir, ns, leakscan.Options{BufferSize: size})
		require.NoError(t, err)
		var got []at
		for _, h := range rep.Hits {
			got = append(got, at{h.Needle, h.Offset})
		}
		cmp := func(a, b at) int {
			if a.offset != b.offset {
				return int(a.offset - b.offset)
			}
			return a.needle - b.needle
		}
		slices.SortFunc(want, cmp)
		slices.SortFunc(got, cmp)
		require.Equal(t, want, got, "round %d, window %d, %d bytes", round, size, len(content))
		require.Equal(t, int64(len(content)), rep.Bytes)
	}
}

// TestScanLargeFileStreams scans a 64 MiB file through a 64 KiB window and
// checks that allocation stays near the window, not the file.
func TestScanLargeFileStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 64 MiB")
	}
	const (
		size   = 64 << 20
		window = 64 << 10
	)
	ns := needles("Subject: Acquisition of Blackwood Ltd", "ben.okafor@harperlegal.example")
	// After the first read each window moves on by its size less the
	// longest needle's length - 1 carried over.
	twentiethEnd := int64(window + 19*(window-(len(ns[0])-1)))
	plant := map[int64]int{
		window - 10:              0, // straddles the end of the first window
		twentiethEnd - 10:        1, // and of the twentieth
		size / 2:                 0,
		size - 3*window + 100:    0,
		size - int64(len(ns[1])): 1, // the file's last bytes
	}
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "blob"))
	require.NoError(t, err)
	rng := rand.NewChaCha8([32]byte{47})
	_, err = io.CopyN(f, rng, size)
	require.NoError(t, err)
	for off, i := range plant {
		_, err := f.WriteAt(ns[i], off)
		require.NoError(t, err)
	}
	require.NoError(t, f.Close())

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rep, err := leakscan.Scan(context.Background(), dir, ns, leakscan.Options{BufferSize: window})
	runtime.ReadMemStats(&after)
	require.NoError(t, err)

	require.Equal(t, int64(1), rep.Files)
	require.Equal(t, int64(size), rep.Bytes)
	require.Len(t, rep.Hits, len(plant))
	for _, h := range rep.Hits {
		i, ok := plant[h.Offset]
		require.True(t, ok, "unexpected hit at %d", h.Offset)
		require.Equal(t, i, h.Needle, "hit at %d", h.Offset)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("scanning %d MiB allocated %d KiB", size>>20, allocated>>10)
	require.Less(t, allocated, uint64(16*window), "memory must not grow with the file")
}

func TestScanRefuses(t *testing.T) {
	dir := build(t, tree{"a": "x"})
	tests := []struct {
		name    string
		needles [][]byte
		opts    leakscan.Options
		errWant string
	}{
		{"no needles", nil, leakscan.Options{}, "no needles"},
		{"short needle", needles("long enough", "secret7"), leakscan.Options{}, "needle 1 is 7 bytes, want at least 8"},
		{"empty needle", needles("long enough", ""), leakscan.Options{}, "needle 1 is 0 bytes"},
		{"window below twice the longest needle", needles("twenty bytes needle!"), leakscan.Options{BufferSize: 39}, "BufferSize is 39, want at least 40"},
		{"negative MaxHits", needles("long enough"), leakscan.Options{MaxHits: -1}, "MaxHits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := leakscan.Scan(context.Background(), dir, tt.needles, tt.opts)
			require.ErrorContains(t, err, tt.errWant)
			for _, n := range tt.needles {
				if len(n) > 0 {
					require.NotContains(t, err.Error(), string(n))
				}
			}
		})
	}

	t.Run("missing directory", func(t *testing.T) {
		_, err := leakscan.Scan(context.Background(), filepath.Join(dir, "nope"), needles("long enough"), leakscan.Options{})
		require.Error(t, err)
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := leakscan.Scan(ctx, dir, needles("long enough"), leakscan.Options{})
		require.ErrorIs(t, err, context.Canceled)
	})
}

// TestScanFollowsARootSymlink: the directory named by the caller is scanned
// even when it is a symlink; only links inside it are not followed.
func TestScanFollowsARootSymlink(t *testing.T) {
	dir := build(t, tree{"a/b": "Privileged and confidential"})
	link := filepath.Join(t.TempDir(), "store")
	require.NoError(t, os.Symlink(dir, link))
	rep, err := leakscan.Scan(context.Background(), link, needles("Privileged and confidential"), leakscan.Options{})
	require.NoError(t, err)
	require.Equal(t, int64(1), rep.Files)
	require.Equal(t, int64(1), rep.HitCount)
}

// TestReportHoldsNoNeedleBytes puts needles everywhere a Report can name,
// the scanned directory's own name included, and checks that neither its
// text nor its JSON repeats any of them.
func TestReportHoldsNoNeedleBytes(t *testing.T) {
	ns := needles("Subject: Falcon merger", "ann.lee@harper.example", "Falcon-LOI-draft.docx", "Ann.Lee@Harper.Example")
	parent := build(t, tree{
		"store-Falcon-LOI-draft.docx/tenants/Subject: Falcon merger/raw": "..ann.lee@harper.example..",
		"store-Falcon-LOI-draft.docx/Falcon-LOI-draft.docx/x":            "Subject: Falcon merger",
		"store-Falcon-LOI-draft.docx/link":                               "->../ann.lee@harper.example",
	})
	dir := filepath.Join(parent, "store-Falcon-LOI-draft.docx")
	rep, err := leakscan.Scan(context.Background(), dir, ns, leakscan.Options{LowerCase: true})
	require.NoError(t, err)
	require.GreaterOrEqual(t, rep.HitCount, int64(6))

	js, err := json.Marshal(rep)
	require.NoError(t, err)
	for _, out := range []string{rep.String(), string(js)} {
		for i, n := range ns {
			for _, form := range [][]byte{n, bytes.ToLower(n)} {
				require.False(t, bytes.Contains([]byte(out), form), "needle %d appears in the report:\n%s", i, out)
			}
		}
	}
	t.Log("\n" + rep.String())
}

func ExampleScan() {
	dir, err := os.MkdirTemp("", "store")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	// A store that wrote one attachment in the clear, under its own name.
	if err := os.WriteFile(filepath.Join(dir, "contract.pdf"), []byte("...Share Purchase Agreement..."), 0o600); err != nil {
		panic(err)
	}
	needles := [][]byte{[]byte("Share Purchase Agreement"), []byte("contract.pdf")}
	rep, err := leakscan.Scan(context.Background(), dir, needles, leakscan.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d files, %d bytes, %d hits\n", rep.Files, rep.Bytes, rep.HitCount)
	for _, h := range rep.Hits {
		fmt.Printf("%s %s offset %d: needle %d (%d bytes)\n", h.Path, h.Where, h.Offset, h.Needle, h.NeedleLen)
	}
	// Output:
	// 1 files, 30 bytes, 2 hits
	// ************ name offset 0: needle 1 (12 bytes)
	// ************ content offset 3: needle 0 (24 bytes)
}
