package main

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestExportMatter: a matter's export holds every message filed to it,
// byte-identical to what was ingested, with its index; it verifies with
// the key the firm hands over and with the published one; a changed byte
// fails it; the export and a subject-access export are audited, the
// address not.
func TestExportMatter(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"MATTERFILE_DATA_DIR": data}
	mustRun(t, env, "demo")
	out := filepath.Join(t.TempDir(), "acme-v-beta.zip")
	printed := mustRun(t, env, "export", "--tenant", demoTenant, "--matter", "m-2024-0117", "--out", out)
	key := regexp.MustCompile(`--key '([^']+)'`).FindStringSubmatch(printed)
	require.Len(t, key, 2, printed)
	require.Contains(t, mustRun(t, env, "export", "verify", out, "--key", key[1]), "verified")
	require.Contains(t, mustRun(t, env, "export", "verify", out, "--tenant", demoTenant), "verified")
	_, err := run(t, env, "export", "--tenant", demoTenant, "--matter", "m-2024-0117", "--out", out)
	require.ErrorContains(t, err, "exists", "an export never replaces a file")

	// The .eml files are the fixtures filed to the matter, byte for byte.
	want := map[string]bool{}
	for _, f := range loadFixtures(t) {
		if f.expected == "filed:m-2024-0117" {
			want[f.sha] = true
		}
	}
	require.NotEmpty(t, want)
	zr, err := zip.OpenReader(out)
	require.NoError(t, err)
	got := map[string]bool{}
	var indexRows int
	for _, f := range zr.File {
		switch {
		case strings.HasPrefix(f.Name, "messages/"):
			rc, err := f.Open()
			require.NoError(t, err)
			h := sha256.New()
			_, err = io.Copy(h, rc)
			rc.Close()
			require.NoError(t, err)
			got[hex.EncodeToString(h.Sum(nil))] = true
		case f.Name == "index.csv":
			rc, err := f.Open()
			require.NoError(t, err)
			rows, err := csv.NewReader(rc).ReadAll()
			rc.Close()
			require.NoError(t, err)
			require.Equal(t, []string{"date", "from", "to", "subject", "matter", "gmail_ids", "custodians", "sha256", "size", "file"}, rows[0])
			indexRows = len(rows) - 1
		}
	}
	zr.Close()
	require.Equal(t, want, got)
	require.Equal(t, len(want), indexRows)

	// Any changed byte fails verification; the file is not trusted.
	raw, err := os.ReadFile(out)
	require.NoError(t, err)
	for _, at := range []int{10, len(raw) / 3, len(raw) / 2, len(raw) - 30} {
		bad := append([]byte(nil), raw...)
		bad[at] ^= 0x20
		tampered := filepath.Join(t.TempDir(), "tampered.zip")
		require.NoError(t, os.WriteFile(tampered, bad, 0o600))
		_, err := run(t, env, "export", "verify", tampered, "--key", key[1])
		require.Error(t, err, "byte %d changed", at)
	}

	// A data subject's access request: every message from or to them.
	sar := filepath.Join(t.TempDir(), "sar.zip")
	require.Contains(t, mustRun(t, env, "export", "--tenant", demoTenant, "--address", "M.Castellano@wexfordpine.example", "--out", sar), "exported 1 messages")
	require.Contains(t, mustRun(t, env, "export", "verify", sar, "--tenant", demoTenant), "verified")
	_, err = run(t, env, "export", "--tenant", demoTenant, "--address", "nobody@nowhere.example", "--out", filepath.Join(t.TempDir(), "none.zip"))
	require.ErrorContains(t, err, "no message to export")

	log := mustRun(t, env, "audit", "list", "--tenant", demoTenant)
	require.Regexp(t, `export\s+ok .*matter:m-2024-0117`, log)
	require.Regexp(t, `export\.subject-access\s+ok`, log)
	require.Regexp(t, `message\.file\s+ok .*matter:m-2024-0117 .*filed to m-2024-0117`, log, "every filing is audited")
	require.Regexp(t, `message\.file\s+ok .*filed to review`, log)
	require.NotContains(t, strings.ToLower(log), "castellano", "the data subject's address stays out of the audit log")
}
