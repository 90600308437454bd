package leakscan_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/matterfile/matterfile/leakscan"
)

func TestLoadNeedles(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []string
		errWant string
	}{
		{name: "empty", in: ""},
		{
			name: "comments, blank lines, CRLF",
			in:   "# fixtures of issue 6\n\nann.lee@harper.example\r\n   \t\n#not a needle\nSubject: Falcon merger\n",
			want: []string{"ann.lee@harper.example", "Subject: Falcon merger"},
		},
		{name: "no final newline", in: "ann.lee@harper.example", want: []string{"ann.lee@harper.example"}},
		{name: "spaces are part of a needle", in: "  padded needle  \n", want: []string{"  padded needle  "}},
		{name: "UTF-8 text", in: "Müller & Söhne GmbH\n", want: []string{"Müller & Söhne GmbH"}},
		{
			name: "escapes",
			in:   `\x23 starts with a hash` + "\n" + `\x00\xFF\xfe\x80PK\x03\x04` + "\n" + `C:\\Users\\ann` + "\n",
			want: []string{"# starts with a hash", "\x00\xff\xfe\x80PK\x03\x04", `C:\Users\ann`},
		},
		{name: "short needle", in: "long enough\nshort\n", errWant: "line 2: needle is 5 bytes, want at least 8"},
		{name: "short after unescaping", in: `\x00\x01\x02\x03` + "\n", errWant: "line 1: needle is 4 bytes"},
		{name: "unknown escape", in: `tab\there and there` + "\n", errWant: "line 1: bad escape"},
		{name: "truncated escape", in: `ends with \x4`, errWant: "line 1: bad escape"},
		{name: "bad hex", in: `bad hex \xzz here`, errWant: "line 1: bad escape"},
		{name: "trailing backslash", in: `trailing backslash\`, errWant: "line 1: bad escape"},
		{name: "not UTF-8", in: "ok needle here\nraw \xff byte here\n", errWant: "line 2: not UTF-8"},
		{name: "line too long", in: strings.Repeat("x", 2<<20), errWant: "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := leakscan.LoadNeedles(strings.NewReader(tt.in))
			if tt.errWant != "" {
				require.ErrorContains(t, err, tt.errWant)
				require.Nil(t, got)
				return
			}
			require.NoError(t, err)
			var want [][]byte
			for _, w := range tt.want {
				want = append(want, []byte(w))
			}
			require.Equal(t, want, got)
		})
	}
}

func FuzzLoadNeedles(f *testing.F) {
	f.Add("# needles\nann.lee@harper.example\r\n\nSubject: Falcon merger\n")
	f.Add(`\x00\xff\xfe\x80PK\x03\x04` + "\n" + `C:\\Users\\ann`)
	f.Add("short\n")
	f.Add(`bad \q escape here`)
	f.Add("raw \xff byte here\n")
	f.Add("   \n\t\n#\n")
	f.Fuzz(func(t *testing.T, in string) {
		got, err := leakscan.LoadNeedles(strings.NewReader(in))
		if err != nil {
			require.Nil(t, got)
			return
		}
		for _, n := range got {
			require.GreaterOrEqual(t, len(n), leakscan.MinNeedleLen)
		}
		var file bytes.Buffer
		require.NoError(t, leakscan.WriteNeedles(&file, got))
		again, err := leakscan.LoadNeedles(&file)
		require.NoError(t, err, "re-reading %q", file.String())
		require.Equal(t, got, again)
	})
}

func TestWriteNeedlesRoundTrips(t *testing.T) {
	in := [][]byte{
		[]byte("plain ascii needle"),
		[]byte("#starts with a hash"),
		[]byte("line one\r\nline two\ttab"),
		[]byte(`C:\Users\ann\x41`),
		[]byte("Müller \uFFFD real replacement char"),
		{0xff, 0xfe, 0x80, 'P', 'K', 3, 4, 0, 0x7f},
		[]byte("        "),
		[]byte("\u00a0\u00a0\u00a0\u00a0"),
	}
	var b bytes.Buffer
	require.NoError(t, leakscan.WriteNeedles(&b, in))
	require.Equal(t, len(in), bytes.Count(b.Bytes(), []byte("\n")), "one line per needle")
	got, err := leakscan.LoadNeedles(&b)
	require.NoError(t, err)
	require.Equal(t, in, got)
}
