package ingest

import (
	"encoding/base64"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf16"

	"golang.org/x/text/transform"
)

func decodeUTF7(t *testing.T, s string, oneByte bool) string {
	t.Helper()
	var r io.Reader = strings.NewReader(s)
	if oneByte {
		r = iotest.OneByteReader(r)
	}
	cr, err := charsetReader("UTF-7", r)
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(cr)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestUTF7(t *testing.T) {
	for in, want := range map[string]string{
		// RFC 2152's examples.
		"Hi Mom -+Jjo--!":   "Hi Mom -\u263a-!",
		"A+ImIDkQ.":         "A\u2262\u0391.",
		"+ZeVnLIqe-":        "日本語",
		"Item 3 is +AKM-1.": "Item 3 is £1.",
		"1 +- 1 = 2":        "1 + 1 = 2",
		"Fr+APY-sche":       "Frösche",
		"+2D3eAA-":          "\U0001F600",
		// Damage: a lone surrogate, a run cut by the end, 8-bit bytes.
		"a+2D0-b":        "a\uFFFDb",
		"a+3gA-b":        "a\uFFFDb",
		"end+AKM":        "end£",
		"end+":           "end",
		"caf\xe9 \u00e9": "café é",
	} {
		for _, oneByte := range []bool{false, true} {
			if got := decodeUTF7(t, in, oneByte); got != want {
				t.Errorf("%q (one byte %v): got %q, want %q", in, oneByte, got, want)
			}
		}
	}
	// Through the header decoder, as Outlook wrote subjects.
	if got := decodeText("=?utf-7?Q?Die_Hasen_und_die_Fr+APY-sche?="); got != "Die Hasen und die Frösche" {
		t.Errorf("encoded word: got %q", got)
	}
}

// Random text encoded the way RFC 2152 allows (every non-ASCII run
// shifted, '-' closing a run only when needed) decodes back to itself,
// whatever the buffer sizes.
func TestUTF7RoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []rune("aZ09 -+.\r\n£€日本\U0001F600é")
	for i := 0; i < 300; i++ {
		var text []rune
		for n := rng.IntN(200); n > 0; n-- {
			text = append(text, alphabet[rng.IntN(len(alphabet))])
		}
		enc := encodeUTF7(text)
		for _, oneByte := range []bool{false, true} {
			if got := decodeUTF7(t, enc, oneByte); got != string(text) {
				t.Fatalf("round trip of %q via %q: got %q", string(text), enc, got)
			}
		}
		if got, _, err := transform.String(&utf7Decoder{}, enc); err != nil || got != string(text) {
			t.Fatalf("transform.String: %v %q", err, got)
		}
	}
}

func encodeUTF7(text []rune) string {
	var b strings.Builder
	b64 := base64.StdEncoding.WithPadding(base64.NoPadding)
	for i := 0; i < len(text); {
		r := text[i]
		if r == '+' {
			b.WriteString("+-")
			i++
			continue
		}
		if r < 0x80 {
			b.WriteRune(r)
			i++
			continue
		}
		j := i
		for j < len(text) && text[j] >= 0x80 {
			j++
		}
		var units []byte
		for _, u := range utf16.Encode(text[i:j]) {
			units = append(units, byte(u>>8), byte(u))
		}
		b.WriteByte('+')
		b.WriteString(b64.EncodeToString(units))
		if j < len(text) {
			if _, ok := utf7Base64(byte(text[j])); ok || text[j] == '-' {
				b.WriteByte('-')
			}
		}
		i = j
	}
	return b.String()
}
