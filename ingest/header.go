package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"mime"
	"net/mail"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
	"golang.org/x/net/idna"
)

// readHeaderLeniently reads a header block that go-message rejected, line
// by line: continuation lines join the field before them, lines that are
// not "Name: value" are skipped, and the block ends at the first empty
// line or at the end of input. Errors of r end the block; the caller looks
// at its source to tell a failure from the end.
func readHeaderLeniently(r *bufio.Reader) textproto.Header {
	type field struct{ k, v string }
	var fields []field
	var cur []byte
	inField := false
	flush := func() {
		if !inField {
			return
		}
		inField = false
		i := bytes.IndexByte(cur, ':')
		k := strings.TrimSpace(string(cur[:i]))
		if !validFieldName(k) {
			return
		}
		fields = append(fields, field{k, unfold(cur[i+1:])})
	}
	for {
		line, err := readLine(r)
		if len(line) == 0 && err != nil {
			break
		}
		trimmed := bytes.TrimRight(line, "\r\n")
		if len(trimmed) == 0 && (len(line) > 0 || err == nil) {
			break // the empty line that ends the header
		}
		switch {
		case trimmed[0] == ' ' || trimmed[0] == '\t':
			if inField {
				cur = append(cur, '\n')
				cur = append(cur, trimmed...)
			}
		case bytes.IndexByte(trimmed, ':') > 0:
			flush()
			cur = append(cur[:0], trimmed...)
			inField = true
		default:
			flush() // not a header line; skipped
		}
		if err != nil {
			break
		}
	}
	flush()
	var h textproto.Header
	// textproto.Header.Get returns the field added last (Add prepends, as
	// ReadHeader builds it backwards), so fields go in in reverse.
	for i := len(fields) - 1; i >= 0; i-- {
		h.Add(fields[i].k, fields[i].v)
	}
	return h
}

// readLine reads one line of any length, the line ending included.
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		frag, err := r.ReadSlice('\n')
		line = append(line, frag...)
		if err != bufio.ErrBufferFull {
			return line, err
		}
	}
}

func validFieldName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; c < 33 || c > 126 || c == ':' {
			return false
		}
	}
	return true
}

// unfold joins continuation lines the way go-message does: line breaks
// and the whitespace around them become one space.
func unfold(v []byte) string {
	var b strings.Builder
	for _, l := range bytes.Split(v, []byte("\n")) {
		l = bytes.Trim(bytes.TrimRight(l, "\r"), " \t")
		if len(l) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.Write(l)
	}
	return b.String()
}

// describeHeaderError names what go-message rejected without quoting the
// offending line, which is input.
func describeHeaderError(err error) string {
	msg := err.Error()
	for _, known := range []string{
		"malformed MIME header initial line",
		"malformed MIME header line",
		"malformed MIME header key",
	} {
		if strings.Contains(msg, known) {
			return known
		}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of input"
	}
	return "unreadable header"
}

// fillHeader copies the header fields used for matching into m.
func fillHeader(m *Message, h textproto.Header) {
	if v := h.Get("Message-Id"); v != "" {
		m.MessageID = messageID(v)
	}
	if v := h.Get("In-Reply-To"); v != "" {
		if ids := messageIDs(v); len(ids) > 0 {
			m.InReplyTo = ids[0]
		}
	}
	if v := h.Get("References"); v != "" {
		m.References = messageIDs(v)
	}
	m.From = addressesOf(h, "From")
	m.Sender = addressesOf(h, "Sender")
	m.ReplyTo = addressesOf(h, "Reply-To")
	m.To = addressesOf(h, "To")
	m.Cc = addressesOf(h, "Cc")
	m.Bcc = addressesOf(h, "Bcc")
	m.DeliveredTo = addressesOf(h, "Delivered-To")
	m.Subject = decodeText(h.Get("Subject"))
	if v := h.Get("Date"); v != "" {
		m.DateHeader = cleanText(utf8OrLatin1String(v))
		m.Date = parseDate(v)
	}
	if h.Has("X-Gmail-Labels") {
		m.GmailLabels = ParseGmailLabels(h.Get("X-Gmail-Labels"))
	}
	m.GmailThreadID = cleanText(utf8OrLatin1String(h.Get("X-Gm-Thrid")))
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

var encodedWord = regexp.MustCompile(`=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=`)

// decodeText decodes an unstructured header value: RFC 2047 encoded words
// in any charset go-message knows, raw 8-bit bytes as UTF-8 or, where they
// are not UTF-8, Windows-1252. Control characters (CR and LF from an
// encoded word included) become spaces, so a value can never start a new
// header or log line wherever it is shown.
func decodeText(v string) string {
	if v == "" {
		return ""
	}
	s := utf8OrLatin1String(v)
	if strings.Contains(s, "=?") {
		if d, err := wordDecoder.DecodeHeader(s); err == nil {
			s = d
		} else {
			// One bad word (an unknown charset, bad base64) must not
			// keep the others encoded.
			s = encodedWord.ReplaceAllStringFunc(s, func(w string) string {
				if d, err := wordDecoder.Decode(w); err == nil {
					return d
				}
				return w
			})
		}
	}
	return cleanText(utf8OrLatin1String(s))
}

// cleanText replaces control characters and line or paragraph separators
// with spaces and trims the result.
func cleanText(s string) string {
	if strings.IndexFunc(s, isControl) < 0 {
		return strings.TrimSpace(s)
	}
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if isControl(r) {
			return ' '
		}
		return r
	}, s))
}

