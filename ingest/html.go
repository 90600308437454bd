package ingest

import (
	"bytes"
	"io"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
)

// maxHTMLBytes caps the HTML body held in memory for the sanitizer, which
// needs the whole document. A larger HTML body is stored unsanitized as an
// attachment (downloads are served as application/octet-stream with
// nosniff, so it is never rendered).
const maxHTMLBytes = 16 << 20

// ugcPolicy is security.md "HTML view": bluemonday's UGC policy with
// rel="noreferrer" on links. cid: URLs pass it so that rewriteURLs can
// resolve them against this message's parts afterwards.
var ugcPolicy = sync.OnceValue(func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoReferrerOnLinks(true)
	p.AllowURLSchemeWithCustomPolicy("cid", func(*url.URL) bool { return true })
	return p
})

var stripPolicy = sync.OnceValue(func() *bluemonday.Policy {
	return bluemonday.StrictPolicy().AddSpaceWhenStrippingTag(true)
})

// sanitizeHTML returns doc sanitized for the HTML view, with cid: URLs
// still to be resolved by rewriteURLs.
func sanitizeHTML(doc []byte) []byte {
	return ugcPolicy().SanitizeBytes(doc)
}

// rewriteURLs resolves cid: URLs in sanitized HTML to "part:<index>" of the
// part with that Content-ID and drops every other image source. Remote and
// relative images would make the viewer's browser fetch something (a
// tracking pixel, or a path on our own origin); a cid: naming a part this
// message does not have must not reach another message's part.
func rewriteURLs(doc []byte, resolve func(cid string) (int, bool)) []byte {
	z := html.NewTokenizer(bytes.NewReader(doc))
	var out bytes.Buffer
	out.Grow(len(doc))
	var raw []byte
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break // io.EOF: the input is in memory
		}
		raw = append(raw[:0], z.Raw()...)
		if tt == html.StartTagToken || tt == html.SelfClosingTagToken {
			tok := z.Token()
			if rewriteAttrs(&tok, resolve) {
				if tok.Data == "img" && !hasAttr(tok, "src") {
					continue // the image is gone; an empty frame would only confuse
				}
				out.WriteString(tok.String())
				continue
			}
		}
		out.Write(raw)
	}
	return out.Bytes()
}

func rewriteAttrs(tok *html.Token, resolve func(string) (int, bool)) bool {
	changed := false
	attrs := tok.Attr[:0]
	for _, a := range tok.Attr {
		switch a.Key {
		case "src", "href", "cite", "srcset", "background", "poster", "action", "formaction", "data":
			v := strings.TrimSpace(a.Val)
			isCID := len(v) > 4 && strings.EqualFold(v[:4], "cid:")
			switch {
			case isCID:
				changed = true
				if i, ok := resolve(v[4:]); ok && a.Key != "cite" {
					a.Val = "part:" + strconv.Itoa(i)
				} else {
					continue
				}
			case a.Key != "href" && a.Key != "cite":
				changed = true // a resource the browser would fetch
				continue
			}
		}
		attrs = append(attrs, a)
	}
	tok.Attr = attrs
	return changed
}

func hasAttr(tok html.Token, key string) bool {
	for _, a := range tok.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// cidKey normalizes a Content-ID or the part of a cid: URL after the
// scheme (which may be %-escaped, RFC 2392) for lookup.
func cidKey(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		s = u
	}
	return strings.Trim(strings.TrimSpace(s), "<>")
}

// plainText renders HTML as plain text for matching: tags stripped
// (script and style content with them), entities decoded, whitespace
// collapsed; at most max bytes.
func plainText(doc []byte, max int64) string {
	s := html.UnescapeString(string(stripPolicy().SanitizeBytes(doc)))
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || isControl(r) {
			space = b.Len() > 0
			continue
		}
		n := utf8.RuneLen(r)
		if space {
			n++
		}
		if int64(b.Len()+n) > max {
			break
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// readCapped reads r to its end or to max+1 bytes, whichever comes first.
func readCapped(r io.Reader, max int64) ([]byte, bool, error) {
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r, max+1))
	return buf.Bytes(), n > max, err
}
