package mbox

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

// split reads every message of an mbox.
func split(t testing.TB, r io.Reader) ([][]byte, error) {
	t.Helper()
	rd := NewReader(r)
	var msgs [][]byte
	for {
		m, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return msgs, nil
		}
		if err != nil {
			return msgs, err
		}
		b, err := io.ReadAll(m)
		if err != nil {
			return msgs, err
		}
		msgs = append(msgs, b)
	}
}

func write(t testing.TB, msgs ...[]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, m := range msgs {
		if err := WriteMessage(&buf, m); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

var roundTripMessages = [][]byte{
	[]byte("Subject: plain\n\nbody\n"),
	[]byte("Subject: no final newline\n\nbody"),
	[]byte("Subject: from lines\n\nFrom the start\n>From once\n>>From twice\nnot From here\n>not from\n"),
	[]byte("From the very first line\n"),
	[]byte("Subject: crlf\r\n\r\nbody\r\n"),
	[]byte("Subject: crlf from\r\n\r\nFrom x\r\n>From y\r\n"),
	[]byte("Subject: ends with blank lines\n\nbody\n\n\n"),
	[]byte("ends with cr\r"),
	[]byte(""),
	[]byte("\n"),
	[]byte("\r\n"),
	[]byte(">"),
	[]byte(">>>"),
	[]byte(">From"),
	[]byte("From"),
	[]byte("Subject: long line\n\n" + strings.Repeat("x", 200000) + "\n" + strings.Repeat(">", 100000) + "From deep\n"),
	[]byte("Subject: cr at a buffer edge\n\n" + strings.Repeat("y", bufSize-1) + "\r\n" + strings.Repeat("z", 2*bufSize-2) + "\r\nend\r\n"),
}

func TestRoundTrip(t *testing.T) {
	file := write(t, roundTripMessages...)
	for _, name := range []string{"whole", "one byte at a time"} {
		var r io.Reader = bytes.NewReader(file)
		if name != "whole" {
			r = iotest.OneByteReader(r)
		}
		got, err := split(t, r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(got) != len(roundTripMessages) {
			t.Fatalf("%s: %d messages, want %d", name, len(got), len(roundTripMessages))
		}
		for i := range got {
			if !bytes.Equal(got[i], roundTripMessages[i]) {
				t.Errorf("%s: message %d:\n got %q\nwant %q", name, i, clip(got[i]), clip(roundTripMessages[i]))
			}
		}
	}
}

func clip(b []byte) string {
	if len(b) > 120 {
		return string(b[:60]) + "..." + string(b[len(b)-60:])
	}
	return string(b)
}

// What Takeout writes: LF, a blank line after each message, mboxrd
// escaping.
func TestTakeout(t *testing.T) {
	file := "From 1798765432109876543@xxx Fri May 24 18:00:00 +0000 2024\n" +
		"X-GM-THRID: 1798765432109876543\n" +
		"X-Gmail-Labels: Inbox,Matters/2024-0117\n" +
		"Subject: one\n\nHello\n>From here on\n\n" +
		"From 1798765432109876544@xxx Fri May 24 19:00:00 +0000 2024\n" +
		"Subject: two\n\nBye\n\n"
	got, err := split(t, strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"X-GM-THRID: 1798765432109876543\nX-Gmail-Labels: Inbox,Matters/2024-0117\nSubject: one\n\nHello\nFrom here on\n",
		"Subject: two\n\nBye\n",
	}
	if len(got) != 2 || string(got[0]) != want[0] || string(got[1]) != want[1] {
		t.Errorf("got %q", got)
	}
	// The same in CRLF.
	got, err = split(t, strings.NewReader(strings.ReplaceAll(file, "\n", "\r\n")))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || string(got[1]) != strings.ReplaceAll(want[1], "\n", "\r\n") {
		t.Errorf("crlf: got %q", got)
	}
}

func TestStart(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		fail bool
	}{
		{"", 0, false},
		{" \n\r\n\t", 0, false},
		{"\n\nFrom x\nbody\n", 1, false},
		{"\xef\xbb\xbfFrom x\nbody\n", 1, false},
		{"Subject: not an mbox\n\nbody\n", 0, true},
		{"  garbage\nFrom x\n", 0, true},
		{"From x", 1, false},
		{"From x\nFrom y\n", 2, false},
	} {
		got, err := split(t, strings.NewReader(tc.in))
		if (err != nil) != tc.fail || len(got) != tc.n {
			t.Errorf("%q: %d messages, err %v; want %d, fail %v", tc.in, len(got), err, tc.n, tc.fail)
		}
		if err != nil && strings.Contains(err.Error(), "garbage") {
			t.Errorf("error quotes the input: %v", err)
		}
	}
}

// Next skips what a caller left unread and invalidates the old reader.
func TestNextSkipsAndInvalidates(t *testing.T) {
	file := write(t, []byte("first\nmessage\n"), []byte("second\n"))
	rd := NewReader(bytes.NewReader(file))
	m1, err := rd.Next()
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 3)
	if _, err := m1.Read(buf); err != nil {
		t.Fatal(err)
	}
	m2, err := rd.Next()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m1.Read(buf); !errors.Is(err, ErrInvalidated) {
		t.Errorf("old reader: %v", err)
	}
	b, _ := io.ReadAll(m2)
	if string(b) != "second\n" {
		t.Errorf("second message %q", b)
	}
	if _, err := rd.Next(); !errors.Is(err, io.EOF) {
		t.Errorf("end: %v", err)
	}
}

func TestReadError(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader("From x\nbody\n"), iotest.ErrReader(boom))
	_, err := split(t, r)
	if !errors.Is(err, boom) {
		t.Errorf("err %v", err)
	}
}

