package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/ingest"
	"github.com/matterfile/matterfile/ingest/mbox"
	"github.com/matterfile/matterfile/internal/testenv"
	"github.com/matterfile/matterfile/leakscan"
	"github.com/matterfile/matterfile/storage"
)

// repoRoot is where testdata lives, relative to this package.
const repoRoot = "../.."

// run executes one matterfile command line in-process.
func run(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	return runCtx(context.Background(), t, env, args...)
}

func runCtx(ctx context.Context, t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := newRootCmd(func(k string) string { return env[k] }, &out, &errOut)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	if err != nil {
		t.Logf("matterfile %s: %v\nstderr: %s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String(), err
}

func mustRun(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	out, err := run(t, env, args...)
	require.NoError(t, err, "matterfile %s", strings.Join(args, " "))
	return out
}

// fixture is one message of testdata/mbox with its expected outcome.
type fixture struct {
	file     string
	index    int
	raw      []byte
	sha      string
	id       string // Message-ID
	expected string // filed:<target>, review, unparsed, skipped, custodian
}

// stored reports whether the fixture is stored as a message of its own: not
// skipped, and not a copy merged into another mailbox's filing.
func (f fixture) stored() bool { return f.expected != "skipped" && f.expected != "custodian" }

func loadFixtures(t *testing.T) []fixture {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot, "testdata/mbox/EXPECTED.csv"))
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	want, ids := map[string]string{}, map[string]string{}
	for _, r := range rows[1:] {
		want[r[col["file"]]+"#"+r[col["index"]]] = r[col["expected"]]
		ids[r[col["file"]]+"#"+r[col["index"]]] = r[col["message_id"]]
	}
	files, err := filepath.Glob(filepath.Join(repoRoot, "testdata/mbox/*.mbox"))
	require.NoError(t, err)
	require.Len(t, files, 3)
	var out []fixture
	for _, path := range files {
		fh, err := os.Open(path)
		require.NoError(t, err)
		rd := mbox.NewReader(fh)
		for i := 0; ; i++ {
			r, err := rd.Next()
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
			raw, err := io.ReadAll(r)
			require.NoError(t, err)
			sum := sha256.Sum256(raw)
			name := filepath.Base(path)
			exp, ok := want[name+"#"+strconv.Itoa(i)]
			require.True(t, ok, "EXPECTED.csv has no row for %s #%d", name, i)
			out = append(out, fixture{file: name, index: i, raw: raw, sha: hex.EncodeToString(sum[:]), id: ids[name+"#"+strconv.Itoa(i)], expected: exp})
		}
		fh.Close()
	}
	require.GreaterOrEqual(t, len(out), 40)
	return out
}

type listed struct {
	Messages []messageView `json:"messages"`
}

func listAll(t *testing.T, env map[string]string, tenant string) []messageView {
	t.Helper()
	var l listed
	require.NoError(t, json.Unmarshal([]byte(mustRun(t, env, "messages", "list", "--tenant", tenant, "--json")), &l))
	return l.Messages
}

