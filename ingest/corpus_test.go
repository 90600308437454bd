package ingest

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// vendoredCorpus is the subset of the shared corpus kept in the
// repository, so the corpus test runs in every clone.
var vendoredCorpus = filepath.Join("testdata", "corpus")

// corpusDirs lists the corpora to test: the vendored subset always, and the
// full shared corpus when it is there (MATTERFILE_TEST_CORPUS names it; a
// name that holds no corpus is an error, not a skip).
func corpusDirs(t testing.TB) []string {
	t.Helper()
	dirs := []string{vendoredCorpus}
	if d := os.Getenv("MATTERFILE_TEST_CORPUS"); d != "" {
		if len(corpusFiles(t, d)) == 0 {
			t.Fatalf("MATTERFILE_TEST_CORPUS=%s holds no messages/*.eml", d)
		}
		return append(dirs, d)
	}
	if shared := filepath.Join("..", "..", "shared", "corpus"); len(corpusFiles(t, shared)) > 0 {
		return append(dirs, shared)
	}
	t.Logf("full shared corpus not found; testing the vendored subset only")
	return dirs
}

func corpusFiles(t testing.TB, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "messages", "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// referenceEntry is one line of reference.jsonl: what enmime and
// go-message made of a corpus message.
type referenceEntry struct {
	File       string `json:"file"`
	EnmimeOK   bool   `json:"enmime_ok"`
	GomsgOK    bool   `json:"gomsg_ok"`
	GomsgParts int    `json:"gomsg_parts"`
	MessageID  string `json:"message_id"`
}

func loadReference(t *testing.T, dir string) map[string]referenceEntry {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "reference.jsonl"))
	if err != nil {
		t.Fatalf("reference: %v", err)
	}
	defer f.Close()
	ref := map[string]referenceEntry{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e referenceEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("reference: %v", err)
		}
		ref[e.File] = e
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reference: %v", err)
	}
	return ref
}

// TestCorpus parses every corpus message: no error, no panic, the sink
// receives exactly what the manifest records, and each message yields
// parts or says why not. Against the reference it checks one direction
// strictly: a message go-message parses must not come out Unparsed.
func TestCorpus(t *testing.T) {
	for _, dir := range corpusDirs(t) {
		t.Run(filepath.Base(filepath.Dir(dir))+"-"+filepath.Base(dir), func(t *testing.T) { testCorpus(t, dir) })
	}
}

func testCorpus(t *testing.T, dir string) {
	files := corpusFiles(t, dir)
	if len(files) == 0 {
		t.Fatalf("no messages in %s", dir)
	}
	ref := loadReference(t, dir)
	var total, unparsed, flagged, gomsgFailed, recovered, enmimeOnly, bothFailed int
	flagCount := map[string]int{}
	for _, f := range files {
		name := filepath.Base(f)
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		total++
		var msg *Message
		t.Run(name, func(t *testing.T) {
			msg, _ = parseBytes(t, raw, Limits{})
		})
		if msg == nil {
			continue
		}
		if msg.Unparsed {
			unparsed++
		}
		if len(msg.Flags) > 0 {
			flagged++
		}
		for _, fl := range msg.Flags {
			flagCount[fl]++
		}
		e, ok := ref[name]
		if !ok {
			t.Errorf("%s: not in reference.jsonl", name)
			continue
		}
		if e.GomsgOK && msg.Unparsed {
			t.Errorf("%s: go-message parses it, but we report Unparsed: %s", name, msg.Reason)
		}
		if !e.GomsgOK {
			gomsgFailed++
			if !msg.Unparsed {
				recovered++
			}
			if e.EnmimeOK {
				enmimeOnly++
			} else {
				bothFailed++
			}
		}
		if e.MessageID != "" && msg.MessageID == "" && e.GomsgOK {
			t.Errorf("%s: Message-ID lost", name)
		}
	}
	var fl []string
	for k, v := range flagCount {
		fl = append(fl, k+"="+itoa(v))
	}
	sort.Strings(fl)
	t.Logf("corpus: %d messages; %d Unparsed, %d flagged (%s)", total, unparsed, flagged, strings.Join(fl, " "))
	t.Logf("reference: go-message failed on %d (%d read by enmime, %d by neither); of those we parsed %d without Unparsed",
		gomsgFailed, enmimeOnly, bothFailed, recovered)
}
