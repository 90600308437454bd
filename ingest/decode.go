package ingest

import (
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// decoder is a transfer decoder that never fails: it decodes what it can
// and reports what it had to skip, so that the caller decides whether the
// part is kept decoded or raw. The standard library decoders stop at the
// first bad byte (and quotedprintable also at lines longer than 4 KiB),
// which in a stream would leave half a part.
type decoder interface {
	io.Reader
	// issues lists the first occurrence of each kind of problem met so
	// far. Positions, not counts: how far a decoder has read depends on
	// how its input arrives, where an issue sits does not, and two parses
	// of the same bytes must agree.
	issues() []decodeIssue
}

// decodeIssue is a problem a decoder met.
type decodeIssue struct {
	what string // fixed text; never quotes input
	// broken means the problem suggests damage, so that the part is
	// better kept undecoded, rather than a sloppy encoder whose intent is
	// clear (a literal '=' in quoted-printable, a stray final base64
	// character that carries no byte).
	broken bool
	out    int64 // decoded bytes before it
	raw    int64 // raw bytes before it
}

// describeIssues joins the issues found before decoded offset limit.
func describeIssues(is []decodeIssue, limit int64) string {
	var p []string
	for _, i := range is {
		if i.out <= limit {
			p = append(p, i.what)
		}
	}
	return strings.Join(p, "; ")
}

// firstBroken returns the first issue that suggests damage.
func firstBroken(is []decodeIssue) (decodeIssue, bool) {
	for _, i := range is {
		if i.broken {
			return i, true
		}
	}
	return decodeIssue{}, false
}

type transferEncoding int

const (
	encIdentity transferEncoding = iota
	encQP
	encBase64
	encUnknown
)

// transferEncodingOf reads a Content-Transfer-Encoding value leniently:
// spellings seen in the wild ("quoted printable", "7-bit", a trailing
// semicolon) decode as meant, anything else is unknown and kept raw.
func transferEncodingOf(v string) transferEncoding {
	v = strings.ToLower(strings.TrimSpace(v))
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	v = strings.Trim(v, `"' `)
	switch v {
	case "", "7bit", "8bit", "binary", "7-bit", "8-bit", "7 bit", "8 bit":
		return encIdentity
	case "quoted-printable", "quoted printable", "quoted_printable", "quotedprintable":
		return encQP
	case "base64", "base-64":
		return encBase64
	}
	return encUnknown
}

func newTransferDecoder(enc transferEncoding, r io.Reader) decoder {
	switch enc {
	case encQP:
		return &qpReader{r: r, in: make([]byte, 32<<10)}
	case encBase64:
		return &base64Reader{r: r, in: make([]byte, 32<<10)}
	case encUnknown:
		return &rawReader{r: r, why: "unsupported transfer encoding"}
	}
	return &rawReader{r: r}
}

type rawReader struct {
	r   io.Reader
	why string
}

func (d *rawReader) Read(p []byte) (int, error) { return d.r.Read(p) }

func (d *rawReader) issues() []decodeIssue {
	if d.why == "" {
		return nil
	}
	return []decodeIssue{{what: d.why, broken: true}}
}

const (
	b64Invalid = 0xff
	b64Space   = 0xfe
	b64Pad     = 0xfd
)

var b64Table = func() (t [256]byte) {
	for i := range t {
		t[i] = b64Invalid
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = byte(i)
	}
	for _, c := range []byte(" \t\r\n\f\v") {
		t[c] = b64Space
	}
	t['='] = b64Pad
	return t
}()

// base64Reader decodes base64 as RFC 2045 §6.8 asks: characters outside the
// alphabet are ignored (and counted, since in practice they mean damage),
// padding ends a quantum, and data after padding starts a new one, which is
// what encoders that encode line by line produce. A missing final padding
// is not a problem: the remaining characters decode unambiguously; a
// single stray character carries no byte and is dropped.
type base64Reader struct {
	r       io.Reader
	in      []byte
	out     []byte
	outBuf  []byte
	acc     uint32
	nacc    int
	outN    int64 // decoded bytes produced before the current chunk
	rawN    int64 // raw bytes consumed before the current chunk
	invalid *decodeIssue
	stray   *decodeIssue
	err     error
}

// Read decodes one chunk of input per call at most, even when the chunk
// yields nothing (a run of line breaks): a damaged spot is then seen
// within a chunk of where it is, whatever follows it.
func (d *base64Reader) Read(p []byte) (int, error) {
	if len(d.out) == 0 {
		if d.err != nil {
			return 0, d.err
		}
		n, err := d.r.Read(d.in)
		d.out = d.decode(d.in[:n])
		if err != nil {
			d.err = err
			d.out = d.flush(d.out)
		}
		if len(d.out) == 0 {
			return 0, d.err
		}
	}
	n := copy(p, d.out)
	d.out = d.out[n:]
	return n, nil
}

func (d *base64Reader) decode(in []byte) []byte {
	if need := len(in)/4*3 + 3; cap(d.outBuf) < need {
		d.outBuf = make([]byte, 0, need)
	}
	out := d.outBuf[:0]
	acc, nacc := d.acc, d.nacc
	for i, c := range in {
		v := b64Table[c]
		switch {
		case v < 64:
			acc = acc<<6 | uint32(v)
			nacc++
			if nacc == 4 {
				out = append(out, byte(acc>>16), byte(acc>>8), byte(acc))
				acc, nacc = 0, 0
			}
		case v == b64Space:
		case v == b64Pad:
			out = d.partial(out, acc, nacc, d.outN+int64(len(out)))
			acc, nacc = 0, 0
		default:
			if d.invalid == nil {
				d.invalid = &decodeIssue{what: "base64: characters outside the alphabet ignored", broken: true,
					out: d.outN + int64(len(out)), raw: d.rawN + int64(i)}
			}
		}
	}
	d.acc, d.nacc = acc, nacc
	d.outN += int64(len(out))
	d.rawN += int64(len(in))
	return out
}

func (d *base64Reader) flush(out []byte) []byte {
	n := len(out)
	out = d.partial(out, d.acc, d.nacc, d.outN)
	d.outN += int64(len(out) - n)
	d.acc, d.nacc = 0, 0
	return out
}

// partial decodes an incomplete quantum at padding or at the end.
func (d *base64Reader) partial(out []byte, acc uint32, nacc int, at int64) []byte {
	switch nacc {
	case 1:
		if d.stray == nil {
			d.stray = &decodeIssue{what: "base64: stray character ignored", out: at, raw: d.rawN}
		}
	case 2:
		out = append(out, byte(acc>>4))
	case 3:
		out = append(out, byte(acc>>10), byte(acc>>2))
	}
	return out
}

func (d *base64Reader) issues() []decodeIssue {
	var is []decodeIssue
	for _, i := range []*decodeIssue{d.invalid, d.stray} {
		if i != nil {
			is = append(is, *i)
		}
	}
	return is
}

// qpReader decodes quoted-printable as a byte-level state machine, so line
// length does not matter. Soft line breaks (also with whitespace after the
// '='), lower-case hex and trailing whitespace are handled as RFC 2045
// says; an '=' that starts no valid escape is kept literally, as RFC 2045
// §6.7 recommends (and Go's reader does), and counted.
type qpReader struct {
	r       io.Reader
	in      []byte
	out     []byte
	outBuf  []byte
	state   int
	hex1    byte
	ws      []byte // held whitespace: trailing whitespace is dropped at line end
	cr      bool   // held '\r' waiting for '\n'
	outN    int64
	literal *decodeIssue
	err     error
}

const (
	qpText     = iota
	qpEq       // after '='
	qpEqHex    // after '=' and one hex digit
	qpEqSpace  // after '=' and whitespace
	qpEqCR     // after '=' (and whitespace) and '\r'
	maxHeldQPW = 4 << 10
)

func (d *qpReader) Read(p []byte) (int, error) {
	for len(d.out) == 0 {
		if d.err != nil {
			return 0, d.err
		}
		n, err := d.r.Read(d.in)
		d.out = d.decode(d.in[:n])
		if err != nil {
			d.err = err
			d.out = d.finish(d.out)
		}
		d.outN += int64(len(d.out))
	}
	n := copy(p, d.out)
	d.out = d.out[n:]
	return n, nil
}

// literalEq notes an '=' that starts no escape, out bytes into the chunk.
func (d *qpReader) literalEq(out int) {
	if d.literal == nil {
		d.literal = &decodeIssue{what: "quoted-printable: '=' starting no escape kept literally", out: d.outN + int64(out)}
	}
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func (d *qpReader) decode(in []byte) []byte {
	if need := len(in) + maxHeldQPW + 8; cap(d.outBuf) < need {
		d.outBuf = make([]byte, 0, need)
	}
	out := d.outBuf[:0]
	for i := 0; i < len(in); i++ {
		c := in[i]
		switch d.state {
		case qpText:
			if d.cr {
				d.cr = false
				if c == '\n' {
					d.ws = d.ws[:0]
					out = append(out, '\r', '\n')
					continue
				}
				out = append(out, d.ws...)
				d.ws = d.ws[:0]
				out = append(out, '\r')
			}
			switch c {
			case ' ', '\t':
				if len(d.ws) >= maxHeldQPW {
					out = append(out, d.ws...)
					d.ws = d.ws[:0]
				}
				d.ws = append(d.ws, c)
			case '\r':
				d.cr = true
			case '\n':
				d.ws = d.ws[:0]
				out = append(out, '\n')
			case '=':
				out = append(out, d.ws...)
				d.ws = d.ws[:0]
				d.state = qpEq
			default:
				out = append(out, d.ws...)
				d.ws = d.ws[:0]
				out = append(out, c)
			}
		case qpEq:
			switch {
			case c == '\n':
				d.state = qpText
			case c == '\r':
				d.state = qpEqCR
			case c == ' ' || c == '\t':
				d.ws = append(d.ws[:0], c)
				d.state = qpEqSpace
			default:
				if _, ok := unhex(c); ok {
					d.hex1, d.state = c, qpEqHex
					continue
				}
				d.literalEq(len(out))
				out = append(out, '=')
				d.state = qpText
				i-- // c starts text again
			}
		case qpEqHex:
			hi, _ := unhex(d.hex1)
			if lo, ok := unhex(c); ok {
				out = append(out, hi<<4|lo)
				d.state = qpText
				continue
			}
			d.literalEq(len(out))
			out = append(out, '=', d.hex1)
			d.state = qpText
			i--
		case qpEqSpace:
			switch c {
			case ' ', '\t':
				if len(d.ws) < maxHeldQPW {
					d.ws = append(d.ws, c)
				}
			case '\n':
				d.ws = d.ws[:0]
				d.state = qpText
			case '\r':
				d.ws = d.ws[:0]
				d.state = qpEqCR
			default:
				d.literalEq(len(out))
				out = append(out, '=')
				out = append(out, d.ws...)
				d.ws = d.ws[:0]
				d.state = qpText
				i--
			}
		case qpEqCR:
			d.state = qpText
			if c != '\n' {
				i-- // a soft break ended by a lone CR: old Mac line ends
			}
		}
	}
	return out
}

func (d *qpReader) finish(out []byte) []byte {
	switch d.state {
	case qpText:
		if d.cr {
			out = append(out, d.ws...)
			out = append(out, '\r')
		}
		// Trailing whitespace on the last line is dropped like on any other.
	case qpEqHex:
		d.literalEq(len(out))
		out = append(out, '=', d.hex1)
	}
	// A final '=' is a soft break at the end of the data, as encoders
	// that always end with one produce; it is dropped.
	d.ws, d.cr, d.state = d.ws[:0], false, qpText
	return out
}

func (d *qpReader) issues() []decodeIssue {
	if d.literal == nil {
		return nil
	}
	return []decodeIssue{*d.literal}
}

// normalizeCharset cleans a declared charset: lower case, no quotes, and
// without the "charset=" some mailers repeat inside the value.
func normalizeCharset(cs string) string {
	cs = strings.ToLower(strings.TrimSpace(cs))
	cs = strings.TrimPrefix(cs, "charset=")
	return strings.Trim(cs, `"' `)
}

// isUTF8Compatible reports whether text in cs needs no conversion beyond
// making it valid UTF-8.
func isUTF8Compatible(cs string) bool {
	switch cs {
	case "", "utf-8", "utf8", "us-ascii", "ascii", "unicode-1-1-utf-8", "x-unknown", "unknown-8bit", "default":
		return true
	}
	return false
}

// charsetDecoder returns a reader converting cs to UTF-8, or ok false if
// the charset is unknown. Text declared as UTF-8 or ASCII (or not declared)
// goes through utf8OrLatin1, because in practice such text is often really
// Latin-1 or Windows-1252.
func charsetDecoder(cs string, r io.Reader) (io.Reader, bool) {
	if isUTF8Compatible(cs) {
		return transform.NewReader(r, utf8OrLatin1{}), true
	}
	cr, err := charsetReader(cs, r)
	if err != nil || cr == nil {
		return r, false
	}
	return cr, true
}

// utf8OrLatin1 passes valid UTF-8 through and reads every byte that is not
// part of a valid UTF-8 sequence as Windows-1252 (a superset of the
// printable Latin-1 range), so that mislabeled 8-bit text becomes readable
// UTF-8 instead of replacement characters.
type utf8OrLatin1 struct{}

func (utf8OrLatin1) Reset() {}

func (utf8OrLatin1) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		c := src[nSrc]
		if c < utf8.RuneSelf {
			if nDst >= len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = c
			nDst++
			nSrc++
			continue
		}
		r, size := utf8.DecodeRune(src[nSrc:])
		if r == utf8.RuneError && size <= 1 {
			if !atEOF && !utf8.FullRune(src[nSrc:]) {
				return nDst, nSrc, transform.ErrShortSrc
			}
			r = charmap.Windows1252.DecodeByte(c)
			if nDst+utf8.RuneLen(r) > len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			nDst += utf8.EncodeRune(dst[nDst:], r)
			nSrc++
			continue
		}
		if nDst+size > len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		copy(dst[nDst:], src[nSrc:nSrc+size])
		nDst += size
		nSrc += size
	}
	return nDst, nSrc, nil
}

// utf8OrLatin1String is utf8OrLatin1 for a string held in memory.
func utf8OrLatin1String(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	out, _, err := transform.String(utf8OrLatin1{}, s)
	if err != nil {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	return out
}
