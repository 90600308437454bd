package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

// repeatReader streams pattern n times without holding more than it.
type repeatReader struct {
	pattern []byte
	n       int64 // repetitions left
	off     int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	total := 0
	for len(p) > 0 && r.n > 0 {
		k := copy(p, r.pattern[r.off:])
		p, total, r.off = p[k:], total+k, r.off+k
		if r.off == len(r.pattern) {
			r.off, r.n = 0, r.n-1
		}
	}
	if total == 0 && r.n == 0 {
		return 0, io.EOF
	}
	return total, nil
}

func repeat(s string, n int64) io.Reader {
	return &repeatReader{pattern: []byte(s), n: n}
}

// funcReader streams what gen appends for i = 0, 1, ... until it appends
// nothing.
type funcReader struct {
	gen func(dst []byte, i int) []byte
	i   int
	buf []byte
	eof bool
}

func (r *funcReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.eof {
			return 0, io.EOF
		}
		r.buf = r.gen(r.buf[:0], r.i)
		r.i++
		if len(r.buf) == 0 {
			r.eof = true
		}
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

func parseReader(t *testing.T, r io.Reader, lim Limits) (*Message, *memSink) {
	t.Helper()
	sink := &memSink{}
	msg, err := Parse(r, sink, lim)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	checkInvariants(t, msg, sink, lim)
	return msg, sink
}

func requireFlags(t *testing.T, msg *Message, unparsed bool, flags ...string) {
	t.Helper()
	if msg.Unparsed != unparsed {
		t.Errorf("Unparsed = %v, want %v (reason %q)", msg.Unparsed, unparsed, msg.Reason)
	}
	for _, f := range flags {
		if !contains(msg.Flags, f) {
			t.Errorf("flags %v lack %q (reason %q)", msg.Flags, f, msg.Reason)
		}
	}
	if len(flags) > 0 && msg.Reason == "" {
		t.Errorf("flagged without a reason")
	}
}

const attackHeader = "From: mallory@example.net\r\nTo: bob@firm.example\r\nSubject: attack\r\nMIME-Version: 1.0\r\n"

// Attack 16: nesting depth 10,000 stops at 32, with bounded stack.
func TestAttackNestingDepth(t *testing.T) {
	const levels = 10000
	gen := func(dst []byte, i int) []byte {
		switch {
		case i == 0:
			return fmt.Appendf(dst, "%sContent-Type: multipart/mixed; boundary=b0\r\n\r\n", attackHeader)
		case i <= levels:
			return fmt.Appendf(dst, "--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n", i-1, i)
		}
		return dst
	}
	var msg *Message
	var stackDelta uint64
	done := make(chan struct{})
	go func() {
		// A fresh goroutine starts with a small stack; how far it grew
		// shows in StackInuse, since stacks shrink only at GC.
		defer close(done)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		msg, _ = parseReader(t, &funcReader{gen: gen}, Limits{})
		runtime.ReadMemStats(&after)
		if after.StackInuse > before.StackInuse {
			stackDelta = after.StackInuse - before.StackInuse
		}
	}()
	<-done
	if t.Failed() {
		return
	}
	requireFlags(t, msg, true, FlagLimitDepth)
	if !strings.Contains(msg.Reason, "32") {
		t.Errorf("reason %q does not name the limit", msg.Reason)
	}
	if msg.Subject != "attack" {
		t.Errorf("header lost: subject %q", msg.Subject)
	}
	if stackDelta > 4<<20 {
		t.Errorf("stack grew by %d bytes", stackDelta)
	}
	t.Logf("stack in use grew by %d bytes", stackDelta)

	// Exactly MaxDepth levels are fine.
	var b strings.Builder
	b.WriteString(attackHeader + "Content-Type: multipart/mixed; boundary=b0\r\n\r\n")
	for i := 1; i < 32; i++ {
		fmt.Fprintf(&b, "--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n", i-1, i)
	}
	b.WriteString("--b31\r\nContent-Type: text/plain\r\n\r\ndeep\r\n--b31--\r\n")
	msg, sink := parseBytes(t, []byte(b.String()), Limits{})
	if msg.Unparsed || len(sink.parts) != 1 || sink.parts[0].buf.String() != "deep" {
		t.Errorf("32 levels: unparsed %v, flags %v, %d parts", msg.Unparsed, msg.Flags, len(sink.parts))
	}
}

// Attack 17: 100,000 parts stop at 1,000.
func TestAttackManyParts(t *testing.T) {
	body := io.MultiReader(
		strings.NewReader(attackHeader+"Content-Type: multipart/mixed; boundary=b\r\n\r\n"),
		repeat("--b\r\nContent-Type: application/octet-stream\r\n\r\nx\r\n", 100000),
		strings.NewReader("--b--\r\n"),
	)
	msg, _ := parseReader(t, body, Limits{})
	requireFlags(t, msg, true, FlagLimitParts)
	if len(msg.Parts) != 1000 {
		t.Errorf("%d parts stored, want 1000", len(msg.Parts))
	}
}

// Attack 18: a 10 MB header is cut at 1 MiB; what came before still
// counts for matching.
func TestAttackHugeHeader(t *testing.T) {
	pad := "X-Pad: " + strings.Repeat("a", 90) + "\r\n"
	for _, tc := range []struct {
		name string
		r    func() io.Reader
	}{
		{"many fields", func() io.Reader {
			return io.MultiReader(strings.NewReader(attackHeader), repeat(pad, 10<<20/int64(len(pad))), strings.NewReader("\r\nbody\r\n"))
		}},
		{"one line", func() io.Reader {
			return io.MultiReader(strings.NewReader(attackHeader+"X-Long: "), repeat("a", 10<<20), strings.NewReader("\r\n\r\nbody\r\n"))
		}},
		{"part header", func() io.Reader {
			return io.MultiReader(
				strings.NewReader(attackHeader+"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nfirst\r\n--b\r\n"),
				repeat(pad, 10<<20/int64(len(pad))),
				strings.NewReader("\r\nbody\r\n--b--\r\n"))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg, _ := parseReader(t, tc.r(), Limits{})
			requireFlags(t, msg, true, FlagLimitHeader)
			if msg.Subject != "attack" || len(msg.From) != 1 {
				t.Errorf("fields before the limit lost: subject %q, from %v", msg.Subject, msg.From)
			}
		})
	}
}

// Attack 19: an unknown charset keeps the bytes as they are and flags
// the part; the message is filed.
func TestAttackUnknownCharset(t *testing.T) {
	body := "caf\xe9 \x80\x81 bytes"
	raw := attackHeader + "Content-Type: text/plain; charset=x-no-such-charset\r\n\r\n" + body
	msg, sink := parseBytes(t, []byte(raw), Limits{})
	requireFlags(t, msg, false, FlagPartDecodeError)
	if got := sink.parts[0].buf.String(); got != body {
		t.Errorf("stored %q, want the bytes as they are", got)
	}
	if msg.Parts[0].Error == "" || msg.Parts[0].Charset != "x-no-such-charset" {
		t.Errorf("part not flagged: %+v", msg.Parts[0])
	}
}

// Attack 20: broken base64 or quoted-printable flags the part, keeps it
// (raw where the damage shows early), and files the message.
func TestAttackBrokenEncodings(t *testing.T) {
	for _, tc := range []struct {
		name, cte, body string
		want            string // what the sink must receive
		raw             bool
	}{
		{"base64 garbage", "base64", "SGVsbG8g***d29ybGQ=\r\n", "SGVsbG8g***d29ybGQ=\r\n", true},
		{"base64 text appended", "base64", "SGVsbG8gd29ybGQ=\r\n-- \r\nmailing list footer\r\n", "SGVsbG8gd29ybGQ=\r\n-- \r\nmailing list footer\r\n", true},
		{"base64 stray char", "base64", "SGVsbG8gd29ybGQhX", "Hello world!", false},
		{"base64 no padding", "base64", "SGVsbG8gd29ybGQ", "Hello world", false},
		{"base64 concatenated", "base64", "SGk=\r\nIHRoZXJl\r\n", "Hi there", false},
		{"qp bad escape", "quoted-printable", "a=ZZb =4 c=\r\nd", "a=ZZb =4 cd", false},
		{"qp long line", "quoted-printable", strings.Repeat("x", 100000) + "=41", strings.Repeat("x", 100000) + "A", false},
		{"qp control bytes", "quoted-printable", "form\ffeed\x00nul", "form\ffeed\x00nul", false},
		{"unknown encoding", "x-uuencode", "begin 644 x\r\n`\r\nend\r\n", "begin 644 x\r\n`\r\nend\r\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := attackHeader + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nbody\r\n" +
				"--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=x.bin\r\n" +
				"Content-Transfer-Encoding: " + tc.cte + "\r\n\r\n" + tc.body + "\r\n--b--\r\n"
			msg, sink := parseBytes(t, []byte(raw), Limits{})
			if msg.Unparsed {
				t.Errorf("unparsed: %s", msg.Reason)
			}
			if len(sink.parts) != 2 {
				t.Fatalf("%d parts", len(sink.parts))
			}
			if got := sink.parts[1].buf.String(); got != tc.want {
				t.Errorf("stored %q, want %q", trunc(got), trunc(tc.want))
			}
			perr := msg.Parts[1].Error
			if tc.raw != strings.Contains(perr, "stored undecoded") {
				t.Errorf("part error %q; want undecoded %v", perr, tc.raw)
			}
			if tc.raw && !contains(msg.Flags, FlagPartDecodeError) {
				t.Errorf("flags %v", msg.Flags)
			}
		})
	}
}

