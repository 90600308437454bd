package ingest

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseGmailLabels(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"Inbox", []string{"Inbox"}},
		{" Inbox,Important , Opened", []string{"Inbox", "Important", "Opened"}},
		{`Inbox,"Matters/2024-0117 Acme, Inc.",Sent`, []string{"Inbox", "Matters/2024-0117 Acme, Inc.", "Sent"}},
		{`"say \"hi\", then",x`, []string{`say "hi", then`, "x"}},
		{"=?UTF-8?Q?M=C3=BCller?=,=?UTF-8?B?5aWR57SE?=", []string{"Müller", "契約"}},
		{"a,,b,", []string{"a", "b"}},
		{"Inbox,\r\n Category Updates", []string{"Inbox", "Category Updates"}},
		{"M\xfcller", []string{"Müller"}},
		{`"unterminated, quote`, []string{"unterminated, quote"}},
	} {
		if got := ParseGmailLabels(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseGmailLabels(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	want := time.Date(2024, 5, 14, 7, 30, 0, 0, time.UTC)
	for _, in := range []string{
		"Tue, 14 May 2024 09:30:00 +0200",
		"14 May 2024 09:30:00 +0200",
		"Tue, 14 May 2024 09:30:00 +0200 (CEST)",
		"Tuesday, 14 May 2024 09:30:00 +0200",
		"Tue, 14 May 2024 09:30:00 GMT+0200",
		"Tue, 14 May 2024 09:30:00 +02:00",
		"Tue,  14  May  2024  09:30:00  +0200",
		"2024-05-14T09:30:00+02:00",
		"2024-05-14 07:30:00",
		"Tue May 14 07:30:00 2024",
		"14 may 2024 09:30:00 +0200",
		"Tue, 14 May 24 09:30:00 +0200",
	} {
		if got := parseDate(in); !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("parseDate(%q) = %v, want %v", in, got, want)
		}
	}
	for _, in := range []string{"", "yesterday", "Tue, 14 May 99999 09:30:00 +0200", "Tue, 14 May 2024 09:30:00 +9959x", strings.Repeat("1", 500)} {
		if got := parseDate(in); !got.IsZero() && (got.Year() < 1 || got.Year() > 9999) {
			t.Errorf("parseDate(%q) = %v, outside JSON's range", in, got)
		}
	}
}

func TestAddresses(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []Address
	}{
		{`"Doe, Jane" <Jane.Doe@Example.COM>, bob@xn--mller-kva.de`, []Address{{"Doe, Jane", "Jane.Doe@example.com"}, {"", "bob@müller.de"}}},
		{`=?ISO-8859-1?Q?Andr=E9?= <andre@example.fr>`, []Address{{"André", "andre@example.fr"}}},
		{`undisclosed-recipients:;`, nil},
		// Broken forms go-message refuses: still split and kept.
		{`Jane Doe <jane@example.com>, <bob@example.com> (Bob), joe@ex ample.com`, []Address{{"Jane Doe", "jane@example.com"}, {"", "bob@example.com"}, {"ample.com", "joe@ex"}}},
		{`Smith, John <john@EXAMPLE.com>`, []Address{{"Smith", ""}, {"John", "john@example.com"}}},
		{"\"M\xfcller\" <m@example.de>", []Address{{"Müller", "m@example.de"}}},
		{"a@b.c\r\n\t", []Address{{"", "a@b.c"}}},
	} {
		got := parseAddressList(tc.in)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseAddressList(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestDecodeText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"=?utf-8?q?caf=C3=A9?= =?utf-8?q?_cr=C3=A8me?=", "café crème"},
		{"=?x-unknown-cs?q?abc?= =?utf-8?q?caf=C3=A9?=", "=?x-unknown-cs?q?abc?= café"},
		{"=?utf-8?q?line=0D=0Abreak?=", "line  break"},
		{"Gr\xfc\xdfe", "Grüße"},
		{"=?iso-2022-jp?B?GyRCJEYkOSRIGyhC?=", "てすと"},
		{"tab\there\x00nul", "tab here nul"},
	} {
		if got := decodeText(tc.in); got != tc.want {
			t.Errorf("decodeText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseMediaType(t *testing.T) {
	for _, tc := range []struct {
		in, value string
		params    map[string]string
	}{
		{`text/plain; charset="UTF-8"`, "text/plain", map[string]string{"charset": "UTF-8"}},
		{`multipart/alternative;; boundary="foo"`, "multipart/alternative", map[string]string{"boundary": "foo"}},
		{`multipart/mixed; boundary=a; boundary=b`, "multipart/mixed", map[string]string{"boundary": "a"}},
		{`attachment; filename=my file.pdf`, "attachment", map[string]string{"filename": "my file.pdf"}},
		{`attachment; filename="unterminated.pdf`, "attachment", map[string]string{"filename": "unterminated.pdf"}},
		{`attachment; filename*=iso-8859-1''caf%E9.txt`, "attachment", map[string]string{"filename": "café.txt"}},
		{`attachment; filename*0*=utf-8''%E2%82%AC; filename*1=" rates.pdf"`, "attachment", map[string]string{"filename": "€ rates.pdf"}},
		{`Application/PDF; name="x.pdf"`, "application/pdf", map[string]string{"name": "x.pdf"}},
		{"multipart/mixed\r\n\tboundary=\"b\"", "multipart/mixed", map[string]string{"boundary": "b"}},
		{`text/plain charset=utf-8; format=flowed`, "text/plain", map[string]string{"charset": "utf-8", "format": "flowed"}},
		{" multipart/mixed\n boundary=x", "multipart/mixed", map[string]string{"boundary": "x"}},
		{``, "", nil},
	} {
		got := parseMediaType(tc.in)
		if got.value != tc.value {
			t.Errorf("parseMediaType(%q) value %q, want %q", tc.in, got.value, tc.value)
		}
		for k, v := range tc.params {
			if got.params[k] != v {
				t.Errorf("parseMediaType(%q) %s = %q, want %q", tc.in, k, got.params[k], v)
			}
		}
	}
}

func TestMessageIDs(t *testing.T) {
	if got := messageID(" <abc@example.com> "); got != "abc@example.com" {
		t.Errorf("messageID %q", got)
	}
	if got := messageID("<broken id with spaces@x>"); got != "broken id with spaces@x" {
		t.Errorf("lenient messageID %q", got)
	}
	if got := messageID("no-brackets@example.com"); got != "no-brackets@example.com" {
		t.Errorf("bare messageID %q", got)
	}
	got := messageIDs("<a@x> <b@y>\r\n <c@z>")
	if !reflect.DeepEqual(got, []string{"a@x", "b@y", "c@z"}) {
		t.Errorf("messageIDs %q", got)
	}
	got = messageIDs("<a@x> garbage <b c@y>")
	if !reflect.DeepEqual(got, []string{"a@x", "b c@y"}) {
		t.Errorf("lenient messageIDs %q", got)
	}
}

func TestSanitizeFilename(t *testing.T) {
	long := strings.Repeat("é", 200) + ".pdf"
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"report.pdf", 1, "report.pdf"},
		{"../../x.pdf", 1, "x.pdf"},
		{`C:\x\y`, 1, "y"},
		{`..\..\`, 4, "attachment-4"},
		{"..", 2, "attachment-2"},
		{"", 7, "attachment-7"},
		{"  \t ", 7, "attachment-7"},
		{"evil\u202Efdp.exe", 1, "evilfdp.exe"},
		{"a\u2066b\u2069c\u200Ed\u200Fe\u061Cf", 1, "abcdef"},
		{"line\r\nbreak\x00.txt", 1, "linebreak.txt"},
		{"e\u0301te\u0301.txt", 1, "été.txt"}, // NFC
		{"bad\xffutf8.txt", 1, "bad\uFFFDutf8.txt"},
		{"\uFEFFbom.txt", 1, "bom.txt"},
		{long, 1, strings.Repeat("é", 125) + ".pdf"},
		{strings.Repeat("a", 300), 1, strings.Repeat("a", 255)},
	} {
		got := SanitizeFilename(tc.in, tc.n)
		if got != tc.want {
			t.Errorf("SanitizeFilename(%q) = %q, want %q", tc.in, got, tc.want)
		}
		checkFilename(t, got)
	}
}

// checkFilename asserts the properties every sanitized name has.
func checkFilename(t *testing.T, name string) {
	t.Helper()
	if name == "" || len(name) > MaxFilenameBytes || !utf8.ValidString(name) {
		t.Errorf("name %q: empty, too long (%d) or invalid UTF-8", name, len(name))
	}
	for _, r := range name {
		if r == '/' || r == '\\' || isControl(r) || isBidiControl(r) {
			t.Errorf("name %q keeps %U", name, r)
		}
	}
}