// fileFixtures imports every fixture mailbox and checks each message's
// outcome against EXPECTED.csv and its raw bytes against the input.
func fileFixtures(t *testing.T, env map[string]string, tenant string) []fixture {
	t.Helper()
	fx := loadFixtures(t)
	mustRun(t, env, "tenants", "create", tenant)
	mustRun(t, env, "matters", "import", "--tenant", tenant, filepath.Join(repoRoot, "testdata/matters.csv"))
	for _, file := range []string{"alice.mbox", "ben.mbox", "chloe.mbox"} {
		path := filepath.Join(repoRoot, "testdata/mbox", file)
		mustRun(t, env, "import", "--tenant", tenant, "--mbox", path, "--mailbox", strings.TrimSuffix(file, ".mbox")+"@harperlegal.example", "--wait")
	}
	msgs := listAll(t, env, tenant)
	bySHA := map[string]messageView{}
	for _, m := range msgs {
		require.NotEqual(t, "failed", m.State, "message %s failed: %s", m.ID, m.Error)
		bySHA[m.RawSHA256] = m
	}
	for _, f := range fx {
		m, ok := bySHA[f.sha]
		if f.expected == "skipped" {
			require.False(t, ok, "%s #%d has no filing label but was filed", f.file, f.index)
			continue
		}
		if f.expected == "custodian" {
			require.False(t, ok, "%s #%d is a copy of a filed message but was stored again", f.file, f.index)
			requireCustodian(t, fx, bySHA, f)
			continue
		}
		require.True(t, ok, "%s #%d was not filed", f.file, f.index)
		switch {
		case strings.HasPrefix(f.expected, "filed:"):
			require.Equal(t, "filed", m.State, "%s #%d reasons %v", f.file, f.index, m.Reasons)
			require.Equal(t, strings.TrimPrefix(f.expected, "filed:"), m.Matter, "%s #%d", f.file, f.index)
		case f.expected == "review":
			require.Equal(t, "review", m.State, "%s #%d reasons %v", f.file, f.index, m.Reasons)
		case f.expected == "unparsed":
			require.Equal(t, "review", m.State)
			require.True(t, m.Unparsed, "%s #%d should be flagged unparsed", f.file, f.index)
		default:
			t.Fatalf("unknown expectation %q", f.expected)
		}
	}
	requireRawIntact(t, env, tenant, fx, "")
	return fx
}

// requireCustodian checks that copy f was merged into the stored fixture
// with its Message-ID, whose custodians now include f's mailbox.
func requireCustodian(t *testing.T, fx []fixture, bySHA map[string]messageView, f fixture) {
	t.Helper()
	for _, o := range fx {
		if o.id == f.id && o.stored() {
			m, ok := bySHA[o.sha]
			require.True(t, ok, "%s #%d: the message it copies is not stored", f.file, f.index)
			require.Contains(t, m.Custodians, strings.TrimSuffix(f.file, ".mbox")+"@harperlegal.example")
			require.Contains(t, m.Custodians, strings.TrimSuffix(o.file, ".mbox")+"@harperlegal.example")
			return
		}
	}
	t.Fatalf("%s #%d: no stored fixture with its Message-ID", f.file, f.index)
}

// requireRawIntact checks that every filed fixture still reads back byte
// for byte, except those filed for client erased, which must be gone.
func requireRawIntact(t *testing.T, env map[string]string, tenant string, fx []fixture, erased string) {
	t.Helper()
	bySHA := map[string]messageView{}
	for _, m := range listAll(t, env, tenant) {
		bySHA[m.RawSHA256] = m
	}
	dir := t.TempDir()
	for _, f := range fx {
		if !f.stored() {
			continue
		}
		m, ok := bySHA[f.sha]
		if erased != "" && (!ok || m.Client == erased) {
			require.False(t, ok, "%s #%d belongs to erased client %s but is listed", f.file, f.index, erased)
			continue
		}
		require.True(t, ok, "%s #%d is not listed", f.file, f.index)
		out := filepath.Join(dir, m.ID+".eml")
		mustRun(t, env, "messages", "get", "--tenant", tenant, m.ID, "--part", "raw", "-o", out)
		got, err := os.ReadFile(out)
		require.NoError(t, err)
		require.Equal(t, f.raw, got, "%s #%d: raw bytes differ", f.file, f.index)
		sum := sha256.Sum256(got)
		require.Equal(t, f.sha, hex.EncodeToString(sum[:]))
	}
}

// needles are plaintext snippets of the fixtures that must never appear in
// a store: subjects, addresses, pieces of every body and attachment.
func needles(t *testing.T, fx []fixture) [][]byte {
	t.Helper()
	var out [][]byte
	for _, f := range fx {
		sink := &captureSink{}
		msg, err := ingest.Parse(bytes.NewReader(f.raw), sink, ingest.DefaultLimits())
		require.NoError(t, err)
		if len(msg.Subject) >= 12 {
			out = append(out, []byte(msg.Subject))
		}
		for _, a := range msg.From {
			if len(a.Addr) >= 12 {
				out = append(out, []byte(a.Addr))
			}
		}
		for _, p := range sink.parts {
			for off := 0; off+32 <= len(p) && off < 4096; off += 512 {
				chunk := p[off : off+32]
				if len(bytes.TrimSpace(chunk)) == 32 {
					out = append(out, chunk)
				}
			}
		}
	}
	require.Greater(t, len(out), 100, "too few plaintext needles to make the scan meaningful")
	return out
}

