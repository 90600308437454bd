package classify_test

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/classify"
	"github.com/matterfile/matterfile/ingest"
	"github.com/matterfile/matterfile/ingest/mbox"
)

var update = flag.Bool("update", false, "rewrite the golden files of the evaluation set")

const evalDir = "../testdata/eval"

// evalMessage is one message of the evaluation set with its truth.
type evalMessage struct {
	file     string
	index    int
	truth    string // target ID or "none"
	category string
	mailbox  string
	msg      *ingest.Message
}

func loadEval(t *testing.T) (*classify.Index, []evalMessage) {
	t.Helper()
	f, err := os.Open(filepath.Join(evalDir, "matters.json"))
	require.NoError(t, err)
	targets, err := classify.ParseJSON(f)
	f.Close()
	require.NoError(t, err)
	var reg classify.Registry
	_, _, err = reg.Merge(targets)
	require.NoError(t, err)
	ix, err := classify.NewIndex(&reg, classify.DefaultPolicy())
	require.NoError(t, err)

	data, err := os.ReadFile(filepath.Join(evalDir, "EXPECTED.csv"))
	require.NoError(t, err)
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"file", "index", "truth", "category", "note"}, rows[0])
	truth := map[string][]string{}
	for _, r := range rows[1:] {
		truth[r[0]+"#"+r[1]] = r
	}

	files, err := filepath.Glob(filepath.Join(evalDir, "*.mbox"))
	require.NoError(t, err)
	var out []evalMessage
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".mbox")
		fh, err := os.Open(path)
		require.NoError(t, err)
		rd := mbox.NewReader(fh)
		for i := 0; ; i++ {
			r, err := rd.Next()
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
			msg, err := ingest.Parse(r, discard{}, ingest.DefaultLimits())
			require.NoError(t, err, "%s #%d", name, i)
			row, ok := truth[name+"#"+strconv.Itoa(i)]
			require.True(t, ok, "%s #%d has no row in EXPECTED.csv", name, i)
			delete(truth, name+"#"+strconv.Itoa(i))
			if row[2] != "none" {
				_, ok := ix.Target(row[2])
				require.True(t, ok, "%s #%d: truth %s is no target", name, i, row[2])
			}
			out = append(out, evalMessage{file: name, index: i, truth: row[2], category: row[3], mailbox: name + "@harperlegal.example", msg: msg})
		}
		fh.Close()
	}
	require.Empty(t, truth, "rows of EXPECTED.csv without a message")
	// The pipeline sees mail in the order it arrives, across mailboxes.
	sort.SliceStable(out, func(i, j int) bool { return out[i].msg.Date.Before(out[j].msg.Date) })
	return ix, out
}

type discard struct{}

func (discard) CreatePart(ingest.PartInfo) (io.WriteCloser, error) { return nopWriteCloser{}, nil }

type nopWriteCloser struct{}

func (nopWriteCloser) Write(p []byte) (int, error) { return len(p), nil }
func (nopWriteCloser) Close() error                { return nil }

// input is what the worker hands the classifier (worker.classifyInput).
func input(m *ingest.Message) classify.Message {
	addrs := func(as []ingest.Address) []string {
		var out []string
		for _, a := range as {
			out = append(out, a.Addr)
		}
		return out
	}
	in := classify.Message{Subject: m.Subject, Labels: m.GmailLabels, Unparsed: m.Unparsed,
		MessageID: m.MessageID, InReplyTo: m.InReplyTo, References: m.References, ThreadID: m.GmailThreadID,
		From: addrs(m.From), To: addrs(m.To), Cc: addrs(m.Cc), Body: m.Text}
	for _, p := range m.Parts {
		if p.Filename != "" {
			in.Attachments = append(in.Attachments, p.Filename)
		}
	}
	return in
}

