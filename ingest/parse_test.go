package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// kinds lists "kind:type" of the stored parts, in order.
func kinds(msg *Message) string {
	var s []string
	for _, p := range msg.Parts {
		s = append(s, p.Kind+":"+p.ContentType)
	}
	return strings.Join(s, " ")
}

func multipartOf(ct string, parts ...string) string {
	b := "Content-Type: " + ct + "; boundary=" + boundaryOf(ct) + "\r\n\r\n"
	for _, p := range parts {
		b += "--" + boundaryOf(ct) + "\r\n" + p + "\r\n"
	}
	return b + "--" + boundaryOf(ct) + "--\r\n"
}

func boundaryOf(ct string) string {
	return "b-" + strings.NewReplacer("/", "-", ";", "").Replace(ct)
}

func leafPart(ct, extra, body string) string {
	return "Content-Type: " + ct + "\r\n" + extra + "\r\n" + body
}

// Which leaf is the body and which an attachment, across structures.
func TestBodySelection(t *testing.T) {
	for _, tc := range []struct {
		name, body, kinds, text string
	}{
		{"plain", leafPart("text/plain", "", "hello"), "text:text/plain", "hello"},
		{"no content type", "\r\nhello", "text:text/plain", "hello"},
		{"alternative html first",
			multipartOf("multipart/alternative", leafPart("text/html", "", "<p>rich</p>"), leafPart("text/plain", "", "plain")),
			"text:text/plain html:text/html", "plain"},
		{"alternative empty text",
			multipartOf("multipart/alternative", leafPart("text/plain", "", " \r\n"), leafPart("text/html", "", "<p>rich</p>")),
			"text:text/plain html:text/html", "rich"},
		{"mixed: second text is an attachment",
			multipartOf("multipart/mixed", leafPart("text/plain", "", "first"), leafPart("image/png", "", "PNG"), leafPart("text/plain", "", "second"), leafPart("text/html", "", "<p>x</p>")),
			"text:text/plain attachment:image/png attachment:text/plain attachment:text/html", "first"},
		{"mixed: attachment first",
			multipartOf("multipart/mixed", leafPart("application/pdf", "Content-Disposition: attachment; filename=a.pdf\r\n", "%PDF"), leafPart("text/plain", "", "body")),
			"attachment:application/pdf text:text/plain", "body"},
		{"text attachment is not the body",
			multipartOf("multipart/mixed", leafPart("text/plain", "Content-Disposition: attachment\r\n", "file"), leafPart("text/plain", "", "body")),
			"attachment:text/plain text:text/plain", "body"},
		{"related in alternative",
			multipartOf("multipart/alternative", leafPart("text/plain", "", "plain"),
				multipartOf("multipart/related", leafPart("text/html", "", `<img src="cid:i">`), leafPart("image/gif", "Content-ID: <i>\r\n", "GIF89a"))),
			"text:text/plain attachment:image/gif html:text/html", "plain"},
		{"digest defaults to message/rfc822",
			multipartOf("multipart/mixed", leafPart("text/plain", "", "digest follows"),
				"Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: one\r\n\r\nbody one\r\n--d\r\n\r\nSubject: two\r\n\r\nbody two\r\n--d--"),
			"text:text/plain attachment:message/rfc822 attachment:message/rfc822", "digest follows"},
		{"report",
			multipartOf("multipart/report", leafPart("text/plain", "", "delivery failed"), leafPart("message/delivery-status", "", "Status: 5.0.0"), leafPart("message/rfc822", "", "Subject: x\r\n\r\ny")),
			"text:text/plain attachment:message/delivery-status attachment:message/rfc822", "delivery failed"},
		{"signed",
			multipartOf("multipart/signed", leafPart("text/plain", "", "signed body"), leafPart("application/pkcs7-signature", "Content-Transfer-Encoding: base64\r\n", "MIIB")),
			"text:text/plain attachment:application/pkcs7-signature", "signed body"},
		{"opaque types", leafPart("application/pkcs7-mime", "Content-Transfer-Encoding: base64\r\n", "MIIB"), "attachment:application/pkcs7-mime", ""},
		{"tnef", multipartOf("multipart/mixed", leafPart("text/plain", "", "see winmail"), leafPart("application/ms-tnef", "", "\x78\x9f\x3e\x22")),
			"text:text/plain attachment:application/ms-tnef", "see winmail"},
		{"octet-stream is sniffed",
			multipartOf("multipart/mixed", leafPart("text/plain", "", "x"), leafPart("application/octet-stream", "Content-Disposition: attachment; filename=a\r\n", "%PDF-1.4 ...")),
			"text:text/plain attachment:application/pdf", "x"},
		{"missing type in mixed is sniffed",
			multipartOf("multipart/mixed", leafPart("text/plain", "", "x"), "Content-Disposition: attachment\r\n\r\nGIF89a......"),
			"text:text/plain attachment:image/gif", "x"},
		{"empty multipart", multipartOf("multipart/mixed"), "text:text/plain", ""},
		{"html alternative in mixed after the text one",
			multipartOf("multipart/alternative", leafPart("text/plain", "", "plain"),
				multipartOf("multipart/mixed", leafPart("text/html", "", "<p>rich</p>"), leafPart("image/png", "Content-Disposition: inline\r\n", "PNG"), leafPart("text/html", "", "<p>more</p>"))),
			"text:text/plain attachment:image/png attachment:text/html html:text/html", "plain"},
		{"boundary after a missing semicolon",
			"Content-Type: multipart/mixed\r\n\tboundary=\"b\"\r\n\r\n--b\r\n" + leafPart("text/plain", "", "body") + "\r\n--b\r\n" + leafPart("image/png", "", "PNG") + "\r\n--b--\r\n",
			"text:text/plain attachment:image/png", "body"},
		{"disposition that is no token",
			leafPart("text/html", "Content-Disposition: =?utf-8?Q?invalid?=\r\n", "<p>foo</p>"),
			"html:text/html", "foo"},
		{"unknown disposition is an attachment",
			leafPart("text/plain", "Content-Disposition: fancy\r\n", "file"),
			"attachment:text/plain", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg, _ := parseBytes(t, []byte(attackHeader+tc.body), Limits{})
			if got := kinds(msg); got != tc.kinds {
				t.Errorf("parts %s, want %s", got, tc.kinds)
			}
			if strings.TrimSpace(msg.Text) != tc.text {
				t.Errorf("text %q, want %q", msg.Text, tc.text)
			}
			if msg.Unparsed {
				t.Errorf("unparsed: %s", msg.Reason)
			}
		})
	}
}