type captureSink struct{ parts [][]byte }

type captureWriter struct {
	s *captureSink
	b bytes.Buffer
}

func (w *captureWriter) Write(p []byte) (int, error) { return w.b.Write(p) }
func (w *captureWriter) Close() error                { w.s.parts = append(w.s.parts, w.b.Bytes()); return nil }

func (s *captureSink) CreatePart(ingest.PartInfo) (io.WriteCloser, error) {
	return &captureWriter{s: s}, nil
}

// requireNoPlaintext scans dir for the needles, the way 'matterfile doctor
// leakscan' does, and fails on any hit (attack 47): in a file's bytes, in a
// name, or in a lower-cased form, as stores and servers fold case. An empty
// directory fails too: a scan of nothing proves nothing.
func requireNoPlaintext(t *testing.T, dir string, ns [][]byte) {
	t.Helper()
	rep, err := leakscan.Scan(context.Background(), dir, ns, leakscan.Options{LowerCase: true})
	require.NoError(t, err)
	t.Logf("leakscan: %d files, %d bytes, %d needles", rep.Files, rep.Bytes, rep.Needles)
	require.Greater(t, rep.Files, int64(0), "no file scanned under %s", dir)
	require.Zero(t, rep.HitCount, "plaintext found:\n%s", rep)
}

// requireDoctorFindsNoPlaintext runs the command an operator runs on the
// same directory, with the needles written to a file.
func requireDoctorFindsNoPlaintext(t *testing.T, dir string, ns [][]byte) {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, leakscan.WriteNeedles(&b, ns))
	file := filepath.Join(t.TempDir(), "needles.txt")
	require.NoError(t, os.WriteFile(file, b.Bytes(), 0o600))
	out := mustRun(t, nil, "doctor", "leakscan", "--dir", dir, "--needles", file, "--lower")
	require.Regexp(t, `: 0 hits\n$`, out)
}

