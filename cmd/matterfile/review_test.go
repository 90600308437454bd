package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ingest/mbox"
	"github.com/matterfile/matterfile/internal/testenv"
)

// writeMbox writes messages as a Takeout mbox and returns its path.
func writeMbox(t *testing.T, msgs ...string) string {
	t.Helper()
	var box bytes.Buffer
	for _, m := range msgs {
		require.NoError(t, mbox.WriteMessage(&box, []byte(strings.ReplaceAll(m, "\n", "\r\n"))))
	}
	path := filepath.Join(t.TempDir(), "export.mbox")
	require.NoError(t, os.WriteFile(path, box.Bytes(), 0o600))
	return path
}

type reviewList struct {
	Reviews []reviewView `json:"reviews"`
}

func listReviews(t *testing.T, env map[string]string, tenant string, extra ...string) []reviewView {
	t.Helper()
	var l reviewList
	out := mustRun(t, env, append([]string{"review", "list", "--tenant", tenant, "--json"}, extra...)...)
	require.NoError(t, json.Unmarshal([]byte(out), &l))
	return l.Reviews
}

func ruleNames(rs []classify.Reason) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Rule)
	}
	return out
}

// TestReviewRedisMinIO works through the review queue with the commands,
// on a real Redis and MinIO: a message the classifier is unsure about
// lists its candidates and reasons, is assigned, keeps its reasons, and
// teaches its conversation to a later reply; a message from a mailbox
// walled off from its matter raises an alert and is dismissed; every
// decision is in the audit log.
func TestReviewRedisMinIO(t *testing.T) {
	s3 := testenv.S3(t)
	env := map[string]string{
		"MATTERFILE_DATA_DIR":      t.TempDir(),
		"MATTERFILE_REDIS_URL":     freshRedisDB(t, 4),
		"MATTERFILE_S3_ENDPOINT":   s3.Endpoint,
		"MATTERFILE_S3_ACCESS_KEY": s3.AccessKey,
		"MATTERFILE_S3_SECRET_KEY": s3.SecretKey,
		"MATTERFILE_S3_BUCKET":     s3.Bucket,
		"MATTERFILE_S3_TLS":        "false",
	}
	testenv.AlsoRemove(t, s3, s3.Bucket+"-keys")
	const tenant = "review-firm"
	mustRun(t, env, "tenants", "create", tenant)
	mustRun(t, env, "matters", "import", "--tenant", tenant, filepath.Join(repoRoot, "testdata/matters.csv"))

	// Ann is walled off from the trade mark opposition: an edit of the
	// exported registry, imported back.
	dir := t.TempDir()
	exported := filepath.Join(dir, "registry.json")
	mustRun(t, env, "matters", "export", "--tenant", tenant, "-o", exported)
	data, err := os.ReadFile(exported)
	require.NoError(t, err)
	var reg classify.Registry
	require.NoError(t, json.Unmarshal(data, &reg))
	for i := range reg.Targets {
		if reg.Targets[i].ID == "m-2024-0288" {
			reg.Targets[i].Walled = []string{"ann@harperlegal.example"}
		}
	}
	data, err = json.Marshal(reg)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(exported, data, 0o600))
	require.Contains(t, mustRun(t, env, "matters", "import", "--tenant", tenant, exported), "0 added, 1 updated, 5 unchanged")

	first := writeMbox(t,
		"X-Gmail-Labels: File to matter\nFrom: Dana <dana.k@gmail.com>\nTo: ann@harperlegal.example\nDate: Tue, 04 Jun 2024 09:00:00 +0000\n"+
			"Subject: delivery schedule from Corvid Parts\nMessage-ID: <sched-1@gmail.com>\n\nThe new schedule is attached.\n",
		"X-Gmail-Labels: File to matter\nFrom: Tom <tom@tmregistry.example>\nTo: ann@harperlegal.example\nDate: Tue, 04 Jun 2024 10:00:00 +0000\n"+
			"Subject: 2024-0288 opposition, notice of filing\nMessage-ID: <tm-1@tmregistry.example>\n\nNotice.\n",
	)
	mustRun(t, env, "import", "--tenant", tenant, "--mbox", first, "--mailbox", "ann@harperlegal.example", "--wait")

	queue := listReviews(t, env, tenant)
	require.Len(t, queue, 2)
	bySubject := map[string]reviewView{}
	for _, v := range queue {
		bySubject[v.Subject] = v
	}
	unsure, walled := bySubject["delivery schedule from Corvid Parts"], bySubject["2024-0288 opposition, notice of filing"]
	require.Equal(t, "review", unsure.Outcome)
	require.NotEmpty(t, unsure.Candidates)
	require.Equal(t, "c-2024-031", unsure.Candidates[0].Target)
	require.Contains(t, ruleNames(unsure.Candidates[0].Reasons), classify.RuleAlias)
	require.Contains(t, ruleNames(unsure.Reasons), classify.RuleThreshold)
	require.Empty(t, unsure.Alert)
	require.Equal(t, classify.AlertEthicalWall, walled.Alert)
	require.Equal(t, "m-2024-0288", walled.Candidates[0].Target)
	table := mustRun(t, env, "review", "list", "--tenant", tenant)
	require.Contains(t, table, "ETHICAL-WALL")
	require.Contains(t, table, "c-2024-031 0.75")

	// Walls are not crossed by a reviewer either; a closed matter needs
	// to be allowed.
	_, err = run(t, env, "review", "assign", "--tenant", tenant, walled.ID, "m-2024-0288")
	require.ErrorContains(t, err, "walled off")
	out := mustRun(t, env, "review", "assign", "--tenant", tenant, unsure.ID, "c-2024-031")
	require.Contains(t, out, "filed message "+unsure.ID+" to c-2024-031 (client acme), generation 2")
	mustRun(t, env, "review", "dismiss", "--tenant", tenant, walled.ID, "--reason", "notice for the other team")
	require.Empty(t, listReviews(t, env, tenant))
	all := listReviews(t, env, tenant, "--all")
	require.Len(t, all, 1)
	require.Equal(t, walled.ID, all[0].ID)
	require.NotNil(t, all[0].Dismissed)

	// The reply names nothing but the conversation.
	second := writeMbox(t, "X-Gmail-Labels: File to matter\nFrom: Ann <ann@harperlegal.example>\nTo: dana.k@gmail.com\n"+
		"Date: Wed, 05 Jun 2024 08:00:00 +0000\nSubject: Re: the schedule\nMessage-ID: <reply-1@harperlegal.example>\n"+
		"In-Reply-To: <sched-1@gmail.com>\nReferences: <sched-1@gmail.com>\n\nThanks, noted.\n")
	mustRun(t, env, "import", "--tenant", tenant, "--mbox", second, "--mailbox", "ann@harperlegal.example", "--wait")

	msgs := map[string]messageView{}
	for _, m := range listAll(t, env, tenant) {
		msgs[m.Subject] = m
	}
	assigned := msgs["delivery schedule from Corvid Parts"]
	require.Equal(t, "filed", assigned.State)
	require.Equal(t, "c-2024-031", assigned.Matter)
	require.Equal(t, "review-assign", assigned.Reasons[0].Rule)
	require.Contains(t, assigned.Reasons[0].Text, "in review by cli:")
	require.Contains(t, ruleNames(assigned.Reasons), classify.RuleAlias, "the classifier's reasons are kept")
	reply := msgs["Re: the schedule"]
	require.Equal(t, "filed", reply.State, "reasons %v", reply.Reasons)
	require.Equal(t, "c-2024-031", reply.Matter)
	require.Contains(t, ruleNames(reply.Reasons), classify.RuleReply)
	dismissed := msgs["2024-0288 opposition, notice of filing"]
	require.Equal(t, "review", dismissed.State)
	require.Equal(t, classify.AlertEthicalWall, dismissed.Alert)
	raw := mustRun(t, env, "messages", "get", "--tenant", tenant, dismissed.ID, "--part", "raw")
	require.Contains(t, raw, "Notice.", "a dismissed message stays readable")

	// Mail about a matter not imported yet waits in review until the
	// matter is imported and the queue rechecked.
	third := writeMbox(t, "X-Gmail-Labels: File to matter\nFrom: Tom <tom@tmregistry.example>\nTo: ann@harperlegal.example\n"+
		"Date: Thu, 06 Jun 2024 08:00:00 +0000\nSubject: 2024-0301 new opposition\nMessage-ID: <tm-2@tmregistry.example>\n\nA new file.\n")
	mustRun(t, env, "import", "--tenant", tenant, "--mbox", third, "--mailbox", "ann@harperlegal.example", "--wait")
	require.Len(t, listReviews(t, env, tenant), 1)
	newMatter := filepath.Join(dir, "new.csv")
	require.NoError(t, os.WriteFile(newMatter, []byte("id,number,kind,client\nm-2024-0301,2024-0301,matter,northwind\n"), 0o600))
	mustRun(t, env, "matters", "import", "--tenant", tenant, newMatter)
	require.Contains(t, mustRun(t, env, "review", "recheck", "--tenant", tenant), "1 filed")
	require.Empty(t, listReviews(t, env, tenant))

	audit := mustRun(t, env, "audit", "list", "--tenant", tenant)
	for _, want := range []string{`message\.review\s+refused .*matter:m-2024-0288`, `message\.review\s+ok .*contract:c-2024-031 message:` + unsure.ID,
		`message\.review\s+ok .*message:` + walled.ID, `matter\.update\s+ok .*changed: walled`, `export\s+ok`} {
		require.Regexp(t, want, audit)
	}
	require.NotContains(t, audit, "other team", "a dismissal's reason stays out of the audit log")
	require.Contains(t, mustRun(t, env, "audit", "verify", "--tenant", tenant), "intact")
}

