package matterfile

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io/fs"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// separator is the Takeout line that starts a message in an mbox.
var separator = regexp.MustCompile(`^From \d+@xxx `)

// TestDemoDataMatchesExpected checks the embedded fixtures against
// testdata/mbox/EXPECTED.csv: one row per message of each mailbox, every
// filed: target in matters.csv, and the sizes the tests rely on.
func TestDemoDataMatchesExpected(t *testing.T) {
	demo := DemoData()

	data, err := fs.ReadFile(demo, "testdata/matters.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("matters.csv: %v", err)
	}
	if got := strings.Join(rows[0], ","); got != "id,number,title,kind,client,client_name,participants,aliases,labels" {
		t.Fatalf("matters.csv header %q", got)
	}
	targets := map[string]bool{}
	for _, r := range rows[1:] {
		targets[r[0]] = true
	}
	if len(targets) != 6 || len(rows) != 7 {
		t.Fatalf("matters.csv: %d targets in %d rows, want 6", len(targets), len(rows)-1)
	}
	if _, err := fs.Stat(demo, "testdata/matters.json"); err != nil {
		t.Fatal(err)
	}

	files, err := fs.Glob(demo, "testdata/mbox/*.mbox")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 {
		t.Fatalf("%d mailboxes embedded, want 3", len(files))
	}
	counts := map[string]int{}
	total := 0
	for _, name := range files {
		data, err := fs.ReadFile(demo, name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			if separator.Match(sc.Bytes()) {
				counts[path.Base(name)]++
			}
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		total += counts[path.Base(name)]
	}
	if total < 40 {
		t.Fatalf("%d messages, want at least 40", total)
	}

	// EXPECTED.csv is not embedded: it is read from the tree.
	exp, err := os.ReadFile("testdata/mbox/EXPECTED.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err = csv.NewReader(bytes.NewReader(exp)).ReadAll()
	if err != nil {
		t.Fatalf("EXPECTED.csv: %v", err)
	}
	if got := strings.Join(rows[0], ","); got != "file,index,message_id,filing_label,expected,note" {
		t.Fatalf("EXPECTED.csv header %q", got)
	}
	seen := map[string]bool{}
	perFile := map[string]int{}
	for _, r := range rows[1:] {
		file, idx, filing, want := r[0], r[1], r[3], r[4]
		i, err := strconv.Atoi(idx)
		if err != nil || i < 0 || i >= counts[file] {
			t.Errorf("EXPECTED.csv: %s #%s is not a message of that mailbox", file, idx)
		}
		if seen[file+"#"+idx] {
			t.Errorf("EXPECTED.csv: %s #%s twice", file, idx)
		}
		seen[file+"#"+idx] = true
		perFile[file]++
		switch {
		case strings.HasPrefix(want, "filed:"):
			if !targets[strings.TrimPrefix(want, "filed:")] {
				t.Errorf("EXPECTED.csv: %s #%s is filed to %s, which is not in matters.csv", file, idx, want)
			}
		case want == "review", want == "unparsed", want == "skipped", want == "custodian":
		default:
			t.Errorf("EXPECTED.csv: %s #%s: unknown expectation %q", file, idx, want)
		}
		if (filing == "no") != (want == "skipped") {
			t.Errorf("EXPECTED.csv: %s #%s: filing_label %s but expected %s", file, idx, filing, want)
		}
	}
	for file, n := range counts {
		if perFile[file] != n {
			t.Errorf("%s: %d messages, %d rows in EXPECTED.csv", file, n, perFile[file])
		}
	}
	if len(perFile) != len(counts) {
		t.Errorf("EXPECTED.csv names %d files, %d are embedded", len(perFile), len(counts))
	}
}
