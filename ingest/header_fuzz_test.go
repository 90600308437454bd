package ingest

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message/textproto"
)

// headerBlock returns raw up to its first empty line, which is what the
// header readers see of a message.
func headerBlock(raw []byte) []byte {
	for off := 0; off < len(raw); {
		end := bytes.IndexByte(raw[off:], '\n')
		if end < 0 {
			break
		}
		if len(bytes.TrimRight(raw[off:off+end], "\r")) == 0 {
			return raw[:off]
		}
		off += end + 1
	}
	return raw
}

// fold wraps v into header lines of at most width bytes, at spaces.
func fold(name, v string, width int) string {
	var b strings.Builder
	line := name + ":"
	for _, w := range strings.Fields(v) {
		if len(line)+1+len(w) > width && len(line) > 1 {
			b.WriteString(line + "\r\n")
			line = ""
		}
		line += " " + w
	}
	b.WriteString(line + "\r\n")
	return b.String()
}

var headerFuzzSeeds = []string{
	"",
	"\r\n",
	": no name\r\n continued\r\nSubject: after\r\n",
	" leading continuation\r\nSubject: x\r\n",
	"From sender@example.com Mon Jan  1 00:00:00 2024\nSubject: mbox From_ line first\n",
	// Encoded words: unknown charset next to a good one, malformed words,
	// words that decode to line breaks, NUL, C1 and bidi controls.
	"Subject: =?x-unknown?Q?caf=E9?= =?utf-8?B?w6k=?= =?iso-8859-1?q?caf=E9?=\r\n",
	"Subject: =?utf-8?B?not base64!?= =?utf-8?Q?=ZZ?= =?utf-8?X?x?= =??Q?a?= =?utf-8?Q?unterminated\r\n",
	"Subject: =?utf-8?Q?a=0D=0Ab=00c=E2=80=AEd=C2=85e=E2=80=A8f?=\r\n",
	"Subject: =?utf-8?B?DQpCY2M6IGV2aWxAZXhhbXBsZS5jb20=?=\r\n",
	"Subject: =?utf-16?B?//5BAEIA?= =?shift_jis?B?gqKCpA==?= =?utf-8*en?Q?x?=\r\n",
	"Subject: =?utf-8?Q?=FF=FE?= =?us-ascii?Q?=80=9B?=\r\n",
	"From: =?utf-8?Q?Evil=0D=0ABcc:_x?= <e@E.com>, =?x-bogus?B?QUJD?= <f@F.COM>\r\n",
	// 8-bit Latin-1 and Windows-1252, including the bytes Windows-1252
	// leaves undefined (they become C1 controls).
	"Subject: caf\xe9 \x93quoted\x94 \x81\x8d\x8f\x90\x9d end\r\nFrom: J\xfcrgen M\xfcller <j@M\xdcLLER.de>\r\n",
	"Subject: half \xe2\x82 rune\r\n",
	// CRLF and LF mixed, lone CR, NUL bytes.
	"From: a@B.COM\nTo: c@D.org\r\nSubject: x\r\n continued\n\tmore\r\nCc: e@F.net\n",
	"Subject: a\rb\r\nTo: x\r@y.com\r\n",
	"Subject: a\x00b\r\nFrom: \x00<x@Y\x00.com>\r\nX-Gm-Thrid: 1\x002\r\n",
	"Subject\x00: x\r\nSub ject: y\r\n",
	// Addresses: IDN, upper case, broken lists.
	"To: x@XN--BCHER-KVA.EXAMPLE, \"Name, Q.\" <y@\u0130STANBUL.TR>; z@\u212A.example\r\n",
	"To: undisclosed-recipients:;, <>, @, a@, @b, \"unterminated <u@U.COM>, (comment <c@C.COM>\r\n",
	"Cc: \"A\" <a@A.COM> \"B\" <b@B.COM> garbage <<d@D.com>>\r\nCc: second@Cc.COM\r\n",
	"From: \"\\\"quoted\\\" name\" <q@Q.com> (comment)\r\n",
	// Gmail labels: quoted commas, escaped quotes, empty and blank labels,
	// encoded words.
	"X-Gmail-Labels: Inbox,\"a,b\",,\" \",=?UTF-8?Q?=C3=A9?=,\"\\\"q\\\"\",Important, ,\"\",=?utf-8?Q?=0D=0A?=\r\n",
	"X-Gmail-Labels: \"unterminated, label\r\n",
	"X-Gmail-Labels:\r\n",
	"X-Gmail-Labels: \\,\\\"\r\n",
	// Dates: broken, out of range, at the edges.
	"Date: Mon, 32 Foo 99999 25:61:61 +9999\r\n",
	"Date: 1 Jan 0000 00:00:00 +0100\r\n",
	"Date: Fri, 31 Dec 9999 23:59:59 -2359\r\n",
	"Date: Sat, 1 Jan 0001 00:00:00 +2359\r\n",
	"Date: Tuesday, 3 Mar 2020 10:00:00 GMT+01:00 (CET)\r\n",
	"Date: 2020-03-03T10:00:00.123456789+01:00\r\n",
	"Date: ((nested) comment) 3 Mar 2020 10:00 +0100,\r\n",
	// Media types and RFC 2231 parameters.
	"Content-Type: multipart/MIXED; boundary=\"a;b\"; name*0*=iso-8859-1''caf%E9; name*1=.pdf; name*=x-unknown'en'%FF\r\n",
	"Content-Type: text/plain; charset=\"utf-8; format=flowed; charset=latin1; ;=; a*999=x; a*1000=y; b*-1=z\r\n",
	"Content-Disposition: attachment; filename*=utf-8''%E2%80%AEfdp.exe; filename=\"x\\\"y\"\r\n",
	"Content-Type: ;;;\r\nContent-Disposition: \"\r\n",
	// Message-IDs.
	"Message-ID: <a@b> <c@d>\r\nIn-Reply-To: garbage <x@y> more\r\nReferences: <a\r\n <b@c>> <> < > \x00\r\n",
	"Message-ID: no brackets at all\r\nReferences: a b  c\r\n",
}