// TestDoctorLeakscan: a hit names the file, offset and needle index but not
// the needle's text, the exit status is 2, and nothing is configured or
// opened on the way.
func TestDoctorLeakscan(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	secret := "Subject: Falcon merger"
	require.NoError(t, os.MkdirAll(filepath.Join(store, "tenants", "acme"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(store, "tenants", "acme", "raw"), []byte("..."+secret), 0o600))
	file := filepath.Join(dir, "needles.txt")
	require.NoError(t, os.WriteFile(file, []byte("# from the fixtures\nann.lee@harper.example\n"+secret+"\n"), 0o600))
	env := map[string]string{"MATTERFILE_DATA_DIR": filepath.Join(dir, "data")}

	out, err := run(t, env, "doctor", "leakscan", "--dir", store, "--needles", file)
	var ee *exitError
	require.ErrorAs(t, err, &ee)
	require.Equal(t, 2, ee.code)
	require.Contains(t, out, "2 needles (longest 22 bytes): 1 hits")
	require.Contains(t, out, filepath.Join(store, "tenants/acme/raw")+"\tcontent offset 3\tneedle 1 (22 bytes)")
	require.NotContains(t, out, secret)
	require.NotContains(t, err.Error(), secret)
	require.NoDirExists(t, env["MATTERFILE_DATA_DIR"], "doctor leakscan must not open a store")

	out, err = run(t, env, "doctor", "leakscan", "--dir", store, "--needles", file, "--json")
	require.ErrorAs(t, err, &ee)
	var rep leakscan.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.Equal(t, int64(1), rep.Files)
	require.Equal(t, []leakscan.Hit{{Path: "tenants/acme/raw", Where: leakscan.InContent, Offset: 3, Needle: 1, NeedleLen: 22}}, rep.Hits)

	require.NoError(t, os.WriteFile(file, []byte("short\n"), 0o600))
	_, err = run(t, env, "doctor", "leakscan", "--dir", store, "--needles", file)
	require.ErrorContains(t, err, "line 1")
	require.False(t, errors.As(err, &ee), "a bad needles file is an error, not a finding")
}

func listObjects(t *testing.T, bs storage.BlobStore) map[string]bool {
	t.Helper()
	keys := map[string]bool{}
	require.NoError(t, bs.List(context.Background(), "", func(i storage.Info) error { keys[i.Key] = true; return nil }))
	return keys
}

// added names the objects in after that are not in before, so a failure
// says which stage wrote twice.
func added(before, after map[string]bool) []string {
	var keys []string
	for k := range after {
		if !before[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// TestEndToEndRedisMinIO files the fixtures through a real Redis and a real
// MinIO, reads every message back byte-exact, re-imports without adding an
// object, and scans MinIO's data directory for plaintext.
func TestEndToEndRedisMinIO(t *testing.T) {
	s3 := testenv.S3(t)
	redisURL := freshRedisDB(t, 2)
	env := map[string]string{
		"MATTERFILE_DATA_DIR":      t.TempDir(),
		"MATTERFILE_REDIS_URL":     redisURL,
		"MATTERFILE_S3_ENDPOINT":   s3.Endpoint,
		"MATTERFILE_S3_ACCESS_KEY": s3.AccessKey,
		"MATTERFILE_S3_SECRET_KEY": s3.SecretKey,
		"MATTERFILE_S3_BUCKET":     s3.Bucket,
		"MATTERFILE_S3_TLS":        "false",
	}
	testenv.AlsoRemove(t, s3, s3.Bucket+"-keys")
	fx := fileFixtures(t, env, "e2e-firm")

	bs, err := storage.NewS3(context.Background(), s3)
	require.NoError(t, err)
	before := listObjects(t, bs)
	for _, file := range []string{"alice.mbox", "ben.mbox", "chloe.mbox"} {
		out := mustRun(t, env, "import", "--tenant", "e2e-firm", "--mbox", filepath.Join(repoRoot, "testdata/mbox", file),
			"--mailbox", strings.TrimSuffix(file, ".mbox")+"@harperlegal.example", "--wait")
		require.Contains(t, out, "filed now")
	}
	after := listObjects(t, bs)
	require.Empty(t, added(before, after), "a second import must not add objects")
	require.Equal(t, len(before), len(after), "a second import must not remove objects")

	// Rotation then re-encryption: everything reads back byte for byte.
	// (Old keys are retired two minutes after the rotation; the worker
	// tests cover retirement.)
	mustRun(t, env, "keys", "rotate", "--tenant", "e2e-firm")
	out := mustRun(t, env, "keys", "reencrypt", "--tenant", "e2e-firm", "--wait")
	require.Contains(t, out, "waiting to retire")
	require.Contains(t, out, "failed 0, not in layout 0")
	requireRawIntact(t, env, "e2e-firm", fx, "")

	// Erasing one client: refused under a hold; then its messages are
	// gone and everyone else's intact.
	mustRun(t, env, "holds", "place", "--tenant", "e2e-firm", "--matter", "m-2024-0288", "--reason", "appeal pending")
	_, err = run(t, env, "clients", "delete", "--tenant", "e2e-firm", "northwind", "--yes")
	require.ErrorContains(t, err, "legal hold")
	var holds struct {
		Holds []struct{ ID string } `json:"holds"`
	}
	require.NoError(t, json.Unmarshal([]byte(mustRun(t, env, "holds", "list", "--tenant", "e2e-firm")), &holds))
	require.Len(t, holds.Holds, 1)
	mustRun(t, env, "holds", "release", "--tenant", "e2e-firm", holds.Holds[0].ID)
	out = mustRun(t, env, "clients", "delete", "--tenant", "e2e-firm", "northwind", "--yes")
	require.Regexp(t, `erased tenant e2e-firm client northwind: 2 keysets destroyed .* [1-9][0-9]* objects deleted`, out, "two generations: made, then rotated")
	requireRawIntact(t, env, "e2e-firm", fx, "northwind")
	out = mustRun(t, env, "audit", "verify", "--tenant", "e2e-firm")
	require.Contains(t, out, "intact")
	out = mustRun(t, env, "audit", "list", "--tenant", "e2e-firm")
	for _, action := range []string{"keys.rotate", "keys.reencrypt", "hold.place", "hold.release", "client.delete", "keys.destroy"} {
		require.Contains(t, out, action)
	}

	requireNoPlaintext(t, testenv.MinIODataDir(t), needles(t, fx))
}

// With one bucket per tenant, a tenant's objects are in its own bucket and
// nowhere else, and everything works as with prefixes.
func TestPerTenantBucketsMinIO(t *testing.T) {
	s3 := testenv.S3(t)
	env := map[string]string{
		"MATTERFILE_DATA_DIR":             t.TempDir(),
		"MATTERFILE_S3_ENDPOINT":          s3.Endpoint,
		"MATTERFILE_S3_ACCESS_KEY":        s3.AccessKey,
		"MATTERFILE_S3_SECRET_KEY":        s3.SecretKey,
		"MATTERFILE_S3_BUCKET":            s3.Bucket,
		"MATTERFILE_S3_TLS":               "false",
		"MATTERFILE_S3_BUCKET_PER_TENANT": "true",
	}
	for _, b := range []string{"-keys", "-t-firm-one", "-t-firm-two"} {
		testenv.AlsoRemove(t, s3, s3.Bucket+b)
	}
	for _, tenant := range []string{"firm-one", "firm-two"} {
		mustRun(t, env, "tenants", "create", tenant)
		mustRun(t, env, "matters", "import", "--tenant", tenant, filepath.Join(repoRoot, "testdata/matters.csv"))
	}
	mustRun(t, env, "import", "--tenant", "firm-one", "--mbox", filepath.Join(repoRoot, "testdata/mbox/alice.mbox"),
		"--mailbox", "alice@harperlegal.example", "--wait")
	msgs := listAll(t, env, "firm-one")
	require.NotEmpty(t, msgs)
	require.Empty(t, listAll(t, env, "firm-two"))
	raw := mustRun(t, env, "messages", "get", "--tenant", "firm-one", msgs[0].ID, "--part", "raw")
	sum := sha256.Sum256([]byte(raw))
	require.Equal(t, msgs[0].RawSHA256, hex.EncodeToString(sum[:]))

	count := func(bucket, prefix string) int {
		cfg := s3
		cfg.Bucket = bucket
		bs, err := storage.NewS3(context.Background(), cfg)
		require.NoError(t, err)
		n := 0
		require.NoError(t, bs.List(context.Background(), prefix, func(storage.Info) error { n++; return nil }))
		return n
	}
	require.Positive(t, count(s3.Bucket+"-t-firm-one", "tenants/firm-one/"))
	require.Zero(t, count(s3.Bucket+"-t-firm-two", "tenants/firm-one/"))
	require.Zero(t, count(s3.Bucket, "tenants/"), "the shared bucket holds no tenant's objects")
	require.Positive(t, count(s3.Bucket+"-keys", "tenants/firm-one/keys/"))
}

// freshRedisDB returns the URL of Redis database db, emptied: asynq's keys
// are per queue name, so tests of different packages use different
// databases.
func freshRedisDB(t *testing.T, db int) string {
	t.Helper()
	addr := testenv.RedisAddr(t)
	c := redis.NewClient(&redis.Options{Addr: addr, DB: db})
	defer c.Close()
	require.NoError(t, c.FlushDB(context.Background()).Err())
	return fmt.Sprintf("redis://%s/%d", addr, db)
}

// TestDemoEmbedded runs the README's first command on embedded defaults,
// twice, and scans the local store for plaintext.
func TestDemoEmbedded(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"MATTERFILE_DATA_DIR": data}
	out := mustRun(t, env, "demo")
	require.Contains(t, out, "messages read")
	require.Contains(t, out, "sent to review")
	require.Contains(t, out, filepath.Join(data, "store"))
	t.Log("\n" + out)

	local, err := storage.NewLocal(filepath.Join(data, "store"))
	require.NoError(t, err)
	before := listObjects(t, local)
	require.Regexp(t, `Admin web: firm demo, admin@harperlegal\.example, one-time password [A-Z2-7]{26}\n`, out)
	out2 := mustRun(t, env, "demo")
	require.Empty(t, added(before, listObjects(t, local)), "a second demo must not add objects")
	require.Contains(t, out2, "admin@harperlegal.example (made by an earlier run")
	require.Regexp(t, `filed now\s+0\n`, out2)

	fx := loadFixtures(t)
	msgs := listAll(t, env, demoTenant)
	taken := 0
	for _, f := range fx {
		if f.stored() {
			taken++
		}
	}
	require.Len(t, msgs, taken)
	ns := needles(t, fx)
	requireNoPlaintext(t, data, ns)
	requireDoctorFindsNoPlaintext(t, data, ns)

	// An HTML-only message still reads back as text: the rendition of its
	// HTML kept in the sealed manifest.
	htmlOnly := 0
	for _, m := range msgs {
		kinds := map[string]bool{}
		for _, p := range m.Parts {
			kinds[p.Kind] = true
		}
		if !kinds[ingest.KindHTML] || kinds[ingest.KindText] {
			continue
		}
		htmlOnly++
		html := mustRun(t, env, "messages", "get", "--tenant", demoTenant, m.ID, "--part", "html")
		text := mustRun(t, env, "messages", "get", "--tenant", demoTenant, m.ID, "--part", "text")
		require.NotEmpty(t, strings.TrimSpace(text), m.ID)
		require.NotContains(t, text, "<", "text of %s is markup-free", m.ID)
		require.Contains(t, html, "<")
	}
	require.Positive(t, htmlOnly, "the fixtures hold an HTML-only message")

	st, err := os.Stat(filepath.Join(data, "root.key"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	// The data store holds no keysets: they live in the key store beside it.
	require.NoError(t, local.List(context.Background(), "", func(i storage.Info) error {
		require.NotRegexp(t, `^tenants/[^/]+/keys/`, i.Key)
		return nil
	}))

	// A tampered message: the read fails as an integrity failure, leaves
	// no file behind, and is audited.
	var victim messageView
	for _, m := range msgs {
		if m.Client != "" {
			victim = m
			break
		}
	}
	require.NotEmpty(t, victim.ID)
	key := "tenants/" + demoTenant + "/clients/" + victim.Client + "/matters/" + victim.Matter + "/messages/" + victim.ID + "/raw"
	rc, err := local.Get(context.Background(), key)
	require.NoError(t, err)
	ct, err := io.ReadAll(rc)
	rc.Close()
	require.NoError(t, err)
	ct[len(ct)/2] ^= 0x40
	require.NoError(t, local.Put(context.Background(), key, bytes.NewReader(ct), storage.PutOptions{}))
	outDir := t.TempDir()
	_, err = run(t, env, "messages", "get", "--tenant", demoTenant, victim.ID, "--part", "raw", "-o", filepath.Join(outDir, "m.eml"))
	require.ErrorContains(t, err, "integrity failure")
	left, err := os.ReadDir(outDir)
	require.NoError(t, err)
	require.Empty(t, left, "no file, not even a temporary one, is left")
	require.Contains(t, mustRun(t, env, "audit", "list", "--tenant", demoTenant), "integrity.failure")
}

// TestConfigErrorsNameTheSetting checks that a wrong setting stops the
// command before any work, naming the variable.
func TestConfigErrorsNameTheSetting(t *testing.T) {
	for _, tc := range []struct{ env, value string }{
		{"MATTERFILE_REDIS_URL", "http://nope"},
		{"MATTERFILE_S3_TLS", "maybe"},
		{"MATTERFILE_KEY_URI", "aws-kms://key"},
		{"MATTERFILE_CONCURRENCY", "0"},
		{"MATTERFILE_S3_ENDPOINT", "http://127.0.0.1:9000"},
	} {
		env := map[string]string{"MATTERFILE_DATA_DIR": t.TempDir(), tc.env: tc.value}
		_, err := run(t, env, "tenants", "list")
		require.Error(t, err)
		require.Contains(t, err.Error(), tc.env)
	}
}

func TestVersionAndHelp(t *testing.T) {
	out := mustRun(t, map[string]string{}, "version")
	require.True(t, strings.HasPrefix(out, "matterfile "))
	help := mustRun(t, map[string]string{}, "--help")
	for _, want := range []string{"demo", "import", "messages", "MATTERFILE_DATA_DIR", "MATTERFILE_REDIS_URL"} {
		require.Contains(t, help, want)
	}
}