// TestEvaluation runs the labelled evaluation set through the classifier as
// the pipeline would: in arrival order, recording every automatic filing
// for thread continuity, and every review decision too (a reviewer assigns
// the true target, which teaches later replies). It reports precision and
// recall of automatic filing and holds them to the bar.
func TestEvaluation(t *testing.T) {
	ix, msgs := loadEval(t)
	require.GreaterOrEqual(t, len(msgs), 300, "the evaluation set must hold at least 300 messages")
	threads := classify.ThreadMap{}
	var related, auto, correct, reviewed, reviewedRight, unrelated int
	var wrong, missed []string
	perCategory := map[string][3]int{} // messages, auto, correct
	var golden bytes.Buffer
	golden.WriteString("file,index,truth,outcome,target,confidence,rules\n")
	for _, m := range msgs {
		in := input(m.msg)
		d := classify.Decide(in, classify.Context{Index: ix, Mailbox: m.mailbox, Threads: threads})
		where := fmt.Sprintf("%s #%d (%s)", m.file, m.index, m.category)

		// Walls and closed matters hold whatever the figures say.
		if d.Outcome == classify.OutcomeFile {
			tg, _ := ix.Target(d.Target)
			require.Equal(t, classify.StatusOpen, tg.Status, "%s filed into a closed target", where)
			require.NotContains(t, tg.Walled, m.mailbox, "%s filed across an ethical wall", where)
		}

		c := perCategory[m.category]
		c[0]++
		if m.truth == "none" {
			unrelated++
		} else {
			related++
		}
		switch {
		case d.Outcome == classify.OutcomeFile:
			auto++
			c[1]++
			if d.Target == m.truth {
				correct++
				c[2]++
			} else {
				wrong = append(wrong, fmt.Sprintf("%s: filed to %s, truth %s: %s", where, d.Target, m.truth, reasonText(d.Reasons)))
			}
			for _, k := range classify.ThreadKeys(in, m.mailbox) {
				threads[k] = d.Target
			}
		case m.truth != "none":
			reviewed++
			found := slices.ContainsFunc(d.Candidates, func(c classify.Candidate) bool { return c.Target == m.truth })
			if found {
				reviewedRight++
			} else {
				missed = append(missed, fmt.Sprintf("%s: %s, truth %s not among %v: %s", where, d.Outcome, m.truth, candidateIDs(d), reasonText(d.Reasons)))
			}
			// The reviewer files it where it belongs.
			for _, k := range classify.ThreadKeys(in, m.mailbox) {
				threads[k] = m.truth
			}
		}
		perCategory[m.category] = c
		rules := make([]string, 0, len(d.Reasons))
		for _, r := range d.Reasons {
			rules = append(rules, r.Rule)
		}
		fmt.Fprintf(&golden, "%s,%d,%s,%s,%s,%.3f,%s\n", m.file, m.index, m.truth, d.Outcome, d.Target, d.Confidence, strings.Join(rules, " "))
	}

	precision := float64(correct) / float64(max(auto, 1))
	autoRate := float64(auto) / float64(max(related, 1))
	reviewRight := float64(reviewedRight) / float64(max(reviewed, 1))
	t.Logf("evaluation set: %d messages, %d matter-related, %d not", len(msgs), related, unrelated)
	t.Logf("automatic filing: %d messages, %d right: precision %.1f%% (wrong-matter filings %d)", auto, correct, 100*precision, auto-correct)
	t.Logf("filed automatically: %.1f%% of matter-related messages", 100*autoRate)
	t.Logf("in review: %d matter-related messages, right target among the candidates in %d (%.1f%%)", reviewed, reviewedRight, 100*reviewRight)
	cats := make([]string, 0, len(perCategory))
	for k := range perCategory {
		cats = append(cats, k)
	}
	sort.Strings(cats)
	for _, k := range cats {
		c := perCategory[k]
		t.Logf("  %-32s %3d messages, %3d filed automatically, %3d right", k, c[0], c[1], c[2])
	}
	for _, w := range wrong {
		t.Logf("WRONG %s", w)
	}
	for _, m := range missed {
		t.Logf("MISSED %s", m)
	}

	goldenPath := filepath.Join(evalDir, "DECISIONS.golden.csv")
	if *update {
		require.NoError(t, os.WriteFile(goldenPath, golden.Bytes(), 0o644))
	}
	want, err := os.ReadFile(goldenPath)
	require.NoError(t, err, "run go test ./classify -run TestEvaluation -update")
	require.Equal(t, string(want), golden.String(), "decisions changed; review the diff and run with -update")

	require.GreaterOrEqual(t, precision, 0.99, "precision of automatic filing")
	require.GreaterOrEqual(t, autoRate, 0.85, "share of matter-related messages filed automatically")
	require.GreaterOrEqual(t, reviewRight, 0.95, "share of reviewed messages with the right target among the candidates")
}

func reasonText(rs []classify.Reason) string {
	var b strings.Builder
	for i, r := range rs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(r.Text)
	}
	return b.String()
}

func candidateIDs(d classify.Decision) []string {
	var out []string
	for _, c := range d.Candidates {
		out = append(out, c.Target)
	}
	return out
}