// An HTML body too large to sanitize in memory is stored unsanitized as
// an attachment, whole, and still gives the text for matching.
func TestHTMLTooLarge(t *testing.T) {
	doc := "<p>Matter 2024-0117</p>" + strings.Repeat("<div>filler text</div>\n", maxHTMLBytes/23+10)
	raw := attackHeader + "Content-Type: text/html\r\n\r\n" + doc
	msg, sink := parseBytes(t, []byte(raw), Limits{})
	requireFlags(t, msg, false, FlagHTMLUnsanitized)
	if len(sink.parts) != 1 || msg.Parts[0].Kind != KindAttachment || msg.Parts[0].ContentType != "text/html" {
		t.Fatalf("parts %s", kinds(msg))
	}
	if !bytes.Equal(sink.parts[0].buf.Bytes(), []byte(doc)) {
		t.Errorf("stored %d bytes, want the %d of the document", sink.parts[0].buf.Len(), len(doc))
	}
	if !strings.HasPrefix(msg.Text, "Matter 2024-0117 filler text") {
		t.Errorf("text %q", clipText(msg.Text))
	}
}

func clipText(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

// The excerpt is capped at a rune boundary.
func TestTextExcerpt(t *testing.T) {
	body := strings.Repeat("é", 1000)
	msg, sink := parseBytes(t, []byte(attackHeader+"Content-Type: text/plain; charset=utf-8\r\n\r\n"+body), Limits{TextExcerpt: 101})
	if msg.Text != strings.Repeat("é", 50) {
		t.Errorf("excerpt of %d bytes: %q", len(msg.Text), clipText(msg.Text))
	}
	if sink.parts[0].buf.String() != body {
		t.Errorf("the stored part is not capped by the excerpt")
	}
}

// A header go-message rejects is read leniently: the fields still serve
// matching, the parts are still stored, and the message is unparsed.
func TestRejectedHeader(t *testing.T) {
	for _, raw := range []string{
		"  leading space line\r\nSubject: Matter 2024-0117\r\nFrom: a@example.com\r\n\r\nbody",
		"\ufeffFrom - Mon Jan 1 00:00:00 2024\r\nSubject: Matter 2024-0117\r\nFrom: a@example.com\r\n\r\nbody",
		"Subject: Matter 2024-0117\r\nbad key: x\r\nFrom: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nbody\r\n--b--\r\n",
	} {
		msg, sink := parseBytes(t, []byte(raw), Limits{})
		requireFlags(t, msg, true, FlagUnparsed)
		if !strings.HasPrefix(msg.Reason, "header: ") {
			t.Errorf("reason %q", msg.Reason)
		}
		if msg.Subject != "Matter 2024-0117" || len(msg.From) != 1 || msg.From[0].Addr != "a@example.com" {
			t.Errorf("fields not recovered: %q %v", msg.Subject, msg.From)
		}
		if len(sink.parts) != 1 || strings.TrimSpace(sink.parts[0].buf.String()) != "body" {
			t.Errorf("body not stored: %s", kinds(msg))
		}
	}
}

// Reasons never quote what they complain about.
func TestReasonsDoNotQuoteInput(t *testing.T) {
	secret := "SECRET-SUBJECT-TEXT"
	for _, raw := range []string{
		"Subject: x\r\n" + secret + "\r\n\r\nbody",
		"Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" + secret + "\r\n\r\nbody\r\n--b--\r\n",
		"Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nbody\r\n--b\r\n\r\nx\r\n--b " + secret + "\r\n",
		"Subject: x\r\nContent-Type: text/plain; charset=" + secret + "\r\nContent-Transfer-Encoding: " + secret + "\r\n\r\nbody",
	} {
		msg, _ := parseBytes(t, []byte(raw), Limits{})
		all := msg.Reason
		for _, p := range msg.Parts {
			all += p.Error
		}
		if all == "" || strings.Contains(all, secret) {
			t.Errorf("reason %q", all)
		}
	}
}

// The worker parses a message twice and must get the same parts: damage
// near the window's edge, a cut at MaxPartBytes, line-break floods and
// sniffing must not depend on how the input arrives.
func TestDeterministicAcrossReads(t *testing.T) {
	lim := Limits{MaxPartBytes: 4096, TextExcerpt: 512}
	var inputs []string
	for _, at := range []int{0, 1, 100, 3070, 3071, 3072, 3073, 4095, 4096, 4097, 5000} {
		clean := strings.Repeat("QUJD", 2000)        // 6000 decoded bytes
		enc := clean[:at/3*4] + "*" + clean[at/3*4:] // damage after about `at` decoded bytes
		for _, ct := range []string{"text/plain", "application/octet-stream"} {
			inputs = append(inputs, attackHeader+"Content-Type: "+ct+"\r\nContent-Transfer-Encoding: base64\r\n\r\n"+enc)
			inputs = append(inputs, attackHeader+"Content-Type: "+ct+"\r\nContent-Transfer-Encoding: base64\r\n\r\n"+
				strings.Repeat("\r\n", 2200<<10)+enc) // past rawWindow
		}
		inputs = append(inputs, attackHeader+"Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"+
			strings.Repeat("a", at)+"=ZZ"+strings.Repeat("=\r\n", 1000)+strings.Repeat("b", 5000))
	}
	for i, raw := range inputs {
		var want []byte
		for j, r := range []io.Reader{
			strings.NewReader(raw),
			iotest.OneByteReader(strings.NewReader(raw)),
			iotest.HalfReader(strings.NewReader(raw)),
			bufio.NewReaderSize(strings.NewReader(raw), 16),
		} {
			if j == 1 && len(raw) > 1<<20 {
				continue // too slow a byte at a time; the others vary enough
			}
			msg, err := Parse(r, &memSink{}, lim)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(msg)
			if j == 0 {
				want = got
			} else if !bytes.Equal(got, want) {
				t.Errorf("input %d, reader %d:\n got %s\nwant %s", i, j, got, want)
			}
		}
	}
}
