package ingest

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzLimits are small, so that the fuzzer reaches every limit quickly.
var fuzzLimits = Limits{
	MaxDepth:        6,
	MaxParts:        40,
	MaxHeaderBytes:  16 << 10,
	MaxPartBytes:    64 << 10,
	MaxMessageBytes: 1 << 20,
	TextExcerpt:     2 << 10,
}

func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	// The vendored real-world subset, the small ones (the fuzzer mutates
	// better what it can run often).
	for _, c := range corpusFiles(f, vendoredCorpus) {
		if fi, err := os.Stat(c); err == nil && fi.Size() < 64<<10 {
			seeds = append(seeds, c)
		}
	}
	for _, s := range seeds {
		raw, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(""))
	f.Add([]byte("\r\n\r\n"))
	f.Add([]byte(attackHeader + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: multipart/related; boundary=c\r\n\r\n--c\r\n" +
		"Content-Type: text/html\r\n\r\n<img src=cid:x>\r\n--c\r\nContent-ID: <x>\r\nContent-Transfer-Encoding: base64\r\n\r\nR0lG*\r\n--c--\r\n--b"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		sink := &memSink{}
		msg, err := Parse(bytes.NewReader(raw), sink, fuzzLimits)
		if err != nil {
			t.Fatalf("bad input is not an error, got %v", err)
		}
		checkInvariants(t, msg, sink, fuzzLimits)
		for _, s := range []string{msg.Subject, msg.Text, msg.MessageID, msg.Reason} {
			if !utf8.ValidString(s) {
				t.Errorf("invalid UTF-8 %q", s)
			}
		}
		if strings.ContainsAny(msg.Subject, "\r\n") {
			t.Errorf("subject %q keeps a line break", msg.Subject)
		}
		// Whichever header reader ran, and even cut at a limit, the header
		// fields keep what FuzzDecodeHeader checks.
		checkMessageHeader(t, msg)
		for _, p := range msg.Parts {
			if p.Kind == KindAttachment {
				checkFilename(t, p.Filename)
			}
		}
		first, err := json.Marshal(msg)
		if err != nil {
			t.Fatalf("manifest does not marshal: %v", err)
		}
		// The worker parses twice (decide, then seal) and needs the same
		// answer both times; a reader that returns one byte at a time
		// must not change it either.
		again, err := Parse(io.LimitReader(&oneByteReader{raw}, int64(len(raw))), &memSink{}, fuzzLimits)
		if err != nil {
			t.Fatal(err)
		}
		second, _ := json.Marshal(again)
		if !bytes.Equal(first, second) {
			t.Errorf("second parse differs:\n%s\n%s", first, second)
		}
	})
}

type oneByteReader struct{ b []byte }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = r.b[0]
	r.b = r.b[1:]
	return 1, nil
}

func FuzzSanitizeFilename(f *testing.F) {
	for _, s := range []string{"report.pdf", "../../x.pdf", `C:\x\y`, "evil\u202Efdp.exe", "", "..", "a\r\nb",
		strings.Repeat("é", 200) + ".pdf", "\xff\xfe", "e\u0301", strings.Repeat("\u0958", 100)} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, name string, n int) {
		got := SanitizeFilename(name, n)
		checkFilename(t, got)
		if again := SanitizeFilename(got, n); again != got {
			t.Errorf("not idempotent: %q -> %q -> %q", name, got, again)
		}
	})
}