func isControl(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}

var msgIDToken = regexp.MustCompile(`<[^<>]*>`)

// messageID returns the identifier without angle brackets, leniently when
// go-message's parser refuses it.
func messageID(v string) string {
	h := gomail.Header{}
	h.Set("Message-Id", v)
	if id, err := h.MessageID(); err == nil && id != "" {
		return cleanText(utf8OrLatin1String(id))
	}
	ids := messageIDs(v)
	if len(ids) > 0 {
		return ids[0]
	}
	return ""
}

// messageIDs returns the identifiers of In-Reply-To or References. Where
// go-message's parser refuses the list, every <...> token counts; without
// any, whitespace separates.
func messageIDs(v string) []string {
	h := gomail.Header{}
	h.Set("References", v)
	if ids, err := h.MsgIDList("References"); err == nil && len(ids) > 0 {
		for i := range ids {
			ids[i] = cleanText(utf8OrLatin1String(ids[i]))
		}
		return ids
	}
	var out []string
	toks := msgIDToken.FindAllString(v, -1)
	if len(toks) == 0 {
		toks = strings.Fields(v)
	}
	for _, t := range toks {
		t = cleanText(utf8OrLatin1String(strings.Trim(t, "<> \t")))
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

var addressParser = &mail.AddressParser{WordDecoder: wordDecoder}

// addressesOf parses every field named key (broken mail repeats To or Cc),
// with go-message's address parser and, where it refuses, a lenient split.
func addressesOf(h textproto.Header, key string) []Address {
	var out []Address
	for _, v := range h.Values(key) {
		out = append(out, parseAddressList(v)...)
	}
	return out
}

func parseAddressList(v string) []Address {
	v = utf8OrLatin1String(v)
	if strings.TrimSpace(v) == "" {
		return nil
	}
	if list, err := gomail.ParseAddressList(v); err == nil {
		var out []Address
		for _, a := range list {
			out = append(out, normalizeAddress(a.Name, a.Address))
		}
		return out
	}
	var out []Address
	for _, item := range splitAddressList(v) {
		if a, err := addressParser.Parse(item); err == nil {
			out = append(out, normalizeAddress(a.Name, a.Address))
			continue
		}
		if a, ok := guessAddress(item); ok {
			out = append(out, a)
		}
	}
	return out
}

// splitAddressList splits at commas outside quotes, comments and angle
// brackets.
func splitAddressList(v string) []string {
	var out []string
	var quoted, escaped bool
	depth, angle, start := 0, 0, 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case escaped:
			escaped = false
		case c == '\\':
			escaped = true
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case c == '<':
			angle++
		case c == '>' && angle > 0:
			angle--
		case (c == ',' || c == ';') && depth == 0 && angle == 0:
			out = append(out, v[start:i])
			start = i + 1
		}
	}
	return append(out, v[start:])
}

// guessAddress takes an address in angle brackets, or else the word with
// an '@', and calls the rest the name.
func guessAddress(item string) (Address, bool) {
	item = strings.TrimSpace(item)
	if item == "" {
		return Address{}, false
	}
	if i := strings.LastIndexByte(item, '<'); i >= 0 {
		if j := strings.IndexByte(item[i:], '>'); j > 0 {
			addr := strings.TrimSpace(item[i+1 : i+j])
			name := strings.TrimSpace(item[:i] + " " + item[i+j+1:])
			return normalizeAddress(guessName(name), addr), true
		}
	}
	for _, w := range strings.Fields(item) {
		if strings.Contains(w, "@") {
			addr := strings.Trim(w, "<>()\"',;")
			name := strings.TrimSpace(strings.Replace(item, w, "", 1))
			return normalizeAddress(guessName(name), addr), true
		}
	}
	return Address{Name: guessName(item)}, true
}

func guessName(s string) string {
	s = strings.TrimSpace(s)
	s = strings.Trim(s, `"'`)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "("), ")")
	return decodeText(s)
}

