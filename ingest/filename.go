package ingest

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxFilenameBytes caps a sanitized filename.
const MaxFilenameBytes = 255

// SanitizeFilename makes an attachment name safe to show and to offer as a
// download name: the base name only (everything up to the last '/' or '\'
// goes, so "../../x.pdf" and "C:\x\y" lose their paths), without control
// characters, line separators or bidi controls (which would let
// "invoice\u202Efdp.exe" pose as a PDF), NFC-normalized, at most 255 bytes
// with the extension kept, and "attachment-<n>" when nothing is left.
//
// A sanitized name is still input: it never becomes part of an object key
// or a log line.
func SanitizeFilename(name string, n int) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	name = strings.Map(func(r rune) rune {
		if isControl(r) || isBidiControl(r) || r == '\uFEFF' {
			return -1
		}
		return r
	}, name)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = norm.NFC.String(strings.TrimSpace(name))
	if name == "." || name == ".." {
		name = ""
	}
	name = capFilename(name, MaxFilenameBytes)
	if name == "" {
		return "attachment-" + strconv.Itoa(n)
	}
	return name
}

func isBidiControl(r rune) bool {
	switch {
	case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
		return true
	case r == '\u200E', r == '\u200F', r == '\u061C':
		return true
	}
	return false
}

// capFilename shortens name to max bytes at a rune boundary, keeping a
// short extension.
func capFilename(name string, max int) string {
	if len(name) <= max {
		return name
	}
	ext := ""
	if i := strings.LastIndexByte(name, '.'); i > 0 && len(name)-i <= 32 {
		ext = name[i:]
	}
	stem := name[:len(name)-len(ext)]
	keep := max - len(ext)
	for keep > 0 && !utf8.RuneStart(stem[keep]) {
		keep--
	}
	return strings.TrimSpace(stem[:keep]) + ext
}
