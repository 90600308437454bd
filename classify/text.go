package classify

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// fold is the form names are compared in: lower case, without diacritics,
// ß as ss, so "Müller" matches "MULLER" and "Muller". German "ue" spellings
// are a different word; a firm that uses them adds them as aliases.
func fold(word string) string {
	ascii := true
	for i := 0; i < len(word); i++ {
		if c := word[i]; c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(word)
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(word) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'ß':
			b.WriteString("ss")
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// words appends the folded words of s (runs of letters and digits) to dst.
func words(dst []string, s string) []string {
	start := -1
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			dst = append(dst, fold(s[start:i]))
			start = -1
		}
	}
	if start >= 0 {
		dst = append(dst, fold(s[start:]))
	}
	return dst
}

// numberKey is the form numbers are compared in: lower case, '/' and '.'
// read as '-'.
func numberKey(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '/', '.':
			return '-'
		}
		return unicode.ToLower(r)
	}, strings.TrimSpace(s))
}

// numberToken is a word that may be a number, and where it starts.
type numberToken struct {
	text  string
	start int
}

// numberTokens splits s into tokens of letters, digits, '-', '/' and inner
// '.', so 2024-0117 is one token that does not match inside 2024-01178 or
// X2024-0117, and a sentence's final dot is not part of it.
func numberTokens(dst []numberToken, s string) []numberToken {
	in := func(i int, r rune) bool {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '/' {
			return true
		}
		if r == '.' && i+1 < len(s) {
			next, _ := utf8.DecodeRuneInString(s[i+1:])
			return unicode.IsLetter(next) || unicode.IsDigit(next)
		}
		return false
	}
	start := -1
	for i, r := range s {
		if in(i, r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			dst = append(dst, numberToken{strings.Trim(s[start:i], "-/"), start})
			start = -1
		}
	}
	if start >= 0 {
		dst = append(dst, numberToken{strings.Trim(s[start:], "-/"), start})
	}
	return dst
}

// precedingWord is the last word before position i of s, skipping the
// fillers between a noun and its number ("Invoice no. 2024-0117").
func precedingWord(s string, i int) string {
	var ws []string
	lo := max(0, i-48)
	for lo > 0 && !utf8.RuneStart(s[lo]) {
		lo--
	}
	ws = words(ws, s[lo:i])
	for k := len(ws) - 1; k >= 0; k-- {
		switch ws[k] {
		case "no", "nr", "number", "num", "nummer", "id", "reference", "ref", "aktenzeichen", "az":
			continue
		}
		return ws[k]
	}
	return ""
}

// unquoted is the part of a plain-text body the sender wrote: lines quoted
// with '>' and everything below a reply header ("On … wrote:", "-----Original
// Message-----", "Am … schrieb …:") belong to earlier messages, whose
// numbers must not count for this one. Forwarded messages stay: forwarding
// is how a message about a matter reaches the firm.
func unquoted(body string, limit int) string {
	if len(body) > limit {
		body = body[:limit]
	}
	var b strings.Builder
	for line := range strings.Lines(body) {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, ">") {
			continue
		}
		if isReplyHeader(t) {
			break
		}
		b.WriteString(line)
	}
	return b.String()
}

func isReplyHeader(t string) bool {
	switch {
	case strings.HasPrefix(t, "-----Original Message-----"), strings.HasPrefix(t, "-----Ursprüngliche Nachricht-----"):
		return true
	case strings.HasPrefix(t, "On ") && strings.HasSuffix(t, "wrote:"):
		return true
	case strings.HasPrefix(t, "Am ") && strings.HasSuffix(t, ":") && strings.Contains(t, "schrieb"):
		return true
	}
	return false
}