// idnaDisplay turns A-labels into Unicode only where the result is a
// valid label: idna.ToUnicode decodes any Punycode, so "xn--aa" became two
// C1 controls and "xn--ab-g4t" carried a right-to-left override into the
// shown address. A label that fails stays in its ASCII form. Labels that
// are not A-labels are left unmapped and unchecked, as before (mail has
// underscores and worse in domains).
var idnaDisplay = idna.New(idna.ValidateLabels(true), idna.BidiRule(), idna.CheckHyphens(false))

// normalizeAddress lower-cases the domain and turns IDN labels into
// Unicode, so that matching compares like with like; the local part is
// left as it is (it may be case-sensitive).
func normalizeAddress(name, addr string) Address {
	// The parsers decode encoded words to whatever bytes they carry, and
	// a word that claims UTF-8 may hold Latin-1, so the result is made
	// valid UTF-8 the way decodeText makes it.
	name, addr = utf8OrLatin1String(name), utf8OrLatin1String(addr)
	addr = cleanText(addr)
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		domain := strings.ToLower(addr[i+1:])
		if u, err := idnaDisplay.ToUnicode(domain); err == nil {
			domain = strings.ToLower(u)
		}
		addr = addr[:i+1] + domain
	}
	return Address{Name: cleanText(name), Addr: addr}
}

// ParseGmailLabels parses the value of an X-Gmail-Labels header (Google
// Takeout): labels are comma-separated, Google quotes those containing a
// comma with double quotes, and non-ASCII labels come RFC 2047 encoded.
// Empty labels are dropped; order is kept.
func ParseGmailLabels(v string) []string {
	var out []string
	var cur strings.Builder
	quoted, escaped := false, false
	v = utf8OrLatin1String(v)
	emit := func() {
		if l := decodeText(strings.TrimSpace(cur.String())); l != "" {
			out = append(out, l)
		}
		cur.Reset()
	}
	for _, r := range v {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case quoted && r == '\\':
			escaped = true
		case r == '"':
			quoted = !quoted
		case r == ',' && !quoted:
			emit()
		case r == '\r' || r == '\n':
			// a folded header handed over unfolded
		default:
			cur.WriteRune(r)
		}
	}
	emit()
	return out
}

var (
	dateComment = regexp.MustCompile(`\([^()]*\)`)
	dateGMTZone = regexp.MustCompile(`(?i)\b(?:GMT|UTC|UT)\s*([+-]\d{2}):?(\d{2})\b`)
	dateColonTZ = regexp.MustCompile(`([+-]\d{2}):(\d{2})$`)
	dateWeekday = regexp.MustCompile(`(?i)^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+`)
)

var dateLayouts = []string{
	"2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04 -0700",
	"2 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04 MST",
	"2 Jan 2006 15:04:05 -0700 MST",
	"2 Jan 2006 15:04:05",
	"2 Jan 06 15:04:05 -0700",
	"2 Jan 06 15:04 -0700",
	"2 Jan 06 15:04:05 MST",
	"2 Jan 06 15:04:05",
	"2-Jan-2006 15:04:05 -0700",
	"2-Jan-06 15:04:05 -0700",
	"Jan 2 2006 15:04:05 -0700",
	"Jan 2 2006 15:04:05 MST",
	"Jan 2 15:04:05 2006",
	"Jan 2 15:04:05 MST 2006",
	"Jan 2 15:04:05 -0700 2006",
	"Jan 2, 2006 15:04:05 -0700",
	"Jan 2, 2006 3:04:05 PM -0700",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05Z0700",
	"2006-01-02 15:04:05",
	"2006/01/02 15:04:05 -0700",
	"2006/01/02 15:04:05",
	"02.01.2006 15:04:05 -0700",
}

// parseDate parses an RFC 5322 date, then common broken forms. The result
// is in UTC (the Date header keeps the sender's offset); zero when nothing
// fits or the year is outside what JSON and the manifest can carry.
func parseDate(v string) time.Time {
	t, err := mail.ParseDate(v)
	if err != nil {
		t = parseBrokenDate(v)
	}
	if t.IsZero() {
		return time.Time{}
	}
	t = t.UTC()
	if y := t.Year(); y < 1 || y > 9999 {
		return time.Time{}
	}
	return t
}