// checkClean asserts what cleanText promises for a decoded value: valid
// UTF-8, no control characters (C0, DEL, C1) nor line or paragraph
// separators, and no surrounding white space. It does not promise to drop
// bidi controls, so neither does this.
func checkClean(t *testing.T, what, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("%s %q: invalid UTF-8", what, s)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			t.Errorf("%s %q keeps control %U", what, s, r)
		}
	}
	if strings.TrimSpace(s) != s {
		t.Errorf("%s %q: not trimmed", what, s)
	}
}

func checkAddresses(t *testing.T, what string, as []Address) {
	t.Helper()
	for _, a := range as {
		checkClean(t, what+" name", a.Name)
		checkClean(t, what+" addr", a.Addr)
		if i := strings.LastIndexByte(a.Addr, '@'); i >= 0 {
			if d := a.Addr[i+1:]; strings.ToLower(d) != d {
				t.Errorf("%s %q: domain not lower-case", what, a.Addr)
			}
		}
	}
}

func checkLabels(t *testing.T, labels []string) {
	t.Helper()
	for _, l := range labels {
		if l == "" {
			t.Errorf("empty label in %q", labels)
		}
		checkClean(t, "label", l)
	}
}

func checkDate(t *testing.T, d time.Time) {
	t.Helper()
	if d.IsZero() {
		return
	}
	if d.Location() != time.UTC || d.Year() < 1 || d.Year() > 9999 {
		t.Errorf("date %v: not UTC or year out of range", d)
	}
}

func checkMediaType(t *testing.T, v string) {
	t.Helper()
	mt := parseMediaType(v)
	if mt.value != strings.ToLower(mt.value) {
		t.Errorf("media type %q: value %q not lower-case", v, mt.value)
	}
	for k := range mt.params {
		if k == "" || k != strings.ToLower(k) {
			t.Errorf("media type %q: parameter name %q empty or not lower-case", v, k)
		}
	}
}

