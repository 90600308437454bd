package ingest

import (
	"bytes"
	"encoding/base64"
	"io"
	"math/rand/v2"
	"mime/quotedprintable"
	"strings"
	"testing"
	"testing/iotest"

	"golang.org/x/text/transform"
)

// The decoders keep state across reads: feeding them one byte at a time
// must give what the standard library gives for well-formed input.
func TestDecodersRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200; i++ {
		data := make([]byte, rng.IntN(3000))
		for j := range data {
			if rng.IntN(3) == 0 {
				data[j] = byte(rng.IntN(256))
			} else {
				const alphabet = " \r\n=\tabcxyz.-"
				data[j] = alphabet[rng.IntN(len(alphabet))]
			}
		}
		var b64 bytes.Buffer
		enc := base64.StdEncoding.EncodeToString(data)
		for len(enc) > 76 {
			b64.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b64.WriteString(enc)
		got, err := io.ReadAll(newTransferDecoder(encBase64, iotest.OneByteReader(&b64)))
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("base64 round trip %d: %v, %d bytes, want %d", i, err, len(got), len(data))
		}

		var qp bytes.Buffer
		w := quotedprintable.NewWriter(&qp)
		w.Write(data)
		w.Close()
		want, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(qp.Bytes())))
		if err != nil {
			t.Fatal(err)
		}
		dec := newTransferDecoder(encQP, iotest.OneByteReader(bytes.NewReader(qp.Bytes())))
		got, err = io.ReadAll(dec)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("qp round trip %d: %v\n got %q\nwant %q", i, err, got, want)
		}
		if len(dec.issues()) != 0 {
			t.Fatalf("qp round trip %d: issues %v on clean input", i, dec.issues())
		}
	}
}

func TestQPDecoder(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		problem  bool
	}{
		{"a=3Db", "a=b", false},
		{"soft=\r\nbreak", "softbreak", false},
		{"soft=\nbreak", "softbreak", false},
		{"soft= \t\r\nbreak", "softbreak", false},
		{"trailing   \r\nspace\t\n", "trailing\r\nspace\n", false},
		{"kept=20\r\n", "kept \r\n", false},
		{"lower=c3=a9", "lower\xc3\xa9", false},
		{"bad=ZZ", "bad=ZZ", true},
		{"bad=4", "bad=4", true},
		{"bad= x", "bad= x", true},
		{"end=", "end", false},
		{"bare\rcr", "bare\rcr", false},
		{"\x00\x7f\xff", "\x00\x7f\xff", false},
	} {
		dec := newTransferDecoder(encQP, iotest.OneByteReader(strings.NewReader(tc.in)))
		got, _ := io.ReadAll(dec)
		if string(got) != tc.want || (len(dec.issues()) != 0) != tc.problem {
			t.Errorf("qp %q = %q (issues %v), want %q (problem %v)", tc.in, got, dec.issues(), tc.want, tc.problem)
		}
		if _, bad := firstBroken(dec.issues()); bad {
			t.Errorf("qp %q: broken", tc.in)
		}
	}
}

func TestBase64Decoder(t *testing.T) {
	for _, tc := range []struct {
		in, want      string
		problem, brok bool
	}{
		{"", "", false, false},
		{"\r\n\r\n", "", false, false},
		{"SGVsbG8=", "Hello", false, false},
		{"SGVs\r\n bG8=", "Hello", false, false},
		{"SGVsbG8", "Hello", false, false},
		{"SGVsbG8=X", "Hello", true, false},
		{"SGk=IHRoZXJl", "Hi there", false, false},
		{"SGVs*bG8=", "Hello", true, true},
		{"SGVsbG8=\r\n-- \r\nfooter", "Hello~\x8a-z", true, true},
	} {
		dec := newTransferDecoder(encBase64, iotest.OneByteReader(strings.NewReader(tc.in)))
		got, _ := io.ReadAll(dec)
		_, bad := firstBroken(dec.issues())
		if string(got) != tc.want || (len(dec.issues()) != 0) != tc.problem || bad != tc.brok {
			t.Errorf("base64 %q = %q (issues %v), want %q (%v, %v)", tc.in, got, dec.issues(), tc.want, tc.problem, tc.brok)
		}
	}
}

func TestTransferEncodingOf(t *testing.T) {
	for in, want := range map[string]transferEncoding{
		"":                  encIdentity,
		"7BIT":              encIdentity,
		"7-bit":             encIdentity,
		"Quoted-Printable":  encQP,
		"quoted printable":  encQP,
		"quoted-printable;": encQP,
		" base64 ":          encBase64,
		`"base64"`:          encBase64,
		"x-uuencode":        encUnknown,
		"base9000":          encUnknown,
	} {
		if got := transferEncodingOf(in); got != want {
			t.Errorf("transferEncodingOf(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestUTF8OrLatin1(t *testing.T) {
	in := "ok \xe2\x80\x93 caf\xe9 \x80 \xf0\x9f\x98\x80 end \xe2\x80"
	want := "ok – café € 😀 end â€"
	if got := utf8OrLatin1String(in); got != want {
		t.Errorf("utf8OrLatin1String = %q, want %q", got, want)
	}
	got, err := io.ReadAll(transform.NewReader(iotest.OneByteReader(strings.NewReader(in)), utf8OrLatin1{}))
	if err != nil || string(got) != want {
		t.Errorf("streamed = %q, %v; want %q", got, err, want)
	}
}
