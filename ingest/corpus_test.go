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

// corpusDir is the shared real-world corpus, next to the repository.
var corpusDir = filepath.Join("..", "..", "shared", "corpus")

// corpusFiles lists the corpus messages; without the corpus the test
// fails under CI and is skipped elsewhere.
func corpusFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpusDir, "messages", "*.eml"))
	if err != nil || len(files) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("corpus missing at %s: %v", corpusDir, err)
		}
		t.Skipf("corpus missing at %s", corpusDir)
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

func loadReference(t *testing.T) map[string]referenceEntry {
	t.Helper()
	f, err := os.Open(filepath.Join(corpusDir, "reference.jsonl"))
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
	files := corpusFiles(t)
	ref := loadReference(t)
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