// A 64 MiB message streams through with flat memory.
func TestStreaming(t *testing.T) {
	const size = 64 << 20
	line := strings.Repeat("0123456789", 10) + "\n"
	r := io.MultiReader(strings.NewReader("From x\n"), &repeatReader{s: line, n: size / len(line)}, strings.NewReader("\nFrom y\nend\n"))
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	rd := NewReader(r)
	m, err := rd.Next()
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, m)
	if err != nil || n != int64(size/len(line)*len(line)) {
		t.Fatalf("copied %d, %v", n, err)
	}
	runtime.ReadMemStats(&after)
	if grown := int64(after.TotalAlloc - before.TotalAlloc); grown > 8<<20 {
		t.Errorf("allocated %d bytes for a %d byte message", grown, size)
	}
	m, err = rd.Next()
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(m); string(b) != "end" { // the final line break belongs to the format
		t.Errorf("next message %q", b)
	}
}

type repeatReader struct {
	s   string
	n   int
	off int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	total := 0
	for len(p) > 0 && r.n > 0 {
		k := copy(p, r.s[r.off:])
		p, total, r.off = p[k:], total+k, r.off+k
		if r.off == len(r.s) {
			r.off, r.n = 0, r.n-1
		}
	}
	if total == 0 {
		return 0, io.EOF
	}
	return total, nil
}

func FuzzMbox(f *testing.F) {
	for _, m := range roundTripMessages {
		if len(m) < 1000 {
			f.Add(m, []byte("From x\n"+string(m)))
		}
	}
	f.Add([]byte("a\r"), []byte("From \r\n>From \n>"))
	// The Takeout exports the demo runs on: real From_ lines, and
	// messages whose bodies quote "From " lines.
	exports, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "mbox", "*.mbox"))
	for _, name := range exports {
		file, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		msgs, err := split(f, bytes.NewReader(file))
		if err != nil || len(msgs) < 2 {
			f.Fatalf("%s: %d messages, %v", name, len(msgs), err)
		}
		f.Add(bytes.Join(msgs[:2], []byte{0}), file)
	}
	f.Fuzz(func(t *testing.T, msg, file []byte) {
		// Splitting anything never panics and never invents bytes.
		got, _ := split(t, bytes.NewReader(file))
		total := 0
		for _, m := range got {
			total += len(m)
		}
		if total > len(file) {
			t.Errorf("%d bytes out of %d in", total, len(file))
		}
		// Writing then splitting gives the messages back, alone and in
		// company, whatever the read sizes.
		parts := bytes.SplitN(msg, []byte{0}, 3)
		got, err := split(t, iotest.HalfReader(bytes.NewReader(write(t, parts...))))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(parts) {
			t.Fatalf("%d messages, want %d", len(got), len(parts))
		}
		for i := range parts {
			if !bytes.Equal(got[i], parts[i]) {
				t.Errorf("message %d: got %q, want %q", i, got[i], parts[i])
			}
		}
	})
}
