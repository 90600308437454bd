package ingest

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
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
			path := filepath.Join("testdata", "golden", name+".json")
			if *update {
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
		})
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
