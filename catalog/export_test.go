package catalog_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/catalog/catalogtest"
	"github.com/matterfile/matterfile/ingest"
	"github.com/matterfile/matterfile/storage"
)

// zeros is size bytes of a repeating pattern, without holding them.
type pattern struct{ left int64 }

func (p *pattern) Read(b []byte) (int, error) {
	if p.left <= 0 {
		return 0, io.EOF
	}
	n := int64(len(b))
	if n > p.left {
		n = p.left
	}
	for i := range b[:n] {
		b[i] = byte('A' + i%26)
	}
	p.left -= n
	return int(n), nil
}

// sampling passes writes through and samples the heap on every 256th.
type sampling struct {
	w      io.Writer
	writes int
	peak   *uint64
}

func (s *sampling) Write(b []byte) (int, error) {
	if s.writes++; s.writes%256 == 0 {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		*s.peak = max(*s.peak, ms.HeapInuse)
	}
	return s.w.Write(b)
}

// TestExportMemoryFlat is issue 9's "exporting a matter with a 1 GB
// attachment keeps peak RSS under 128 MiB", measured as the heap in use:
// the attachment streams from its sealed object through the zip writer.
func TestExportMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 1 GiB")
	}
	const size = 1 << 30
	ctx := context.Background()
	cat, _ := catalogtest.New(t)
	require.NoError(t, cat.CreateTenant(ctx, "firm"))
	tn, err := cat.Open(ctx, "firm")
	require.NoError(t, err)

	raw := []byte("From: a@acme.example\r\nSubject: the big exhibit\r\nMessage-ID: <big@acme.example>\r\n\r\nsee attached\r\n")
	f, err := tn.NewFiling(ctx, storage.MessagePlace{Message: "big1", Client: "acme", Matter: "m-1"})
	require.NoError(t, err)
	w, err := f.Raw()
	require.NoError(t, err)
	_, err = w.Write(raw)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	info := ingest.PartInfo{Index: 0, Kind: ingest.KindAttachment, ContentType: "application/pdf", Filename: "exhibit.pdf"}
	pw, err := f.CreatePart(info)
	require.NoError(t, err)
	ph := sha256.New()
	_, err = io.Copy(io.MultiWriter(pw, ph), &pattern{left: size})
	require.NoError(t, err)
	require.NoError(t, pw.Close())
	sum := sha256.Sum256(raw)
	_, err = f.Commit(&catalog.Manifest{RawSHA256: hex.EncodeToString(sum[:]), RawSize: int64(len(raw)),
		Custodians: []catalog.Custodian{{Mailbox: "mb-1", Address: "ann@firm.example"}},
		Message:    ingest.Message{Subject: "the big exhibit", Parts: []ingest.Part{{PartInfo: info, Size: size, SHA256: hex.EncodeToString(ph.Sum(nil))}}}})
	require.NoError(t, err)

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapInuse, ms.HeapInuse
	var counted countingDiscard
	s, err := tn.ExportMatter(ctx, &sampling{w: &counted, peak: &peak}, "m-1", "cli:test", nil)
	require.NoError(t, err)
	require.Equal(t, 1, s.Messages)
	require.Equal(t, 1, s.Attachments)
	require.Greater(t, counted.n, int64(size), "the attachment is in the archive")
	grown := int64(peak) - int64(base)
	t.Logf("exported a %d MiB attachment; heap in use grew by at most %.1f MiB", size>>20, float64(grown)/(1<<20))
	require.Less(t, grown, int64(64<<20), "heap grew by %d MiB", grown>>20)
}

type countingDiscard struct{ n int64 }

func (c *countingDiscard) Write(b []byte) (int, error) { c.n += int64(len(b)); return len(b), nil }

// TestExportRefusesWhatWasNotFiled: an export checks each message's bytes
// against the SHA-256 recorded when it was filed.
func TestExportRefusesWhatWasNotFiled(t *testing.T) {
	ctx := context.Background()
	cat, _ := catalogtest.New(t)
	require.NoError(t, cat.CreateTenant(ctx, "firm"))
	tn, err := cat.Open(ctx, "firm")
	require.NoError(t, err)
	f, err := tn.NewFiling(ctx, storage.MessagePlace{Message: "m1", Client: "acme", Matter: "m-1"})
	require.NoError(t, err)
	w, err := f.Raw()
	require.NoError(t, err)
	_, err = io.Copy(w, strings.NewReader("From: a@acme.example\r\n\r\nbody\r\n"))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	_, err = f.Commit(&catalog.Manifest{RawSHA256: strings.Repeat("0", 64), RawSize: 29})
	require.NoError(t, err)
	var buf bytes.Buffer
	_, err = tn.ExportMatter(ctx, &buf, "m-1", "cli:test", nil)
	require.ErrorContains(t, err, "differ from those filed")
	_, err = tn.ExportMatter(ctx, &buf, "m-2", "cli:test", nil)
	require.ErrorIs(t, err, catalog.ErrNothingToExport)
}
