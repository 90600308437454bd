package worker_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/catalog"
	"github.com/matterfile/matterfile/worker"
)

// withAttachment is a message whose attachment has size random bytes.
func withAttachment(subject string, size int) []byte {
	data := make([]byte, size)
	_, _ = rand.NewChaCha8([32]byte{byte(size), byte(size >> 8), byte(size >> 16)}).Read(data)
	var b bytes.Buffer
	fmt.Fprintf(&b, "X-Gmail-Labels: Inbox,Matters/2024-0001 Acme\r\nFrom: Ann <ann@acme.example>\r\nTo: bob@firm.example\r\n"+
		"Subject: %s\r\nMessage-ID: <%s@acme.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n", subject, subject)
	b.WriteString("--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the exhibit.\r\n")
	b.WriteString("--b1\r\nContent-Type: application/pdf; name=\"exhibit.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--b1--\r\n")
	return b.Bytes()
}

// A message small enough to be sealed from what the first pass kept, and
// one so large that it is parsed again from the staged copy, are stored
// alike: the raw bytes exactly, and every part the manifest lists with the
// size and SHA-256 it records.
func TestFilingStoresRawAndEveryPart(t *testing.T) {
	b := setup(t)
	small := withAttachment("small", 60_000)
	large := withAttachment("large", 6<<20)
	ps := b.stageOnly(t, "firm-a", export(t, small, large))
	require.Len(t, ps, 2)
	tn, err := b.cat.Open(b.ctx, "firm-a")
	require.NoError(t, err)
	for i, raw := range [][]byte{small, large} {
		e, err := b.h.FileMessage(b.ctx, ps[i])
		require.NoError(t, err)
		m, err := tn.Manifest(b.ctx, e)
		require.NoError(t, err)
		got := readFiledPart(t, tn, e, catalog.PartRaw)
		require.True(t, bytes.Equal(raw, got), "raw message %d stored byte for byte", i)
		require.Len(t, m.Message.Parts, 2, "message %d: text and attachment", i)
		for _, p := range m.Message.Parts {
			body := readFiledPart(t, tn, e, strconv.Itoa(p.Index))
			sum := sha256.Sum256(body)
			require.Equal(t, p.SHA256, hex.EncodeToString(sum[:]), "message %d part %d", i, p.Index)
			require.Equal(t, p.Size, int64(len(body)))
		}
	}
}

func readFiledPart(t *testing.T, tn *catalog.Tenant, e catalog.IndexEntry, part string) []byte {
	t.Helper()
	rc, err := tn.OpenPart(t.Context(), e, part)
	require.NoError(t, err)
	defer rc.Close()
	b, err := io.ReadAll(rc)
	require.NoError(t, err)
	return b
}

// An import stages several messages at once and streams a large one, but
// reports them as the export holds them: every taken message staged and
// queued once, its task in export order, progress counted once per
// message.
func TestImportStagesEveryMessageInOrder(t *testing.T) {
	b := setup(t)
	var msgs [][]byte
	for i := range 12 {
		switch {
		case i == 5:
			msgs = append(msgs, withAttachment("large", 2<<20))
		case i == 7:
			msgs = append(msgs, message("Inbox", "private", "not for filing"))
		default:
			msgs = append(msgs, message("Inbox,Matters/2024-0001 Acme", "hello-"+strconv.Itoa(i), "body "+strconv.Itoa(i)))
		}
	}
	var progress []int
	res, err := b.im.ImportMbox(b.ctx, "firm-a", export(t, msgs...), worker.ImportOptions{
		Mailbox: "bob@firm.example", OnMessage: func(done int) { progress = append(progress, done) },
	})
	require.NoError(t, err)
	require.Equal(t, 12, res.Read)
	require.Equal(t, 1, res.Skipped)
	require.Equal(t, 11, res.Queued)
	want := make([]int, 12)
	for i := range want {
		want[i] = i + 1
	}
	require.Equal(t, want, progress)
	tn, err := b.cat.Open(b.ctx, "firm-a")
	require.NoError(t, err)
	var ids []string
	for i, raw := range msgs {
		if i == 7 {
			continue
		}
		id, err := tn.MessageID(sha256.Sum256(raw))
		require.NoError(t, err)
		ids = append(ids, id)
	}
	var got []string
	for _, ref := range res.Tasks {
		got = append(got, ref.Message)
	}
	require.Equal(t, ids, got, "tasks in export order")
	pending, err := tn.Pending(b.ctx)
	require.NoError(t, err)
	require.Len(t, pending, 11, "every taken message is staged")
}
