package ingest

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/matterfile/matterfile/ingest/mbox"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current output")

// golden is what a fixture's golden file holds: the Message as the
// manifest stores it, and the body parts as the sink received them, so
// that a change of the sanitizer or the decoders shows in review.
type golden struct {
	Message *Message          `json:"message"`
	Bodies  map[string]string `json:"bodies,omitempty"`
}

func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".eml")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join("testdata", "golden", name+".json"), raw)
		})
	}
}

// TestGoldenMbox pins the parsed view of every message of the demo and
// end-to-end fixtures in testdata/mbox, one golden file per message.
func TestGoldenMbox(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "mbox", "*.mbox"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no mbox fixtures: %v", err)
	}
	for _, f := range files {
		box := strings.TrimSuffix(filepath.Base(f), ".mbox")
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		r := mbox.NewReader(fh)
		for i := 1; ; i++ {
			mr, err := r.Next()
			if err == io.EOF {
				if i == 1 {
					t.Errorf("%s holds no messages", f)
				}
				break
			}
			if err != nil {
				t.Fatalf("%s message %d: %v", f, i, err)
			}
			raw, err := io.ReadAll(mr)
			if err != nil {
				t.Fatalf("%s message %d: %v", f, i, err)
			}
			name := fmt.Sprintf("%s-%02d", box, i)
			t.Run(name, func(t *testing.T) {
				checkGolden(t, filepath.Join("testdata", "golden", "mbox", name+".json"), raw)
			})
		}
		fh.Close()
	}
}

// checkGolden compares the parsed view of raw with the golden file at path,
// or writes it there under -update.
func checkGolden(t *testing.T, path string, raw []byte) {
	t.Helper()
	msg, sink := parseBytes(t, raw, Limits{})
	g := golden{Message: msg, Bodies: map[string]string{}}
	for _, p := range sink.parts {
		b := p.buf.Bytes()
		if p.info.Kind == KindAttachment || len(b) > 4096 || !utf8.Valid(b) {
			continue
		}
		g.Bodies[p.info.Kind+"-"+itoa(p.info.Index)] = string(b)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // the golden files are read in review
	enc.SetIndent("", "  ")
	if err := enc.Encode(g); err != nil {
		t.Fatal(err)
	}
	got := buf.Bytes()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./ingest -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test ./ingest -update and review the diff):\n%s", path, got)
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
