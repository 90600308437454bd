package leakscan

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// maxNeedleLine bounds one line of a needles file, so a file that is not
// one (a binary dropped in by mistake) fails instead of filling memory.
const maxNeedleLine = 1 << 20

// LoadNeedles reads needles for Scan, one per line of UTF-8 text. Blank
// lines and lines starting with '#' are skipped; a trailing "\r" is
// dropped; everything else on a line, spaces included, is the needle.
// "\xNN" (two hex digits) stands for any byte, so binary needles and needles
// starting with '#' can be written; "\\" stands for a backslash, and any
// other backslash is an error. A needle shorter than MinNeedleLen is an
// error, found here with its line number rather than later by Scan.
//
// Errors name the line, never its content: needles are secrets.
func LoadNeedles(r io.Reader) ([][]byte, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxNeedleLine)
	var out [][]byte
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSuffix(sc.Bytes(), []byte("\r"))
		if len(bytes.TrimSpace(text)) == 0 || text[0] == '#' {
			continue
		}
		if !utf8.Valid(text) {
			return nil, fmt.Errorf("leakscan: needles line %d: not UTF-8; write binary bytes as \\xNN", line)
		}
		n, err := unescape(text)
		if err != nil {
			return nil, fmt.Errorf("leakscan: needles line %d: %w", line, err)
		}
		if len(n) < MinNeedleLen {
			return nil, fmt.Errorf("leakscan: needles line %d: needle is %d bytes, want at least %d: shorter needles match ciphertext by chance", line, len(n), MinNeedleLen)
		}
		out = append(out, n)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("leakscan: needles: a line is longer than %d bytes", maxNeedleLine)
		}
		return nil, fmt.Errorf("leakscan: needles: %w", err)
	}
	return out, nil
}

func unescape(text []byte) ([]byte, error) {
	if bytes.IndexByte(text, '\\') < 0 {
		return bytes.Clone(text), nil
	}
	out := make([]byte, 0, len(text))
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		switch {
		case i+1 < len(text) && text[i+1] == '\\':
			out = append(out, '\\')
			i++
		case i+3 < len(text) && text[i+1] == 'x' && isHex(text[i+2]) && isHex(text[i+3]):
			out = append(out, unhex(text[i+2])<<4|unhex(text[i+3]))
			i += 3
		default:
			return nil, fmt.Errorf("bad escape at byte %d: want \\xNN or \\\\", i)
		}
	}
	return out, nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

// WriteNeedles writes needles in the form LoadNeedles reads, so a test can
// hand the needles it built to the doctor leakscan command. Bytes that a
// line could not carry as they are (invalid UTF-8, control characters, a
// leading '#', a needle of spaces only) are written as \xNN.
func WriteNeedles(w io.Writer, needles [][]byte) error {
	var b bytes.Buffer
	for _, n := range needles {
		writeNeedle(&b, n)
		b.WriteByte('\n')
	}
	_, err := w.Write(b.Bytes())
	return err
}

func writeNeedle(b *bytes.Buffer, n []byte) {
	if len(bytes.TrimSpace(n)) == 0 {
		for _, c := range n {
			fmt.Fprintf(b, `\x%02x`, c)
		}
		return
	}
	for i := 0; i < len(n); {
		r, size := utf8.DecodeRune(n[i:])
		switch {
		case r == utf8.RuneError && size <= 1, r < ' ', r == 0x7f, r == '#' && i == 0:
			fmt.Fprintf(b, `\x%02x`, n[i])
		case r == '\\':
			b.WriteString(`\\`)
		default:
			b.Write(n[i : i+size])
		}
		i += max(size, 1)
	}
}