// TestMattersExportRoundTrip: what 'matters export' writes, in either
// format, 'matters import' reads back into the same registry, every column
// included; each change is audited.
func TestMattersExportRoundTrip(t *testing.T) {
	env := map[string]string{"MATTERFILE_DATA_DIR": t.TempDir()}
	dir := t.TempDir()
	full := filepath.Join(dir, "full.json")
	full1 := `[{"id":"m-1","number":"2024-0001","title":"Acme v. Beta, appeal","kind":"matter","client":"acme","client_name":"Acme, Inc.",
		"status":"closed","opposing_parties":["Beta Logistics LLC","Beta Holdings"],"participants":["a@acme.example","court@court.example"],
		"domains":["acme.example"],"aliases":["Acme v. Beta"],"keywords":["appeal","\"quoted\" word"],"labels":["Matters/2024-0001 Acme"],
		"walled":["eve@firm.example"]},
		{"id":"c-1","number":"C-1","title":"Supply","kind":"contract","client":"delta"}]`
	require.NoError(t, os.WriteFile(full, []byte(full1), 0o600))
	mustRun(t, env, "tenants", "create", "firm")
	mustRun(t, env, "tenants", "create", "copy")
	mustRun(t, env, "tenants", "create", "copy-json")
	require.Contains(t, mustRun(t, env, "matters", "import", "--tenant", "firm", full), "2 added, 0 updated, 0 unchanged")

	matters := func(tenant string) []classify.Target {
		var l struct{ Targets []classify.Target }
		require.NoError(t, json.Unmarshal([]byte(mustRun(t, env, "matters", "list", "--tenant", tenant, "--json")), &l))
		return l.Targets
	}
	want := matters("firm")
	require.Len(t, want, 2)

	csvFile := filepath.Join(dir, "matters.csv")
	mustRun(t, env, "matters", "export", "--tenant", "firm", "-o", csvFile)
	st, err := os.Stat(csvFile)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	head, err := os.ReadFile(csvFile)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(head), "id,number,title,kind,client,client_name,status,opposing_parties,participants,domains,aliases,keywords,labels,walled\n"))
	mustRun(t, env, "matters", "import", "--tenant", "copy", csvFile)
	require.Equal(t, want, matters("copy"))

	jsonOut := mustRun(t, env, "matters", "export", "--tenant", "firm", "--format", "json")
	jsonFile := filepath.Join(dir, "again.json")
	require.NoError(t, os.WriteFile(jsonFile, []byte(jsonOut), 0o600))
	mustRun(t, env, "matters", "import", "--tenant", "copy-json", jsonFile)
	require.Equal(t, want, matters("copy-json"))
	require.Contains(t, mustRun(t, env, "matters", "import", "--tenant", "copy", jsonFile), "0 added, 0 updated, 2 unchanged")

	_, err = run(t, env, "matters", "export", "--tenant", "firm", "--format", "csv", "-o", filepath.Join(dir, "x.json"))
	require.ErrorContains(t, err, "would not read it back")

	// One record per change, by the person who ran the command.
	var l struct {
		Records []struct {
			Actor   string
			Action  string
			Objects map[string]string
			Detail  string
		}
	}
	require.NoError(t, json.Unmarshal([]byte(mustRun(t, env, "audit", "list", "--tenant", "copy", "--json")), &l))
	var got []string
	for _, r := range l.Records {
		require.True(t, strings.HasPrefix(r.Actor, "cli:"), r.Actor)
		if r.Action == "tenant.create" {
			continue
		}
		got = append(got, r.Action+" "+r.Objects["matter"]+r.Objects["contract"]+" "+r.Detail)
	}
	require.Equal(t, []string{"contract.update c-1 created, status open", "matter.create m-1 created, status closed"}, got,
		"the second import changed nothing and recorded nothing")
}

