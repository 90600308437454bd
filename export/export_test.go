package export_test

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"

	"github.com/matterfile/matterfile/export"
)

func keys(t *testing.T, name string) (note.Signer, note.Verifiers) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	require.NoError(t, err)
	s, err := note.NewSigner(skey)
	require.NoError(t, err)
	v, err := note.NewVerifier(vkey)
	require.NoError(t, err)
	return s, note.VerifierList(v)
}

func archive(t *testing.T, s note.Signer, files ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := export.NewWriter(&buf, s, "tenant acme matter m-1", time.Date(2026, 11, 25, 13, 0, 0, 123, time.UTC))
	require.NoError(t, err)
	for i := 0; i < len(files); i += 2 {
		_, _, err := w.Add(files[i], strings.NewReader(files[i+1]))
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	return buf.Bytes()
}

func TestVerify(t *testing.T) {
	s, vs := keys(t, "matterfile-export/acme")
	zip := archive(t, s, "messages/1.eml", "From: a@b.example\r\n\r\nhello\r\n", "attachments/1/0_a.pdf", "%PDF-1.4 x", "index.csv", "date,from\n")
	res, err := export.Verify(bytes.NewReader(zip), int64(len(zip)), vs)
	require.NoError(t, err)
	require.Equal(t, 3, res.Files)
	require.Equal(t, "tenant acme matter m-1", res.Title)
	require.Equal(t, "matterfile-export/acme", res.Signer)

	// Another firm's key does not verify it.
	_, other := keys(t, "matterfile-export/acme")
	_, err = export.Verify(bytes.NewReader(zip), int64(len(zip)), other)
	require.ErrorIs(t, err, export.ErrVerify)

	// Changing any byte of the archive fails verification.
	for i := range zip {
		bad := bytes.Clone(zip)
		bad[i] ^= 0x01
		_, err := export.Verify(bytes.NewReader(bad), int64(len(bad)), vs)
		require.Error(t, err, "byte %d of %d changed", i, len(zip))
	}
	// So does a byte more or less.
	_, err = export.Verify(bytes.NewReader(zip[:len(zip)-1]), int64(len(zip)-1), vs)
	require.Error(t, err)
	longer := append(bytes.Clone(zip), 0)
	_, err = export.Verify(bytes.NewReader(longer), int64(len(longer)), vs)
	require.Error(t, err)

	// A file left out, or one added, re-signed by someone else, fails.
	fewer := archive(t, s, "messages/1.eml", "From: a@b.example\r\n\r\nhello\r\n")
	_, err = export.Verify(bytes.NewReader(fewer), int64(len(fewer)), vs)
	require.NoError(t, err, "a smaller export signed by the firm is a valid export of its own")
	forger, _ := keys(t, "matterfile-export/acme")
	forged := archive(t, forger, "messages/1.eml", "From: a@b.example\r\n\r\nhello\r\n", "messages/2.eml", "planted")
	_, err = export.Verify(bytes.NewReader(forged), int64(len(forged)), vs)
	require.ErrorIs(t, err, export.ErrVerify)
}

func TestNames(t *testing.T) {
	s, _ := keys(t, "matterfile-export/acme")
	w, err := export.NewWriter(&bytes.Buffer{}, s, "t", time.Now())
	require.NoError(t, err)
	for _, bad := range []string{"", "/etc/passwd", "../x", "a/../../x", "a\\b", "MANIFEST", "a//b", "a\nb"} {
		_, _, err := w.Add(bad, strings.NewReader("x"))
		require.ErrorIs(t, err, export.ErrName, "%q", bad)
	}
	_, _, err = w.Add("a/b.eml", strings.NewReader("x"))
	require.NoError(t, err)
	_, _, err = w.Add("a/b.eml", strings.NewReader("x"))
	require.ErrorIs(t, err, export.ErrName, "a name is added once")
}

func FuzzVerify(f *testing.F) {
	skey, vkey, _ := note.GenerateKey(rand.Reader, "matterfile-export/fuzz")
	s, _ := note.NewSigner(skey)
	v, _ := note.NewVerifier(vkey)
	var buf bytes.Buffer
	w, _ := export.NewWriter(&buf, s, "fuzz", time.Unix(0, 0))
	w.Add("a.eml", strings.NewReader("hello"))
	w.Close()
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x05\x06"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := export.Verify(bytes.NewReader(data), int64(len(data)), note.VerifierList(v))
		if err == nil && !bytes.Equal(data, buf.Bytes()) {
			t.Fatalf("a different archive verified: %+v", res)
		}
	})
}