// A part broken only past the decode window cannot be taken back: it is
// decoded leniently and says so.
func TestBrokenPastWindow(t *testing.T) {
	clean := bytes.Repeat([]byte("0123456789abcdef"), decodeWindow/16+1000)
	enc := base64.StdEncoding.EncodeToString(clean)
	raw := attackHeader + "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n" + enc + "\r\n***\r\n"
	msg, sink := parseBytes(t, []byte(raw), Limits{})
	if !bytes.Equal(sink.parts[0].buf.Bytes(), clean) {
		t.Errorf("decoded %d bytes, want %d", sink.parts[0].buf.Len(), len(clean))
	}
	if e := msg.Parts[0].Error; !strings.Contains(e, "decoded leniently") {
		t.Errorf("part error %q", e)
	}
	requireFlags(t, msg, false, FlagPartDecodeError)
}

func trunc(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// Attack 21: a missing or never-closing boundary ends within limits.
func TestAttackBoundaries(t *testing.T) {
	t.Run("never appears", func(t *testing.T) {
		r := io.MultiReader(strings.NewReader(attackHeader+"Content-Type: multipart/mixed; boundary=nope\r\n\r\n"),
			repeat("no boundary on this line\r\n", 200000))
		msg, _ := parseReader(t, r, Limits{})
		requireFlags(t, msg, true, FlagLimitHeader)
	})
	t.Run("never appears, small", func(t *testing.T) {
		raw := attackHeader + "Content-Type: multipart/mixed; boundary=nope\r\n\r\nJust text, the boundary never comes.\r\n"
		msg, sink := parseBytes(t, []byte(raw), Limits{})
		requireFlags(t, msg, true, FlagUnparsed)
		if len(sink.parts) != 1 || !strings.Contains(sink.parts[0].buf.String(), "Just text") || msg.Parts[0].Kind != KindText {
			t.Errorf("body not kept as text: %+v", msg.Parts)
		}
	})
	t.Run("never closes", func(t *testing.T) {
		r := io.MultiReader(strings.NewReader(attackHeader+"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"),
			repeat("the part goes on and on\r\n", 200000))
		msg, sink := parseReader(t, r, Limits{})
		requireFlags(t, msg, false, FlagMultipartUnterminated)
		if sink.parts[0].buf.Len() < 200000*25-2 {
			t.Errorf("part cut at %d bytes", sink.parts[0].buf.Len())
		}
	})
	t.Run("nested never closes", func(t *testing.T) {
		raw := attackHeader + "Content-Type: multipart/mixed; boundary=outer\r\n\r\n--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n" +
			"--inner\r\nContent-Type: text/plain\r\n\r\ntext\r\n--outer\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n--outer--\r\n"
		msg, sink := parseBytes(t, []byte(raw), Limits{})
		requireFlags(t, msg, false, FlagMultipartUnterminated)
		if len(sink.parts) != 2 || sink.parts[1].info.ContentType != "application/pdf" {
			t.Errorf("parts after the unterminated multipart lost: %+v", msg.Parts)
		}
	})
	t.Run("empty boundary", func(t *testing.T) {
		raw := attackHeader + "Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n\r\ntext\r\n"
		msg, _ := parseBytes(t, []byte(raw), Limits{})
		requireFlags(t, msg, false, FlagMultipartNoBoundary)
	})
}

// Attack 22: a declared size is ignored; the decoded cap holds.
func TestAttackDeclaredSize(t *testing.T) {
	raw := attackHeader + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/zip\r\n" +
		"Content-Length: 2147483648\r\nContent-Disposition: attachment; filename=big.zip; size=2147483648\r\n\r\nPK small\r\n--b--\r\n"
	msg, sink := parseBytes(t, []byte(raw), Limits{})
	requireFlags(t, msg, false)
	if len(sink.parts) != 1 || sink.parts[0].buf.String() != "PK small" {
		t.Errorf("parts %+v", msg.Parts)
	}
}

// Attack 23: highly repetitive content expands no further than the caps.
func TestAttackRepetitiveContent(t *testing.T) {
	const limit = 1 << 20
	line := strings.Repeat("A", 76) + "\r\n" // 57 zero bytes per line
	r := io.MultiReader(
		strings.NewReader(attackHeader+"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/octet-stream\r\n"+
			"Content-Transfer-Encoding: base64\r\n\r\n"),
		repeat(line, 20<<20/57),
		strings.NewReader("--b\r\nContent-Type: text/plain; name=after.txt\r\n\r\nafter\r\n--b--\r\n"))
	sink := &hashSink{}
	msg, err := Parse(r, sink, Limits{MaxPartBytes: limit})
	if err != nil {
		t.Fatal(err)
	}
	requireFlags(t, msg, true, FlagLimitPart)
	if len(msg.Parts) != 2 || msg.Parts[0].Size != limit || sink.parts[0].n != limit {
		t.Fatalf("parts %+v", msg.Parts)
	}
	if !strings.Contains(msg.Parts[0].Error, "truncated") {
		t.Errorf("part error %q", msg.Parts[0].Error)
	}
	want := sha256.Sum256(make([]byte, limit))
	if msg.Parts[0].SHA256 != hex.EncodeToString(want[:]) {
		t.Errorf("truncated part hash differs")
	}
	if msg.Parts[1].Size != 5 {
		t.Errorf("the part after the capped one was not read: %+v", msg.Parts[1])
	}
}

// The message cap stops reading; what was read is kept.
func TestMessageLimit(t *testing.T) {
	r := io.MultiReader(strings.NewReader(attackHeader+"Content-Type: text/plain\r\n\r\n"), repeat("0123456789\r\n", 1<<20))
	msg, sink := parseReader(t, r, Limits{MaxMessageBytes: 1 << 20, MaxPartBytes: 4 << 20})
	requireFlags(t, msg, true, FlagLimitMessage)
	if n := sink.parts[0].buf.Len(); n < 1<<19 || n > 1<<20 {
		t.Errorf("text part of %d bytes", n)
	}
	// Exactly at the limit is fine.
	raw := []byte(attackHeader + "\r\nbody")
	msg, _ = parseBytes(t, raw, Limits{MaxMessageBytes: int64(len(raw))})
	requireFlags(t, msg, false)
}

// Attacks 24–26: filenames lose bidi controls, paths and line breaks; a
// subject loses line breaks.
func TestAttackNames(t *testing.T) {
	raw := attackHeader[:len(attackHeader)-len("Subject: attack\r\nMIME-Version: 1.0\r\n")] +
		"Subject: =?utf-8?q?a=0D=0AX-Forged:_1=0A2024-01-01_INFO_forged?=\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nbody\r\n"
	names := []struct{ header, want string }{
		{`filename*=utf-8''evil%E2%80%AEfdp.exe`, "evilfdp.exe"},
		{`filename="=?utf-8?q?evil=E2=80=AEfdp.exe?="`, "evilfdp.exe"},
		{`filename="../../x"`, "x"},
		{`filename="C:\\x\\y"`, "y"},
		{`filename="/etc/passwd"`, "passwd"},
		{`filename*=utf-8''a%0D%0AX-Injected%3A%201.txt`, "a  X-Injected: 1.txt"},
		{`filename*=utf-8''a%0D%0AContent-Type%3A%20text%2Fhtml`, "html"},
		{`filename="..\\..\\"`, ""},
		{`filename=".."`, ""},
	}
	for _, n := range names {
		raw += "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; " + n.header + "\r\n\r\nx\r\n"
	}
	raw += "--b--\r\n"
	msg, _ := parseBytes(t, []byte(raw), Limits{})
	if strings.ContainsAny(msg.Subject, "\r\n") {
		t.Errorf("subject keeps a line break: %q", msg.Subject)
	}
	for i, n := range names {
		got := msg.Parts[i+1].Filename
		want := n.want
		if want == "" {
			want = fmt.Sprintf("attachment-%d", i+1)
		}
		if got != want {
			t.Errorf("%s: filename %q, want %q", n.header, got, want)
		}
	}
}

// Attack 23 and invariant 7: a 200 MiB attachment streams through Parse
// with flat memory, and the sink gets exactly its bytes.
func TestMemoryBounded(t *testing.T) {
	// The full 200 MiB even under the race detector: the acceptance is
	// about this size, and the suite runs with -race.
	size := int64(200 << 20)
	if testing.Short() {
		size = 32 << 20
	}
	block := make([]byte, 57*1024)
	for i := range block {
		block[i] = byte(i*7 + i>>8)
	}
	var encoded bytes.Buffer
	for off := 0; off < len(block); off += 57 {
		encoded.WriteString(base64.StdEncoding.EncodeToString(block[off : off+57]))
		encoded.WriteString("\r\n")
	}
	reps := size / int64(len(block))
	want := sha256.New()
	for i := int64(0); i < reps; i++ {
		want.Write(block)
	}
	r := io.MultiReader(
		strings.NewReader(attackHeader+"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n"+
			"--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=big.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n"),
		repeat(encoded.String(), reps),
		strings.NewReader("--b--\r\n"))

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	peak := base
	sink := &peakSink{every: 256, peak: &peak}
	msg, err := Parse(r, sink, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	requireFlags(t, msg, false)
	if len(msg.Parts) != 2 || msg.Parts[1].Size != reps*int64(len(block)) {
		t.Fatalf("parts %+v", msg.Parts)
	}
	if msg.Parts[1].SHA256 != hex.EncodeToString(want.Sum(nil)) {
		t.Errorf("attachment hash differs")
	}
	grown := int64(peak) - int64(base)
	t.Logf("%d MiB attachment: heap in use grew by at most %.1f MiB", size>>20, float64(grown)/(1<<20))
	if grown > 64<<20 {
		t.Errorf("heap grew by %d MiB", grown>>20)
	}
}

// peakSink discards parts and samples the heap while they stream.
type peakSink struct {
	every int
	n     int
	peak  *uint64
}

func (s *peakSink) CreatePart(PartInfo) (io.WriteCloser, error) { return s, nil }
func (s *peakSink) Close() error                                { return nil }
func (s *peakSink) Write(b []byte) (int, error) {
	s.n++
	if s.n%s.every == 0 {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse > *s.peak {
			*s.peak = ms.HeapInuse
		}
	}
	return len(b), nil
}

// Failures of the input or of the sink are errors; bad input never is.
func TestIOErrors(t *testing.T) {
	boom := fmt.Errorf("boom")
	raw := attackHeader + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nbody\r\n--b\r\nContent-Type: application/pdf\r\n\r\n" +
		strings.Repeat("x", 100000) + "\r\n--b--\r\n"
	for _, cut := range []int{10, len(attackHeader) + 20, len(raw) / 2, len(raw) - 3} {
		r := io.MultiReader(strings.NewReader(raw[:cut]), &errReader{boom})
		_, err := Parse(r, &memSink{}, Limits{})
		if err == nil || !strings.Contains(err.Error(), "boom") {
			t.Errorf("cut at %d: err %v, want the reader's", cut, err)
		}
	}
	sink := &failSink{failAt: 1, err: boom}
	_, err := Parse(strings.NewReader(raw), sink, Limits{})
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("sink failure: err %v", err)
	}
	if !sink.aborted {
		t.Errorf("failed part was not aborted")
	}
}

type errReader struct{ err error }

func (e *errReader) Read([]byte) (int, error) { return 0, e.err }

type failSink struct {
	failAt, n int
	err       error
	aborted   bool
}

func (s *failSink) CreatePart(PartInfo) (io.WriteCloser, error) {
	s.n++
	return &failWriter{s: s, fail: s.n-1 == s.failAt}, nil
}

type failWriter struct {
	s    *failSink
	fail bool
}

func (w *failWriter) Write(b []byte) (int, error) {
	if w.fail {
		return 0, w.s.err
	}
	return len(b), nil
}
func (w *failWriter) Close() error      { return nil }
func (w *failWriter) Abort(cause error) { w.s.aborted = true }