func checkMessageHeader(t *testing.T, m *Message) {
	t.Helper()
	for what, s := range map[string]string{
		"subject": m.Subject, "date header": m.DateHeader, "thread id": m.GmailThreadID,
		"message id": m.MessageID, "in-reply-to": m.InReplyTo,
	} {
		checkClean(t, what, s)
	}
	for _, r := range m.References {
		if r == "" {
			t.Errorf("empty reference in %q", m.References)
		}
		checkClean(t, "reference", r)
	}
	for what, as := range map[string][]Address{
		"from": m.From, "sender": m.Sender, "reply-to": m.ReplyTo, "to": m.To,
		"cc": m.Cc, "bcc": m.Bcc, "delivered-to": m.DeliveredTo,
	} {
		checkAddresses(t, what, as)
	}
	checkDate(t, m.Date)
	checkLabels(t, m.GmailLabels)
}

// FuzzDecodeHeader drives the header readers and decoders on a header
// block: go-message's reader and the lenient one, fillHeader on both, and
// every value decoder on every field and on the raw block itself (which,
// unlike a field value, still holds line breaks).
func FuzzDecodeHeader(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.eml"))
	files = append(files, corpusFiles(f, vendoredCorpus)...)
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(headerBlock(raw))
	}
	// The Takeout exports carry Gmail's own X-Gmail-Labels and
	// X-GM-THRID; each message's header follows its From_ line.
	exports, _ := filepath.Glob(filepath.Join("..", "testdata", "mbox", "*.mbox"))
	for _, name := range exports {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for _, m := range bytes.Split(raw, []byte("\nFrom ")) {
			if _, rest, ok := bytes.Cut(m, []byte("\n")); ok {
				f.Add(headerBlock(rest))
			}
		}
	}
	for _, s := range headerFuzzSeeds {
		f.Add([]byte(s))
	}
	// Long enough to pass bufio's default 4 KiB buffer, short enough that
	// the fuzzer does not spend its time minimizing them.
	long := strings.Repeat("word\xe9 =?utf-8?Q?=C3=A9?= ", 200)
	f.Add([]byte(fold("Subject", long, 78) + fold("To", strings.Repeat("a@B.COM, ", 100), 78)))
	f.Add([]byte("Subject: " + long + "\r\nX-Gmail-Labels: " + strings.Repeat("\"l,\",", 200) + "\n"))

	f.Fuzz(func(t *testing.T, raw []byte) {
		// Go's fuzzer has no time limit per input; a hang would only show
		// as a stalled run, so make it a crasher with every stack in it.
		watchdog := time.AfterFunc(30*time.Second, func() {
			debug.SetTraceback("all")
			panic("header decoding of one input took more than 30s")
		})
		defer watchdog.Stop()

		lenient := readHeaderLeniently(bufio.NewReader(bytes.NewReader(raw)))
		// readLine must make lines of any length whole: a buffer smaller
		// than most lines must read the same header.
		small := readHeaderLeniently(bufio.NewReaderSize(bytes.NewReader(raw), 16))
		if !reflect.DeepEqual(headerFields(lenient), headerFields(small)) {
			t.Errorf("header depends on the buffer size:\n%q\n%q", headerFields(lenient), headerFields(small))
		}
		headers := []textproto.Header{lenient}
		if strict, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw))); err == nil {
			headers = append(headers, strict)
		}
		for _, h := range headers {
			var m Message
			fillHeader(&m, h)
			checkMessageHeader(t, &m)
		}
		values := []string{string(raw)}
		for fl := lenient.Fields(); fl.Next(); {
			if !validFieldName(fl.Key()) {
				t.Errorf("lenient reader kept field name %q", fl.Key())
			}
			values = append(values, fl.Value())
		}
		for _, v := range values {
			checkClean(t, "decoded text", decodeText(v))
			checkAddresses(t, "address", parseAddressList(v))
			checkDate(t, parseDate(v))
			checkLabels(t, ParseGmailLabels(v))
			checkMediaType(t, v)
		}
	})
}

func headerFields(h textproto.Header) [][2]string {
	var out [][2]string
	for f := h.Fields(); f.Next(); {
		out = append(out, [2]string{f.Key(), f.Value()})
	}
	return out
}
