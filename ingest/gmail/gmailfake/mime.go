package gmailfake

import (
	"bytes"
	"encoding/base64"
	"html"
	"io"
	"mime"
	"mime/quotedprintable"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The fake parses messages itself, tolerantly, because test corpora are
// full of broken mail and Gmail files it anyway: a parse problem must
// never make AddMessage fail.

type field struct{ name, value string }

// splitHeader splits raw into its header fields, in order and unfolded,
// and the body. A line that is neither a field nor a continuation ends
// the header, as Gmail does with mail missing the blank line.
func splitHeader(raw []byte) ([]field, []byte) {
	fields, body := splitFolded(raw)
	for i := range fields {
		fields[i].value = strings.TrimSpace(fields[i].value)
	}
	return fields, body
}

func splitFolded(raw []byte) ([]field, []byte) {
	var fields []field
	rest := raw
	for len(rest) > 0 {
		line, next, _ := bytes.Cut(rest, []byte("\n"))
		trimmed := bytes.TrimRight(line, "\r")
		if len(trimmed) == 0 {
			return fields, next
		}
		if trimmed[0] == ' ' || trimmed[0] == '\t' {
			if len(fields) > 0 {
				fields[len(fields)-1].value += string(trimmed)
				rest = next
				continue
			}
			return fields, rest
		}
		name, value, ok := bytes.Cut(trimmed, []byte(":"))
		if !ok || len(bytes.TrimSpace(name)) == 0 || bytes.ContainsAny(name, " \t") {
			return fields, rest
		}
		fields = append(fields, field{name: string(name), value: string(value)})
		rest = next
	}
	return fields, nil
}

func headerValue(fs []field, name string) string {
	for _, f := range fs {
		if strings.EqualFold(f.name, name) {
			return f.value
		}
	}
	return ""
}

// messageIDs returns the <...> tokens of a Message-ID, In-Reply-To or
// References value.
func messageIDs(v string) []string {
	var ids []string
	for {
		i := strings.IndexByte(v, '<')
		if i < 0 {
			return ids
		}
		v = v[i:]
		j := strings.IndexAny(v[1:], "<> \t")
		if j < 0 {
			return ids
		}
		if v[1+j] == '>' && j > 0 {
			ids = append(ids, v[:j+2])
		}
		v = v[1+j:]
	}
}

// part is one node of a message's MIME tree, numbered as Gmail numbers
// partId: "" for the top, "0", "1" for its children, "0.1" below.
type part struct {
	id       string
	mimeType string
	filename string
	headers  []field
	body     []byte // decoded; leaves only
	parts    []*part
}

const maxDepth = 20

func parseMessage(raw []byte) *part { return parsePart(raw, "", 0) }

func parsePart(raw []byte, id string, depth int) *part {
	fs, body := splitHeader(raw)
	p := &part{id: id, headers: fs, mimeType: "text/plain"}
	params := map[string]string{}
	if ct := headerValue(fs, "Content-Type"); ct != "" {
		if mt, ps, err := mime.ParseMediaType(ct); err == nil {
			p.mimeType, params = mt, ps
		} else if mt, _, _ := strings.Cut(ct, ";"); strings.Contains(mt, "/") {
			p.mimeType = strings.ToLower(strings.TrimSpace(mt))
		}
	}
	if strings.HasPrefix(p.mimeType, "multipart/") && params["boundary"] != "" && depth < maxDepth {
		for i, sub := range splitMultipart(body, params["boundary"]) {
			cid := strconv.Itoa(i)
			if id != "" {
				cid = id + "." + cid
			}
			p.parts = append(p.parts, parsePart(sub, cid, depth+1))
		}
		return p
	}
	if cd := headerValue(fs, "Content-Disposition"); cd != "" {
		if _, ps, err := mime.ParseMediaType(cd); err == nil {
			p.filename = ps["filename"]
		}
	}
	if p.filename == "" {
		p.filename = params["name"]
	}
	p.body = decodeTransfer(headerValue(fs, "Content-Transfer-Encoding"), body)
	return p
}

func splitMultipart(body []byte, boundary string) [][]byte {
	delim := []byte("--" + boundary)
	closing := []byte("--" + boundary + "--")
	var parts [][]byte
	start := -1
	for off := 0; off < len(body); {
		end := len(body)
		if i := bytes.IndexByte(body[off:], '\n'); i >= 0 {
			end = off + i + 1
		}
		line := bytes.TrimRight(body[off:end], " \t\r\n")
		isClose := bytes.Equal(line, closing)
		if isClose || bytes.Equal(line, delim) {
			if start >= 0 {
				parts = append(parts, trimLastNewline(body[start:off]))
			}
			if isClose {
				return parts
			}
			start = end
		}
		off = end
	}
	if start >= 0 && start < len(body) {
		parts = append(parts, body[start:])
	}
	return parts
}

// trimLastNewline drops the line break that belongs to the delimiter after
// a body part.
func trimLastNewline(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

func decodeTransfer(cte string, body []byte) []byte {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		clean := bytes.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, body)
		clean = bytes.TrimRight(clean, "=")
		out := make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
		n, err := base64.RawStdEncoding.Decode(out, clean)
		if err != nil {
			return body
		}
		return out[:n]
	case "quoted-printable":
		out, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		if err != nil && len(out) == 0 {
			return body
		}
		return out
	}
	return body
}

func (p *part) walk(fn func(*part) bool) bool {
	if !fn(p) {
		return false
	}
	for _, c := range p.parts {
		if !c.walk(fn) {
			return false
		}
	}
	return true
}

func (p *part) find(id string) *part {
	var found *part
	p.walk(func(q *part) bool {
		if q.id == id {
			found = q
			return false
		}
		return true
	})
	return found
}

// stripTags turns HTML into its text, roughly: enough for a snippet.
func stripTags(h string) string {
	var b strings.Builder
	for len(h) > 0 {
		i := strings.IndexByte(h, '<')
		if i < 0 {
			b.WriteString(h)
			break
		}
		b.WriteString(h[:i])
		b.WriteByte(' ')
		h = h[i:]
		lower := strings.ToLower(h)
		for _, skip := range []string{"script", "style"} {
			if strings.HasPrefix(lower, "<"+skip) {
				if k := strings.Index(lower, "</"+skip); k >= 0 {
					h, lower = h[k:], lower[k:]
				}
			}
		}
		j := strings.IndexByte(h, '>')
		if j < 0 {
			break
		}
		h = h[j+1:]
	}
	return b.String()
}

const snippetRunes = 200

// snippet is the start of the first text part, whitespace collapsed and
// HTML-escaped: Gmail sends "It&#39;s", and consumers must unescape.
func snippet(p *part) string {
	var plain, htm []byte
	p.walk(func(q *part) bool {
		if q.filename != "" || q.parts != nil {
			return true
		}
		switch q.mimeType {
		case "text/plain":
			if plain == nil {
				plain = q.body
			}
		case "text/html":
			if htm == nil {
				htm = q.body
			}
		}
		return plain == nil
	})
	text := string(plain)
	if plain == nil && htm != nil {
		text = html.UnescapeString(stripTags(string(htm)))
	}
	text = strings.Join(strings.Fields(strings.ToValidUTF8(text, "\uFFFD")), " ")
	if utf8.RuneCountInString(text) > snippetRunes {
		text = string([]rune(text)[:snippetRunes])
	}
	return html.EscapeString(text)
}