func parseBrokenDate(v string) time.Time {
	s := strings.Join(strings.Fields(dateComment.ReplaceAllString(v, " ")), " ")
	s = dateWeekday.ReplaceAllString(s, "")
	s = dateGMTZone.ReplaceAllString(s, "$1$2")
	s = dateColonTZ.ReplaceAllString(s, "$1$2")
	s = strings.TrimSuffix(strings.TrimSpace(s), ",")
	if s == "" || len(s) > 100 {
		return time.Time{}
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// mediaType is a parsed Content-Type or Content-Disposition value.
type mediaType struct {
	value  string // lower-case
	params map[string]string
}

// parseMediaType parses a header value with parameters: with the standard
// library first, then leniently where it gives up (duplicate or malformed
// parameters, an RFC 2231 charset it does not know), so that a boundary or
// a filename is not lost to one stray semicolon.
func parseMediaType(v string) mediaType {
	v = strings.TrimSpace(v)
	if v == "" {
		return mediaType{}
	}
	value, params, err := mime.ParseMediaType(v)
	lenient := parseParamsLeniently(v)
	if err != nil {
		if value == "" {
			value = lenient.value
		}
		params = lenient.params
	} else {
		for k, pv := range lenient.params {
			if _, ok := params[k]; !ok {
				params[k] = pv
			}
		}
	}
	return mediaType{value: strings.ToLower(value), params: params}
}

func parseParamsLeniently(v string) mediaType {
	segs := splitParams(v)
	// A missing ';' ("multipart/mixed boundary=x", often as a folded
	// second line) would lose the boundary and with it every part.
	if v0 := strings.TrimSpace(segs[0]); strings.Contains(v0, "=") {
		if i := strings.IndexAny(v0, " \t\r\n"); i > 0 {
			segs = append([]string{v0[:i], v0[i:]}, segs[1:]...)
		}
	}
	mt := mediaType{value: strings.ToLower(strings.TrimSpace(segs[0])), params: map[string]string{}}
	type piece struct {
		n       int
		encoded bool
		val     string
	}
	ext := map[string][]piece{}
	for _, seg := range segs[1:] {
		k, val, ok := strings.Cut(seg, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = unquote(strings.TrimSpace(val))
		if k == "" {
			continue
		}
		if i := strings.IndexByte(k, '*'); i > 0 {
			// RFC 2231: name*=charset'lang'%xx, name*0=..., name*1*=...
			base, rest := k[:i], k[i+1:]
			p := piece{encoded: strings.HasSuffix(rest, "*") || rest == ""}
			rest = strings.TrimSuffix(rest, "*")
			if rest != "" {
				n, err := strconv.Atoi(rest)
				if err != nil || n < 0 || n > 999 {
					continue
				}
				p.n = n
			}
			p.val = val
			ext[base] = append(ext[base], p)
			continue
		}
		if _, dup := mt.params[k]; !dup {
			mt.params[k] = val
		}
	}
	for base, pieces := range ext {
		sort.SliceStable(pieces, func(i, j int) bool { return pieces[i].n < pieces[j].n })
		var raw []byte
		cs := ""
		for i, p := range pieces {
			val := p.val
			if p.encoded {
				if i == 0 {
					if parts := strings.SplitN(val, "'", 3); len(parts) == 3 {
						cs, val = normalizeCharset(parts[0]), parts[2]
					}
				}
				if u, err := url.PathUnescape(val); err == nil {
					val = u
				}
			}
			raw = append(raw, val...)
		}
		s := string(raw)
		if !isUTF8Compatible(cs) {
			if r, err := charsetReader(cs, strings.NewReader(s)); err == nil && r != nil {
				if b, err := io.ReadAll(io.LimitReader(r, 1<<20)); err == nil {
					s = string(b)
				}
			}
		}
		mt.params[base] = utf8OrLatin1String(s)
	}
	return mt
}

// splitParams splits at semicolons outside quoted strings; an unterminated
// quote runs to the end.
func splitParams(v string) []string {
	var out []string
	quoted, escaped, start := false, false, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case escaped:
			escaped = false
		case quoted && c == '\\':
			escaped = true
		case c == '"':
			quoted = !quoted
		case c == ';' && !quoted:
			out = append(out, v[start:i])
			start = i + 1
		}
	}
	return append(out, v[start:])
}

func unquote(s string) string {
	if len(s) == 0 || s[0] != '"' {
		return s
	}
	s = s[1:]
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			i++
			b.WriteByte(s[i])
			continue
		}
		if c == '"' {
			break
		}
		b.WriteByte(c)
	}
	return b.String()
}

// contentID returns a Content-ID without angle brackets, or "".
func contentID(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i:], '>'); j > 0 {
			v = v[i+1 : i+j]
		}
	}
	v = cleanText(utf8OrLatin1String(strings.Trim(v, "<> \t")))
	if len(v) > 998 {
		return ""
	}
	return v
}

// cutUTF8 returns at most n bytes of s, cut at a rune boundary.
func cutUTF8(s string, n int64) string {
	if int64(len(s)) <= n {
		return s
	}
	i := int(n)
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}
