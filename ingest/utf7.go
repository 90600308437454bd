package ingest

import (
	"io"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// charsetReader is go-message's charset.Reader plus UTF-7, which Outlook
// wrote for years (subjects and bodies alike) and which go-message does not
// know: without it such a subject stays an undecoded encoded word.
func charsetReader(cs string, r io.Reader) (io.Reader, error) {
	switch normalizeCharset(cs) {
	case "utf-7", "utf7", "unicode-1-1-utf-7", "csunicode11utf7", "x-unicode-2-0-utf-7":
		return transform.NewReader(r, &utf7Decoder{}), nil
	}
	return charset.Reader(cs, r)
}

// utf7Decoder decodes RFC 2152 UTF-7. It never fails: an unpaired
// surrogate becomes U+FFFD, and 8-bit bytes (which UTF-7 never contains)
// are read as UTF-8 where they form it and as Windows-1252 elsewhere, like
// the rest of the package reads mislabeled text.
type utf7Decoder struct {
	shifted bool   // inside a '+' ... '-' base64 run
	acc     uint32 // base64 bits not yet consumed
	nbits   uint
	high    rune // a high surrogate waiting for its low half, or 0
}

func (d *utf7Decoder) Reset() { *d = utf7Decoder{} }

// utf7MaxOut is the most one input byte can produce: U+FFFD for a
// dangling surrogate plus a rune.
const utf7MaxOut = 2 * utf8.UTFMax

func (d *utf7Decoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	emit := func(r rune) { nDst += utf8.EncodeRune(dst[nDst:], r) }
	for nSrc < len(src) {
		if len(dst)-nDst < utf7MaxOut {
			return nDst, nSrc, transform.ErrShortDst
		}
		c := src[nSrc]
		if d.shifted {
			v, ok := utf7Base64(c)
			if ok {
				d.acc = d.acc<<6 | uint32(v)
				d.nbits += 6
				nSrc++
				if d.nbits < 16 {
					continue
				}
				d.nbits -= 16
				unit := rune(d.acc >> d.nbits & 0xffff)
				d.acc &= 1<<d.nbits - 1
				switch {
				case utf16.IsSurrogate(unit) && unit < 0xdc00:
					if d.high != 0 {
						emit(utf8.RuneError)
					}
					d.high = unit
				case utf16.IsSurrogate(unit):
					if d.high != 0 {
						emit(utf16.DecodeRune(d.high, unit))
						d.high = 0
					} else {
						emit(utf8.RuneError)
					}
				default:
					if d.high != 0 {
						emit(utf8.RuneError)
						d.high = 0
					}
					emit(unit)
				}
				continue
			}
			// The run ends at the first byte outside base64; a '-' that
			// ends it is absorbed, anything else is text again.
			if d.high != 0 {
				emit(utf8.RuneError)
			}
			d.shifted, d.acc, d.nbits, d.high = false, 0, 0, 0
			if c == '-' {
				nSrc++
			}
			continue
		}
		switch {
		case c == '+':
			if nSrc+1 >= len(src) && !atEOF {
				return nDst, nSrc, transform.ErrShortSrc
			}
			if nSrc+1 < len(src) && src[nSrc+1] == '-' {
				emit('+')
				nSrc += 2
				continue
			}
			d.shifted = true
			nSrc++
		case c < utf8.RuneSelf:
			dst[nDst] = c
			nDst++
			nSrc++
		default:
			r, size := utf8.DecodeRune(src[nSrc:])
			if r == utf8.RuneError && size <= 1 {
				if !atEOF && !utf8.FullRune(src[nSrc:]) {
					return nDst, nSrc, transform.ErrShortSrc
				}
				r = charmap.Windows1252.DecodeByte(c)
			}
			emit(r)
			nSrc += size
		}
	}
	if atEOF && d.high != 0 {
		if len(dst)-nDst < utf8.UTFMax {
			return nDst, nSrc, transform.ErrShortDst
		}
		emit(utf8.RuneError)
		d.high = 0
	}
	return nDst, nSrc, nil
}

func utf7Base64(c byte) (byte, bool) {
	switch {
	case c >= 'A' && c <= 'Z':
		return c - 'A', true
	case c >= 'a' && c <= 'z':
		return c - 'a' + 26, true
	case c >= '0' && c <= '9':
		return c - '0' + 52, true
	case c == '+':
		return 62, true
	case c == '/':
		return 63, true
	}
	return 0, false
}