// TestTenantPolicySettings: a firm sets its thresholds and lists; a bad
// value is refused naming the setting, and changes are audited.
func TestTenantPolicySettings(t *testing.T) {
	env := map[string]string{"MATTERFILE_DATA_DIR": t.TempDir()}
	mustRun(t, env, "tenants", "create", "firm")
	for flag, want := range map[string][]string{
		"file threshold":    {"--file-threshold", "1.5"},
		"review threshold":  {"--review-threshold", "0.9"},
		"number pattern 1":  {"--number-patterns", "(unclosed"},
		"number stop word":  {"--number-stop-words", "purchase order"},
		"public domain 1":   {"--public-domains", "not a domain"},
		"--file-threshold:": {"--file-threshold", "high"},
	} {
		_, err := run(t, env, append([]string{"tenants", "settings", "firm"}, want...)...)
		require.ErrorContains(t, err, flag)
	}
	out := mustRun(t, env, "tenants", "settings", "firm", "--file-threshold", "0.9", "--review-threshold", "0",
		"--number-patterns", `\bAZ \d{4}/\d{2}\b`, "--public-domains", "Mail.Example,@webmail.example")
	var p struct {
		Tenant string
		classify.Policy
	}
	require.NoError(t, json.Unmarshal([]byte(out), &p))
	require.Equal(t, 0.9, p.FileThreshold)
	require.Equal(t, 0.0, p.ReviewThreshold)
	require.Equal(t, []string{`\bAZ \d{4}/\d{2}\b`}, p.NumberPatterns)
	require.Equal(t, []string{"mail.example", "webmail.example"}, p.PublicDomains)
	require.Equal(t, classify.DefaultPolicy().NumberStopWords, p.NumberStopWords)

	out = mustRun(t, env, "tenants", "settings", "firm", "--file-threshold", "", "--public-domains", "")
	require.NoError(t, json.Unmarshal([]byte(out), &p))
	require.Equal(t, classify.DefaultPolicy().FileThreshold, p.FileThreshold)
	require.Equal(t, 0.0, p.ReviewThreshold)
	require.Equal(t, classify.DefaultPolicy().PublicDomains, p.PublicDomains)

	audit := mustRun(t, env, "audit", "list", "--tenant", "firm")
	require.Contains(t, audit, "changed: file_threshold, review_threshold, number_patterns, public_domains")
	require.Contains(t, audit, "changed: file_threshold, public_domains")
	require.NotContains(t, audit, "webmail.example")
}
