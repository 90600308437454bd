//go:build ignore

// Command gen writes matterfile's demo and test fixtures: the demo firm's
// matters and contracts (testdata/matters.csv, testdata/matters.json), three
// Google Takeout mbox exports of its lawyers' mailboxes
// (testdata/mbox/{alice,ben,chloe}.mbox), the expected outcome of every
// message (testdata/mbox/EXPECTED.csv) and testdata/README.md.
//
// Everything is built from the structs below and written deterministically:
// fixed dates, fixed identifiers, no randomness. Run it from the repository
// root and review the diff:
//
//	go run testdata/gen/main.go
//
// Every person, firm, company, court and address is invented; every domain
// is under .example.
package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"html"
	"image"
	"image/color"
	"image/png"
	"log"
	"mime"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ---------------------------------------------------------------------------
// The firm, its mailboxes and its matters and contracts.

const (
	firmDomain   = "harperlegal.example"
	matterPrefix = "Matters/"
	filingLabel  = "File to matter"
)

// mailbox is one lawyer's Gmail account; its export is <name>.mbox.
type mailbox struct {
	Name, Person, Role string
	CRLF               bool // line endings of the export
}

var mailboxes = []mailbox{
	{"alice", "Alice Harper", "partner, litigation and trade marks", true},
	{"ben", "Ben Okafor", "senior associate, real estate and commercial contracts", false},
	{"chloe", "Chloe Lindqvist", "counsel, Frankfurt desk: German employment and distribution", false},
}

func (m mailbox) addr() string { return m.Name + "@" + firmDomain }

func box(name string) mailbox {
	for _, m := range mailboxes {
		if m.Name == name {
			return m
		}
	}
	log.Fatalf("no mailbox %s", name)
	return mailbox{}
}

// target is one row of matters.csv / matters.json.
type target struct {
	ID           string   `json:"id"`
	Number       string   `json:"number"`
	Title        string   `json:"title"`
	Kind         string   `json:"kind"`
	Client       string   `json:"client"`
	ClientName   string   `json:"client_name"`
	Participants []string `json:"participants"`
	Aliases      []string `json:"aliases"`
	Labels       []string `json:"labels"`
}

const (
	lAcmeBeta   = "Matters/2024-0117 Acme v. Beta"
	lAcmeLease  = "Matters/2024-0142 Acme lease"
	lWeber      = "Matters/2024-0203 Müller, Kündigung" // a comma: Google quotes it
	lHarvest    = "Matters/2024-0288 Northwind TM"
	lCorvidMSA  = "Matters/C-2024-031 Acme MSA"
	lMuellerDst = "Matters/C-2024-047 Müller distribution"
)

var targets = []target{
	{
		ID: "m-2024-0117", Number: "2024-0117", Title: "Acme Widgets, Inc. v. Beta Logistics LLC", Kind: "matter",
		Client: "acme", ClientName: "Acme Widgets, Inc.",
		Participants: []string{"@acme.example", "m.castellano@wexfordpine.example", "ecf-notices@district-court.example"},
		Aliases:      []string{"Acme v. Beta", "Beta Logistics", "3:24-cv-00117"},
		Labels:       []string{lAcmeBeta},
	},
	{
		ID: "m-2024-0142", Number: "2024-0142", Title: "Acme – lease of the Dortmund harbour warehouse", Kind: "matter",
		Client: "acme", ClientName: "Acme Widgets, Inc.",
		Participants: []string{"@acme.example", "l.feldmann@rhein-ruhr-immobilien.example"},
		Aliases:      []string{"Dortmund warehouse", "Lagerhalle Dortmund", "Rhein-Ruhr Immobilien"},
		Labels:       []string{lAcmeLease},
	},
	{
		ID: "m-2024-0203", Number: "2024-0203", Title: "Weber ./. Müller Maschinenbau – Kündigungsschutzklage", Kind: "matter",
		Client: "mueller", ClientName: "Müller Maschinenbau GmbH",
		Participants: []string{"@mueller-maschinenbau.example", "s.brandt@brandt-arbeitsrecht.example"},
		Aliases:      []string{"Weber ./. Müller", "Kündigungsschutzklage Weber"},
		Labels:       []string{lWeber},
	},
	{
		ID: "m-2024-0288", Number: "2024-0288", Title: `Northwind – opposition to the "HARVEST MOON" trade mark application`, Kind: "matter",
		Client: "northwind", ClientName: "Northwind Foods Ltd",
		Participants: []string{"@northwindfoods.example", "no-reply@tmregistry.example"},
		Aliases:      []string{"HARVEST opposition", "Harvest Moon Provisions", "OP000584127"},
		Labels:       []string{lHarvest},
	},
	{
		ID: "c-2024-031", Number: "C-2024-031", Title: "Acme / Corvid Parts – master supply agreement", Kind: "contract",
		Client: "acme", ClientName: "Acme Widgets, Inc.",
		Participants: []string{"@acme.example", "@corvidparts.example"},
		Aliases:      []string{"Corvid MSA", "Corvid Parts"},
		Labels:       []string{lCorvidMSA},
	},
	{
		ID: "c-2024-047", Number: "C-2024-047", Title: "Müller / Alpenland – Vertriebsvertrag (distribution agreement)", Kind: "contract",
		Client: "mueller", ClientName: "Müller Maschinenbau GmbH",
		Participants: []string{"@mueller-maschinenbau.example", "@alpenland-handel.example"},
		Aliases:      []string{"Vertriebsvertrag Müller", "Alpenland Handels AG"},
		Labels:       []string{lMuellerDst},
	},
}

// ---------------------------------------------------------------------------
// The classification rule of the skeleton, written out independently of
// package classify so that EXPECTED.csv states it rather than copies it.

func isFilingLabel(l string) bool {
	return l == filingLabel || (strings.HasPrefix(l, matterPrefix) && len(l) > len(matterPrefix))
}

func targetOfLabel(l string) (string, bool) {
	for _, t := range targets {
		for _, tl := range t.Labels {
			if tl == l {
				return t.ID, true
			}
		}
	}
	rest := strings.TrimPrefix(l, matterPrefix)
	for _, t := range targets {
		n := t.Number
		if strings.EqualFold(rest, n) || (len(rest) > len(n) && strings.EqualFold(rest[:len(n)], n) && rest[len(n)] == ' ') {
			return t.ID, true
		}
	}
	return "", false
}

func tokenRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '/' }

func subjectHasNumber(s, n string) bool {
	ls, ln := strings.ToLower(s), strings.ToLower(n)
	for i := 0; ; {
		j := strings.Index(ls[i:], ln)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(ln)
		before, _ := utf8.DecodeLastRuneInString(ls[:start])
		after, _ := utf8.DecodeRuneInString(ls[end:])
		if (start == 0 || !tokenRune(before)) && (end == len(ls) || !tokenRune(after)) {
			return true
		}
		i = start + 1
	}
}

// outcome applies the rule: skipped without a filing label; unparsed for
// the malformed message; filed when a mapped matter label and the numbers
// in the subject point at exactly one target; review otherwise.
func outcome(labels []string, subject string, unparsed bool) (filing bool, expected string) {
	for _, l := range labels {
		filing = filing || isFilingLabel(l)
	}
	if !filing {
		return false, "skipped"
	}
	if unparsed {
		return true, "unparsed"
	}
	cands := map[string]bool{}
	for _, l := range labels {
		if strings.HasPrefix(l, matterPrefix) && len(l) > len(matterPrefix) {
			if id, ok := targetOfLabel(l); ok {
				cands[id] = true
			}
		}
	}
	for _, t := range targets {
		if subjectHasNumber(subject, t.Number) {
			cands[t.ID] = true
		}
	}
	if len(cands) == 1 {
		for id := range cands {
			return true, "filed:" + id
		}
	}
	return true, "review"
}

// ---------------------------------------------------------------------------
// MIME building. Everything is built with LF line endings; a mailbox
// written with CRLF converts every line at the end.

type hdr struct{ k, v string }

// part is a MIME entity: a leaf with an encoded body, or a multipart.
type part struct {
	h    []hdr   // headers (for a multipart: all but Content-Type)
	body string  // leaf: encoded body ending in "\n"
	sub  string  // multipart subtype; "" for a leaf
	kids []*part // multipart children
}

func (p *part) write(b *strings.Builder, boundary func() string) {
	if p.sub == "" {
		for _, h := range p.h {
			writeHeader(b, h)
		}
		b.WriteString("\n")
		b.WriteString(p.body)
		return
	}
	bd := boundary()
	writeHeader(b, hdr{"Content-Type", fmt.Sprintf("multipart/%s; boundary=\"%s\"", p.sub, bd)})
	for _, h := range p.h {
		writeHeader(b, h)
	}
	b.WriteString("\n")
	for _, k := range p.kids {
		b.WriteString("--" + bd + "\n")
		k.write(b, boundary)
		b.WriteString("\n") // the line break before a delimiter belongs to it
	}
	b.WriteString("--" + bd + "--\n")
}

// writeHeader writes one field, folded at spaces before 78 columns.
func writeHeader(b *strings.Builder, h hdr) {
	line := h.k + ": " + h.v
	minCut := len(h.k) + 2
	for len(line) > 78 {
		cut := strings.LastIndex(line[:77], " ")
		if cut <= minCut {
			// No space early enough (a long encoded word): fold at the
			// first space after it, if any.
			next := strings.Index(line[minCut+1:], " ")
			if next < 0 {
				break
			}
			cut = minCut + 1 + next
		}
		b.WriteString(line[:cut] + "\n")
		line = line[cut:] // the continuation starts with the space
		minCut = 1
	}
	b.WriteString(line + "\n")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// body trims the leading line break of a raw string literal and makes sure
// the text ends with exactly one line break.
func body(s string) string { return strings.TrimLeft(strings.TrimRight(s, "\n "), "\n") + "\n" }

// wrap breaks lines longer than 76 bytes at spaces, at 72; quoted lines
// are left alone.
func wrap(s string) string {
	var out []string
	for _, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if len(line) <= 76 || strings.HasPrefix(line, ">") {
			out = append(out, line)
			continue
		}
		cur := ""
		for _, w := range strings.Fields(line) {
			if cur != "" && len(cur)+1+len(w) > 72 {
				out = append(out, cur)
				cur = w
				continue
			}
			if cur != "" {
				cur += " "
			}
			cur += w
		}
		out = append(out, cur)
	}
	return strings.Join(out, "\n") + "\n"
}

func qp(s string) string {
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		log.Fatal(err)
	}
	w.Close()
	out := strings.ReplaceAll(b.String(), "\r\n", "\n")
	if !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	return out
}

func b64(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\n")
	return b.String()
}

func latin1(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			log.Fatalf("%q is not in ISO-8859-1", r)
		}
		b = append(b, byte(r))
	}
	return string(b)
}

// text is a text/plain body in UTF-8: 7bit when ASCII, else quoted-printable.
func text(s string) *part {
	s = wrap(body(s))
	if isASCII(s) {
		return &part{h: []hdr{{"Content-Type", `text/plain; charset="UTF-8"`}}, body: s}
	}
	return &part{h: []hdr{{"Content-Type", `text/plain; charset="UTF-8"`}, {"Content-Transfer-Encoding", "quoted-printable"}}, body: qp(s)}
}

// textLatin1 is a text/plain body in ISO-8859-1, quoted-printable.
func textLatin1(s string) *part {
	return &part{h: []hdr{{"Content-Type", `text/plain; charset="ISO-8859-1"`}, {"Content-Transfer-Encoding", "quoted-printable"}}, body: qp(latin1(wrap(body(s))))}
}

func htmlPart(s string) *part {
	return &part{h: []hdr{{"Content-Type", `text/html; charset="UTF-8"`}, {"Content-Transfer-Encoding", "quoted-printable"}}, body: qp(body(s))}
}

// htmlOf renders plain text as the HTML a mail client would send with it.
func htmlOf(s string) string {
	var b strings.Builder
	b.WriteString(`<div dir="ltr">`)
	for _, para := range strings.Split(strings.TrimSpace(s), "\n\n") {
		lines := strings.Split(para, "\n")
		if strings.HasPrefix(lines[0], ">") {
			for i := range lines {
				lines[i] = html.EscapeString(strings.TrimPrefix(strings.TrimPrefix(lines[i], ">"), " "))
			}
			b.WriteString(`<blockquote class="gmail_quote" style="margin:0 0 0 .8ex;border-left:1px solid #ccc;padding-left:1ex">` + strings.Join(lines, "<br>") + "</blockquote>\n")
			continue
		}
		for i := range lines {
			lines[i] = html.EscapeString(lines[i])
		}
		b.WriteString("<p>" + strings.Join(lines, "<br>\n") + "</p>\n")
	}
	b.WriteString("</div>")
	return b.String()
}

func multi(sub string, kids ...*part) *part { return &part{sub: sub, kids: kids} }
func mixed(kids ...*part) *part             { return multi("mixed", kids...) }

// alt is multipart/alternative of the text and its HTML rendering.
func alt(s string) *part { return multi("alternative", text(s), htmlPart(htmlOf(s))) }

// nameStyle says how an attachment's file name is written.
type nameStyle int

const (
	namePlain   nameStyle = iota // filename="x.pdf"
	nameRFC2231                  // filename*=UTF-8''x%C3%BC.pdf, with an RFC 2047 name= as Gmail writes it
	nameRFC2047                  // filename="=?UTF-8?B?...?=", as Outlook writes it
)

func pct2231(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func attach(ctype, name string, data []byte, style nameStyle) *part {
	var ct, cd string
	switch style {
	case namePlain:
		if !isASCII(name) {
			log.Fatalf("plain file name %q is not ASCII", name)
		}
		ct = fmt.Sprintf("%s; name=%q", ctype, name)
		cd = fmt.Sprintf("attachment; filename=%q", name)
	case nameRFC2231:
		ct = fmt.Sprintf("%s; name=\"%s\"", ctype, mime.BEncoding.Encode("UTF-8", name))
		cd = "attachment; filename*=UTF-8''" + pct2231(name)
	case nameRFC2047:
		enc := mime.BEncoding.Encode("UTF-8", name)
		ct = fmt.Sprintf("%s; name=\"%s\"", ctype, enc)
		cd = fmt.Sprintf("attachment; filename=\"%s\"", enc)
	}
	sum := sha256.Sum256(data)
	return &part{h: []hdr{
		{"Content-Type", ct},
		{"Content-Disposition", cd},
		{"Content-Transfer-Encoding", "base64"},
		{"X-Attachment-Id", "f_" + hex.EncodeToString(sum[:5])},
	}, body: b64(data)}
}

func inlineImage(name, cid string, data []byte) *part {
	return &part{h: []hdr{
		{"Content-Type", fmt.Sprintf("image/png; name=%q", name)},
		{"Content-Disposition", fmt.Sprintf("inline; filename=%q", name)},
		{"Content-Transfer-Encoding", "base64"},
		{"Content-ID", "<" + cid + ">"},
		{"X-Attachment-Id", cid},
	}, body: b64(data)}
}

func rfc822(name string, inner *email) *part {
	return &part{h: []hdr{
		{"Content-Type", "message/rfc822"},
		{"Content-Disposition", fmt.Sprintf("attachment; filename=%q", name)},
	}, body: inner.render()}
}

// ---------------------------------------------------------------------------
// Attachments: small, plausible and each with a distinctive ASCII string.

var pdfEsc = strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)

// makePDF writes a one-page PDF 1.4 with the lines in Helvetica and a
// correct cross-reference table.
func makePDF(title, created string, lines ...string) []byte {
	var content strings.Builder
	content.WriteString("BT\n/F1 11 Tf\n14 TL\n72 740 Td\n")
	for _, l := range lines {
		if !isASCII(l) {
			log.Fatalf("PDF line %q is not ASCII", l)
		}
		fmt.Fprintf(&content, "(%s) Tj T*\n", pdfEsc.Replace(l))
	}
	content.WriteString("ET\n")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Title (%s) /Producer (HL Docs 4.2) /CreationDate (D:%s) >>", pdfEsc.Replace(title), created),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	var offs []int
	for i, o := range objs {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// makePNG draws a few pixels and adds a tEXt chunk with the comment.
func makePNG(w, h int, seed uint8, comment string) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{R: uint8(x*53) + seed, G: uint8(y*71) + seed/2, B: 200 - seed, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		log.Fatal(err)
	}
	data := buf.Bytes()
	const afterIHDR = 8 + 4 + 4 + 13 + 4
	payload := append([]byte("tEXtComment\x00"), comment...)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(payload)-4))
	chunk = append(chunk, payload...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(payload))
	out := append([]byte{}, data[:afterIHDR]...)
	out = append(out, chunk...)
	return append(out, data[afterIHDR:]...)
}

// makeDocx writes a minimal WordprocessingML package, stored (not
// deflated) so that its text is visible in the bytes.
func makeDocx(modified time.Time, paras ...string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, content string) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: modified})
		if err != nil {
			log.Fatal(err)
		}
		w.Write([]byte(content))
	}
	add("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
		`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`+
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>`+
		`<Default Extension="xml" ContentType="application/xml"/>`+
		`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`)
	add("_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
		`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`)
	var doc strings.Builder
	doc.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	for _, p := range paras {
		doc.WriteString("<w:p><w:r><w:t xml:space=\"preserve\">" + html.EscapeString(p) + "</w:t></w:r></w:p>")
	}
	doc.WriteString("</w:body></w:document>")
	add("word/document.xml", doc.String())
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	return buf.Bytes()
}

const (
	ctPDF  = "application/pdf"
	ctPNG  = "image/png"
	ctCSV  = "text/csv"
	ctDocx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)

// ---------------------------------------------------------------------------
// Messages.

// email is one RFC 5322 message as its author sent it. The same email can
// lie in several mailboxes (see placed): those copies share every byte
// below the Takeout headers.
type email struct {
	id       string // Message-ID without <>
	date     time.Time
	from     string // header values, already encoded
	to, cc   string
	subject  string // decoded
	subjHdr  string // header value; "" means Q-encoded UTF-8 when not ASCII
	parent   *email // the message replied to
	body     *part
	mutate   func(string) string // the malformed message
	rendered string
}

func (e *email) refs() []string {
	if e.parent == nil {
		return nil
	}
	return append(e.parent.refs(), "<"+e.parent.id+">")
}

func (e *email) render() string {
	if e.rendered != "" {
		return e.rendered
	}
	var b strings.Builder
	writeHeader(&b, hdr{"MIME-Version", "1.0"})
	writeHeader(&b, hdr{"Date", e.date.Format("Mon, 2 Jan 2006 15:04:05 -0700")})
	if e.parent != nil {
		writeHeader(&b, hdr{"References", strings.Join(e.refs(), " ")})
		writeHeader(&b, hdr{"In-Reply-To", "<" + e.parent.id + ">"})
	}
	writeHeader(&b, hdr{"Message-ID", "<" + e.id + ">"})
	subj := e.subjHdr
	if subj == "" {
		subj = e.subject
		if !isASCII(subj) {
			subj = mime.QEncoding.Encode("UTF-8", subj)
		}
	}
	writeHeader(&b, hdr{"Subject", subj})
	writeHeader(&b, hdr{"From", e.from})
	writeHeader(&b, hdr{"To", e.to})
	if e.cc != "" {
		writeHeader(&b, hdr{"Cc", e.cc})
	}
	sum := sha256.Sum256([]byte(e.id))
	n := 0
	e.body.write(&b, func() string {
		n++
		return fmt.Sprintf("000000000000%s%02x", hex.EncodeToString(sum[:6]), n)
	})
	e.rendered = b.String()
	if e.mutate != nil {
		e.rendered = e.mutate(e.rendered)
	}
	return e.rendered
}

// placed is one copy of an email in one mailbox, with its Gmail labels.
type placed struct {
	box        string
	labels     []string
	thread     string // copies in a box with the same thread key share X-GM-THRID
	delivered  bool   // a received copy: Delivered-To the mailbox
	encLabels  bool   // write non-ASCII labels RFC 2047 encoded
	foldLabels bool   // fold X-Gmail-Labels before its last label
	e          *email
	expect     string // what the author of this fixture means; checked against the rule
	// byPeople: filed on weaker evidence than the rule knows (a
	// participant, a name); the rule must say review.
	byPeople bool
	// copyOf: the same message as an earlier placed one in another box;
	// it adds a custodian to that filing instead of a message.
	copyOf   bool
	unparsed bool
	note     string

	gmID, thrID uint64
	index       int
}

func labelsHeader(p *placed) string {
	var out []string
	for _, l := range p.labels {
		v := l
		if p.encLabels && !isASCII(v) {
			v = mime.QEncoding.Encode("UTF-8", v)
		}
		if strings.ContainsAny(v, `,"`) {
			v = `"` + strings.ReplaceAll(v, `"`, `\"`) + `"`
		}
		out = append(out, v)
	}
	if p.foldLabels && len(out) > 1 {
		return strings.Join(out[:len(out)-1], ",") + ",\n " + out[len(out)-1]
	}
	return strings.Join(out, ",")
}

func (p *placed) raw() string {
	var b strings.Builder
	b.WriteString("X-GM-THRID: " + strconv.FormatUint(p.thrID, 10) + "\n")
	b.WriteString("X-Gmail-Labels: " + labelsHeader(p) + "\n")
	if p.delivered {
		b.WriteString("Delivered-To: " + box(p.box).addr() + "\n")
	}
	b.WriteString(p.e.render())
	return b.String()
}

// ---------------------------------------------------------------------------
// The people. All invented.

func person(name, addr string) string {
	if isASCII(name) {
		if strings.ContainsAny(name, `.,"()<>@:;[]\`) {
			return strconv.Quote(name) + " <" + addr + ">"
		}
		return name + " <" + addr + ">"
	}
	return mime.QEncoding.Encode("UTF-8", name) + " <" + addr + ">"
}

var (
	alice = "Alice Harper <alice@harperlegal.example>"
	ben   = "Ben Okafor <ben@harperlegal.example>"
	chloe = "Chloe Lindqvist <chloe@harperlegal.example>"

	dana    = "Dana Whitcombe <dana.whitcombe@acme.example>"
	tom     = "Tom Berrigan <tom.berrigan@acme.example>"
	marco   = "Marco Castellano <m.castellano@wexfordpine.example>"
	ecf     = "ECF Notices <ecf-notices@district-court.example>"
	fenella = "Fenella Marsh <fenella.marsh@northwindfoods.example>"
	tmReg   = "Trade Mark Registry <no-reply@tmregistry.example>"
	vendor  = "Quillfield Discovery <quotes@quillfield-ediscovery.example>"
	lukas   = "Lukas Feldmann <l.feldmann@rhein-ruhr-immobilien.example>"
	grace   = "Grace Obuya <g.obuya@corvidparts.example>"
	brandt  = "Sabine Brandt <s.brandt@brandt-arbeitsrecht.example>"
	cle     = "Bar Association CLE <cle@barassociation.example>"
	facil   = "Harper Legal Facilities <facilities@harperlegal.example>"
	maggie  = "Maggie Dunmore <maggie.dunmore@postbox.example>"
	rosa    = "Rosa Delgado <rosa.delgado@harperlegal.example>"
	archive = "Iron Vault Records <dispatch@ironvault-records.example>"
	scanner = "HL Scanner <scanner@harperlegal.example>"
	phish   = "Accounts Receivable <billing@invoice-notice.example>"
	yoga    = "Studio Lindenhof <kurse@studio-lindenhof.example>"

	// Non-ASCII display names: UTF-8 in Q and in B, and ISO-8859-1 in Q.
	joseQ  = mime.QEncoding.Encode("UTF-8", "José Müller") + " <jose.mueller@mueller-maschinenbau.example>"
	joseB  = mime.BEncoding.Encode("UTF-8", "José Müller") + " <jose.mueller@mueller-maschinenbau.example>"
	zoeL1  = mime.QEncoding.Encode("ISO-8859-1", latin1("Zoë Ærø")) + " <zoe.aero@mueller-maschinenbau.example>"
	zoeUTF = person("Zoë Ærø", "zoe.aero@mueller-maschinenbau.example")
)

var (
	est  = time.FixedZone("EST", -5*3600)
	edt  = time.FixedZone("EDT", -4*3600)
	cst  = time.FixedZone("CST", -6*3600)
	cdt  = time.FixedZone("CDT", -5*3600)
	pst  = time.FixedZone("PST", -8*3600)
	cet  = time.FixedZone("CET", 1*3600)
	cest = time.FixedZone("CEST", 2*3600)
	gmt  = time.FixedZone("GMT", 0)
)

func at(mo time.Month, d, h, mi, s int, z *time.Location) time.Time {
	return time.Date(2024, mo, d, h, mi, s, 0, z)
}

// ---------------------------------------------------------------------------
// The correspondence.

func corpus() []*placed {
	var out []*placed
	put := func(p placed) { out = append(out, &p) }

	// ---- m-2024-0117 Acme v. Beta: a thread across alice and ben --------
	mtd := &email{
		id: "CAO5a1kd-motion-0116.7731@mail.acme.example", date: at(1, 16, 9, 12, 44, cst),
		from: dana, to: alice, cc: ben,
		subject: "Acme v. Beta – Beta's motion to dismiss",
		body: alt(`
Alice,

Beta Logistics filed its motion to dismiss late on Friday; the clerk's notice reached our legal inbox this morning. Their main argument is that the forum-selection clause in the 2019 carriage agreement sends every dispute to arbitration in Wilmington.

Could you give me a first read on whether that clause survives the 2022 amendment? Our CFO wants a view on the litigation reserve before the board call on January 30.

Thanks,
Dana

Dana Whitcombe
General Counsel, Acme Widgets, Inc.
`),
	}
	mtd1 := &email{
		id: "CAHL-harper-0116-a1.4410@mail.harperlegal.example", date: at(1, 16, 11, 40, 2, est),
		from: alice, to: dana, cc: ben, parent: mtd,
		subject: "Re: Acme v. Beta – Beta's motion to dismiss",
		body: text(`
Dana,

Short answer: I do not think the arbitration clause survives. Section 4 of the 2022 amendment replaced the whole dispute-resolution article and names the state and federal courts of New York, so Beta relies on a provision that no longer exists.

Our opposition is due on February 6. Ben will pull the amendment history from the contract file so that we can attach the executed versions as exhibits.

Best,
Alice

> Could you give me a first read on whether that clause survives the 2022
> amendment? Our CFO wants a view on the litigation reserve before the
> board call on January 30.
`),
	}
	mtd2 := &email{
		id: "CAO5a1kd-motion-0116.7790@mail.acme.example", date: at(1, 16, 14, 5, 31, cst),
		from: dana, to: alice, cc: ben, parent: mtd1,
		subject: "Re: Acme v. Beta – Beta's motion to dismiss",
		body: text(`
That is a relief. I found a scanned copy of the 2022 amendment signed by Beta's COO in our procurement share; it has a handwritten initial next to section 4 that might help on intent.

I will courier the wet-ink original to your office on Thursday. Tell me if you also need the email chain with Beta's procurement team from the autumn of 2021.

Dana
`),
	}
	oppPDF := makePDF("Acme v Beta - Draft Opposition to Motion to Dismiss v3", "20240124171500-05'00'",
		"PRIVILEGED AND CONFIDENTIAL - ATTORNEY WORK PRODUCT - DRAFT v3",
		"ACME WIDGETS, INC. v. BETA LOGISTICS LLC, No. 3:24-cv-00117",
		"MEMORANDUM OF LAW IN OPPOSITION TO DEFENDANT'S MOTION TO DISMISS",
		"II. The 2019 arbitration clause was superseded by Section 4 of the 2022 Amendment.",
		"Exhibit C: 2022 Amendment bearing the initials of Beta's Chief Operating Officer.")
	mtd3 := &email{
		id: "CAHL-harper-0124-a3.9902@mail.harperlegal.example", date: at(1, 24, 17, 30, 15, est),
		from: alice, to: dana, cc: ben, parent: mtd2,
		subject: "Re: Acme v. Beta – Beta's motion to dismiss",
		body: mixed(text(`
Dana,

Attached is the third draft of our opposition to Beta's motion to dismiss. The argument on the superseded arbitration clause is in Part II; the amendment with the handwritten initial you found is Exhibit C.

Please send any comments by Monday noon so that we can finalise the declaration of your procurement manager before we file on February 6.

Alice
`), attach(ctPDF, "Acme v Beta - Draft Opposition to MTD v3.pdf", oppPDF, namePlain)),
	}
	put(placed{box: "alice", thread: "mtd", labels: []string{"Inbox", "Important", "Opened", lAcmeBeta}, delivered: true, e: mtd,
		expect: "filed:m-2024-0117", note: "thread start, filed by its matter label (multipart/alternative)"})
	put(placed{box: "alice", thread: "mtd", labels: []string{"Sent"}, e: mtd1,
		expect: "skipped", note: "reply in the thread; Gmail put no filing label on it"})
	put(placed{box: "alice", thread: "mtd", labels: []string{"Inbox", "Opened"}, delivered: true, e: mtd2,
		expect: "skipped", note: "reply in the thread, no filing label"})
	put(placed{box: "alice", thread: "mtd", labels: []string{"Sent"}, e: mtd3,
		expect: "skipped", note: "reply with the draft opposition (PDF), no filing label here; the same message is filed from ben.mbox"})
	put(placed{box: "ben", thread: "mtd", labels: []string{"Inbox", "Opened"}, delivered: true, e: mtd,
		expect: "skipped", note: "same Message-ID as the labelled thread start in alice.mbox; Ben did not label his copy"})
	put(placed{box: "ben", thread: "mtd", labels: []string{"Inbox", "Important", lAcmeBeta}, delivered: true, e: mtd3,
		expect: "filed:m-2024-0117", note: "same message as alice.mbox's Sent copy (skipped there), labelled by the recipient; PDF attachment"})

	put(placed{box: "alice", labels: []string{"Inbox", "Opened", filingLabel}, delivered: true, expect: "filed:m-2024-0117", byPeople: true,
		note: "generic label, no number in the subject: filed because opposing counsel takes part only in this matter and the subject names it",
		e: &email{
			id: "WP-20240129-100214-castellano@wexfordpine.example", date: at(1, 29, 10, 2, 14, est),
			from: marco, to: alice, subject: "Acme v. Beta: stipulation extending the reply deadline",
			body: text(`
Ms. Harper,

Given the volume of exhibits we expect with your opposition, Beta proposes a stipulation extending its reply deadline by fourteen days, to March 5, 2024. We would of course consent to a reciprocal extension should you seek leave to file a sur-reply.

The operative language would read: "The time for Defendant to serve and file its reply memorandum is extended to and including March 5, 2024. No prior request for this extension has been made."

Please let me know whether Acme consents so that we can submit the stipulation to chambers this week.

Regards,
Marco Castellano
Wexford & Pine LLP
`)}})

	put(placed{box: "alice", labels: []string{"Inbox", lAcmeBeta}, delivered: true, expect: "filed:m-2024-0117",
		note: "HTML-only court notice, filed by its matter label",
		e: &email{
			id: "ecf.3-24-cv-00117.24.20240206214702@district-court.example", date: at(2, 6, 16, 47, 2, est),
			from: ecf, to: "ecf-recipients@district-court.example",
			subject: "Activity in Case 3:24-cv-00117 Acme Widgets, Inc. v. Beta Logistics LLC Memorandum in Opposition to Motion",
			body: htmlPart(`<html><body>
<p><strong>This is an automatic e-mail message generated by the CM/ECF system. Please DO NOT RESPOND to this e-mail because the mail box is unattended.</strong></p>
<p>The following transaction was entered by Harper, Alice on 2/6/2024 at 4:46 PM EST and filed on 2/6/2024.</p>
<table border="0" cellpadding="2">
<tr><td><b>Case Name:</b></td><td>Acme Widgets, Inc. v. Beta Logistics LLC</td></tr>
<tr><td><b>Case Number:</b></td><td>3:24-cv-00117</td></tr>
<tr><td><b>Document Number:</b></td><td>24</td></tr>
</table>
<p><b>Docket Text:</b><br>MEMORANDUM OF LAW in Opposition re [17] MOTION to Dismiss for Lack of Jurisdiction filed by Acme Widgets, Inc.. (Attachments: # (1) Declaration of R. Ostrowski, # (2) Exhibit A - C) (Harper, Alice)</p>
<p>3:24-cv-00117 Notice has been electronically mailed to: Alice Harper and Marco Castellano.</p>
</body></html>`)}})

	vendorHTML := `<html><head><style>p{font-family:Arial}</style>
<script type="text/javascript">document.location='https://tracker.example/redirect?c=QD-24-0311';</script>
</head><body onload="trackOpen()">
<p>Dear Ms. Harper,</p>
<p>Thank you for the call this morning. For the twelve Acme custodians we quote a flat collection fee of <b>USD 14,400</b>, including forensic imaging of six laptops and the export of the Microsoft 365 mailboxes.</p>
<p>Processing and hosting would be billed at USD 9 per gigabyte per month after culling. Quote reference QD-24-0311 is valid until 29 February 2024.</p>
<p><a href="https://portal.quillfield-ediscovery.example/accept?q=QD-24-0311" onclick="track(this)">Accept the quote online</a></p>
<p>Kind regards,<br>Priya Venkatesan<br>Quillfield Discovery</p>
<img src="https://tracker.example/p.gif" width="1" height="1" alt="" style="display:none">
</body></html>`
	put(placed{box: "alice", labels: []string{"Inbox", filingLabel}, delivered: true, expect: "filed:m-2024-0117",
		note: "generic label + number in the subject; HTML with <script>, onload/onclick and a tracker.example pixel (sanitizing)",
		e: &email{
			id: "qd.1706731200.22817@quillfield-ediscovery.example", date: at(1, 31, 15, 0, 0, est),
			from: vendor, to: alice, subject: "Re: 2024-0117 – e-discovery collection quote for Acme custodians",
			body: multi("alternative", text(`
Dear Ms. Harper,

Thank you for the call this morning. For the twelve Acme custodians we quote a flat collection fee of USD 14,400, including forensic imaging of six laptops and the export of the Microsoft 365 mailboxes.

Processing and hosting would be billed at USD 9 per gigabyte per month after culling. Quote reference QD-24-0311 is valid until 29 February 2024.

Kind regards,
Priya Venkatesan
Quillfield Discovery
`), htmlPart(vendorHTML))}})

	put(placed{box: "alice", labels: []string{"Inbox", "Opened", filingLabel}, delivered: true, expect: "filed:m-2024-0117",
		note: "generic label + number in the subject (multipart/alternative)",
		e: &email{
			id: "CAO5a1kd-reserve-0126.1204@mail.acme.example", date: at(1, 26, 8, 45, 10, cst),
			from: dana, to: alice, subject: "Re: 2024-0117 – board update on the litigation reserve",
			body: alt(`
Alice,

Thanks for the memo. The board approved a litigation reserve of USD 1.2 million for the Beta dispute and asked for a quarterly update from outside counsel.

One director wanted to know whether a mediation before the motion is decided would look like weakness. I said we would discuss it with you; could you add two paragraphs on timing to the next update?

Dana
`)}})

	requests := &email{
		id: "WP-20240213-161055-castellano@wexfordpine.example", date: at(2, 13, 16, 10, 55, est),
		from: marco, to: alice, subject: "Beta Logistics – First Set of Requests for Production",
		body: text(`
Counsel,

Please find below Defendant Beta Logistics LLC's First Set of Requests for Production of Documents, served today by email by agreement of the parties.

REQUEST NO. 7: All communications between Acme and any insurer concerning the claims asserted in the Complaint.
REQUEST NO. 8: All documents concerning the negotiation of the 2022 Amendment, including drafts exchanged with Beta's procurement team.
REQUEST NO. 12: All board minutes of Acme that refer to Beta Logistics, the carriage agreement or this action.

Responses and objections are due within thirty days of service.

Marco Castellano
Wexford & Pine LLP
`)}
	put(placed{box: "alice", labels: []string{"Sent", lAcmeBeta}, expect: "filed:m-2024-0117",
		note: "forward with the original as a message/rfc822 attachment",
		e: &email{
			id: "CAHL-harper-0214-fwd.5521@mail.harperlegal.example", date: at(2, 14, 12, 0, 40, est),
			from: alice, to: ben, subject: "Fwd: Beta Logistics – First Set of Requests for Production",
			body: mixed(text(`
Ben,

Forwarding Beta's first set of document requests (attached as received). Responses and objections are due thirty days after service, so on March 14.

Please start a privilege screen on requests 7 through 12, which go to our communications with Acme's insurers and to the board minutes. I would like a first list of withheld categories by March 1.

Alice
`), rfc822("Beta Logistics - First Set of Requests for Production.eml", requests))}})

	put(placed{box: "ben", labels: []string{"Sent", filingLabel}, expect: "filed:m-2024-0117",
		note: "generic label + number in the subject, sent by Ben to Alice (multipart/alternative)",
		e: &email{
			id: "CAHL-okafor-0219-priv.3108@mail.harperlegal.example", date: at(2, 19, 14, 30, 5, est),
			from: ben, to: alice, subject: "2024-0117 – privilege log format for the Beta document production",
			body: alt(`
Alice,

Before I start the privilege screen on requests 7 to 12: should we use the categorical log format that Judge Amberley's standing order allows for communications with counsel after the complaint was filed?

A categorical log would save us roughly forty hours on the insurer correspondence alone. I would still log the pre-suit emails with Acme's broker one by one, since Beta will fight about those.

Ben
`)}})

	// ---- m-2024-0288 Northwind: HARVEST opposition ----------------------
	salesCSV := []byte("year,channel,units,net_revenue_gbp,source\r\n" +
		"2018,grocery multiples,412300,1649200,Northwind finance ledger NW-FIN-7\r\n" +
		"2019,grocery multiples,538900,2210490,Northwind finance ledger NW-FIN-7\r\n" +
		"2020,grocery multiples,301750,1297525,Northwind finance ledger NW-FIN-7 (Leeds plant closed 11 weeks)\r\n" +
		"2021,grocery multiples,602100,2649240,Northwind finance ledger NW-FIN-7\r\n" +
		"2022,grocery multiples and convenience,688400,3166640,Northwind finance ledger NW-FIN-7\r\n" +
		"2023,grocery multiples and convenience,731050,3508040,Northwind finance ledger NW-FIN-7\r\n" +
		"# HARVEST mark evidence of use schedule, prepared by Harper Legal LLP, draft 2024-02-12\r\n")
	packPNG := makePNG(6, 4, 40, "HARVEST chilled ready meal packaging specimen 2018 - exhibit FM-3")
	evid := &email{
		id: "CAHL-harper-0212-tm.0415@mail.harperlegal.example", date: at(2, 12, 10, 15, 0, est),
		from: alice, to: fenella, subject: "2024-0288 – Harvest opposition: evidence of use",
		body: mixed(text(`
Fenella,

For the evidence in chief we need to show continuous use of the HARVEST mark for chilled ready meals since 2018. I prepared a schedule of UK sales by year from the figures your finance team sent in January; please check the 2020 row, which looks low against the invoices.

I also attach the photo of the 2018 packaging we would exhibit as the earliest specimen. A clearer photograph of the label with the date code visible would be better.

Alice
`), attach(ctCSV, "Northwind_HARVEST_UK_sales_2018-2023.csv", salesCSV, namePlain),
			attach(ctPNG, "harvest-packaging-2018.png", packPNG, namePlain)),
	}
	labelPNG := makePNG(5, 5, 90, "HARVEST label 2018 date code 18/07 close-up photo")
	evidText := `
Hi Alice,

The 2020 figure is right, sadly: the Leeds plant was closed for eleven weeks during the lockdown and we sold through only two supermarket chains. Our supply chain director, David Okonjo, can give a witness statement explaining the dip.

Here is a clearer photo of the 2018 label, with the date code 18/07 visible at the bottom left.

Fenella
`
	evidReply := &email{
		id: "NW-LN2P152MB0419-fm-0213@northwindfoods.example", date: at(2, 13, 9, 20, 33, gmt),
		from: fenella, to: alice, parent: evid,
		subject: "Re: 2024-0288 – Harvest opposition: evidence of use",
		body: multi("related",
			multi("alternative", text(evidText),
				htmlPart(strings.Replace(htmlOf(evidText), "</div>",
					`<p><img src="cid:ii_harvest_label_2018" alt="HARVEST label 2018" width="320"></p></div>`, 1))),
			inlineImage("harvest-label-2018.png", "ii_harvest_label_2018", labelPNG)),
	}
	put(placed{box: "alice", thread: "evid", labels: []string{"Sent", filingLabel}, e: evid, expect: "filed:m-2024-0288",
		note: "generic label + number in the subject; CSV and PNG attachments"})
	put(placed{box: "alice", thread: "evid", labels: []string{"Inbox", "Opened", "Matters/2024-0288"}, delivered: true, e: evidReply,
		expect: "filed:m-2024-0288", note: "label Matters/<number> alone (not in matters.csv); multipart/related with an inline cid: image"})

	put(placed{box: "alice", labels: []string{"Inbox", lHarvest}, delivered: true, expect: "filed:m-2024-0288",
		note: "registry notice filed by its matter label",
		e: &email{
			id: "tmr-notice-OP000584127-20240220@tmregistry.example", date: at(2, 20, 8, 0, 0, gmt),
			from: tmReg, to: alice, subject: "Opposition OP000584127 (HARVEST MOON, classes 29 and 30): period for evidence in chief",
			body: text(`
This is an automated notification from the Trade Mark Registry. Please do not reply to this address.

Opposition number: OP000584127
Application opposed: HARVEST MOON, in the name of Harvest Moon Provisions Ltd
Opponent: Northwind Foods Ltd (represented by Harper Legal LLP)

The opponent must file its evidence in chief, with any written submissions, by 20 April 2024. If no evidence is filed by that date the opposition will be treated as withdrawn in so far as it relies on earlier marks for which proof of use is required.

Extensions of time are granted only on request, with reasons, filed before the period expires.
`)}})

	put(placed{box: "alice", labels: []string{"Sent", lHarvest}, expect: "filed:m-2024-0288",
		note: `mboxrd escaping: body lines beginning "From " and ">From " (written as ">From " and ">>From ")`,
		e: &email{
			id: "CAHL-harper-0304-ws.7120@mail.harperlegal.example", date: at(3, 4, 18, 20, 0, est),
			from: alice, to: fenella, subject: "HARVEST opposition – draft witness statement of the supply chain director",
			body: text(`
Fenella,

Below is the first draft of Mr. Okonjo's witness statement. Please ask him to check every date and figure against his own records before we finalise it.

WITNESS STATEMENT OF DAVID OKONJO (DRAFT 1)
1. I am the Supply Chain Director of Northwind Foods Ltd and have held that role since 2016.
From 2018 to the present day, HARVEST chilled ready meals have been sold in at least 1,200 stores in the United Kingdom.
From March to June 2020 our Leeds plant was closed for eleven weeks, which explains the lower sales shown in exhibit DO-2.
>From your note of 13 February: the lockdown figures come straight from the Leeds production log.

Alice
`)}})

	// ---- special review cases in alice.mbox ---------------------------
	put(placed{box: "alice", labels: []string{"Inbox", lAcmeBeta}, delivered: true, expect: "review",
		note: "conflict: the matter label says m-2024-0117, the subject number says m-2024-0142",
		e: &email{
			id: "CAO5a1kd-estoppel-0221.3317@mail.acme.example", date: at(2, 21, 13, 10, 9, cst),
			from: dana, to: alice, cc: ben,
			subject: "2024-0142 – landlord's estoppel certificate for the Dortmund warehouse",
			body: text(`
Alice,

Sorry to send this to you rather than to Ben, who is out today. The landlord in Dortmund wants a signed estoppel certificate by Friday confirming that there are no defaults under the lease and that the rent was paid through March.

I am not comfortable confirming "no defaults" while the roof repair invoice is disputed. Can one of you mark up their form before I sign anything?

Dana
`)}})

	put(placed{box: "alice", labels: []string{"Inbox", filingLabel}, delivered: true, expect: "review",
		note: "unmatched: generic label on a message that belongs to no target",
		e: &email{
			id: "fac-permit-20240205-0830@harperlegal.example", date: at(2, 5, 8, 30, 0, est),
			from: facil, to: alice, subject: "Your garage parking permit expires on 29 February",
			body: text(`
Dear Alice,

Your parking permit for level P2 of the Harbour Street garage expires on 29 February. To renew it for the second quarter, please reply with your current licence plate number by 23 February.

Permits not renewed by then are released to the waiting list, which currently has fourteen names on it.

Harper Legal Facilities
`)}})

	put(placed{box: "alice", labels: []string{"Inbox", "Matters/2023-0999 Old Acme file"}, delivered: true, expect: "review",
		note: "matter label not mapped to any target, no number in the subject",
		e: &email{
			id: "ivr-dispatch-88120-20240301@ironvault-records.example", date: at(3, 1, 10, 0, 0, est),
			from: archive, to: alice, subject: "Archive boxes returned from offsite storage",
			body: text(`
Dear Ms. Harper,

Our courier delivered six archive boxes (barcodes IV-88120 to IV-88125) to the file room on your 14th floor this morning, as requested under retrieval order RO-5530.

Please sign the delivery receipt in our portal within five business days; boxes not returned within ninety days are billed at the active-file rate.

Iron Vault Records
`)}})

	put(placed{box: "alice", labels: []string{"Inbox", "Category Personal", "Personal"}, delivered: true, expect: "skipped",
		note: "personal mail, no filing label",
		e: &email{
			id: "CAM-dunmore-20240202.55@postbox.example", date: at(2, 2, 19, 22, 7, est),
			from: maggie, to: alice, subject: "Dinner Saturday?",
			body: text(`
Hi Alice,

Are we still on for the Ethiopian place on Saturday? I booked a table for four at 7:30 under Dunmore, and Sam says he will bring the bottle of Rioja he owes you since the quiz night.

Maggie
`)}})

	// ---- m-2024-0142 Acme lease (ben.mbox) -----------------------------
	nachtragPDF := makePDF("Nachtrag Nr. 2 zum Mietvertrag Lagerhalle Dortmund-Hafen", "20240118102500+01'00'",
		"ENTWURF - Nachtrag Nr. 2 zum Mietvertrag vom 01.04.2021",
		"Mietobjekt: Lagerhalle Dortmund-Hafen, Halle 3a und Halle 3b",
		"Par. 1 Zusaetzliche Mietflaeche Halle 3b, ca. 1.850 qm, ab 01.03.2024",
		"Par. 4 Abs. 2 Schluesseluebergabe gegen Nachweis der erhoehten Mietsicherheit",
		"Rhein-Ruhr Immobilien GmbH - Vermietung Gewerbe - Entwurf RRI/LF/2024-017")
	lease := &email{
		id: "RRI-LF-20240118-103012.44@rhein-ruhr-immobilien.example", date: at(1, 18, 10, 30, 12, cet),
		from: lukas, to: ben,
		subject: "Mietvertrag Lagerhalle Dortmund: Nachtrag Nr. 2 (Übergabe, Schlüssel)",
		subjHdr: mime.QEncoding.Encode("ISO-8859-1", latin1("Mietvertrag Lagerhalle Dortmund: Nachtrag Nr. 2 (Übergabe, Schlüssel)")),
		body: mixed(textLatin1(`
Sehr geehrter Herr Okafor,

anbei erhalten Sie den Entwurf des zweiten Nachtrags zum Mietvertrag über die Lagerhalle in Dortmund-Hafen. Die Übergabe der zusätzlichen Fläche (Halle 3b, ca. 1.850 m²) ist für den 1. März vorgesehen.

Bitte beachten Sie § 4 Abs. 2: Die Schlüsselübergabe erfolgt nur gegen Nachweis der erhöhten Mietsicherheit in Höhe von drei Monatsmieten.

Mit freundlichen Grüßen
Lukas Feldmann
Rhein-Ruhr Immobilien GmbH
`), attach(ctPDF, "Nachtrag Nr. 2 – Mietvertrag Lagerhalle.pdf", nachtragPDF, nameRFC2231)),
	}
	put(placed{box: "ben", thread: "lease", labels: []string{"Inbox", "Opened", lAcmeLease}, delivered: true, e: lease,
		expect: "filed:m-2024-0142", note: "ISO-8859-1 Q-encoded subject, ISO-8859-1 quoted-printable body, PDF with an RFC 2231 filename"})
	put(placed{box: "ben", thread: "lease", labels: []string{"Sent"}, expect: "skipped", note: "reply, no filing label",
		e: &email{
			id: "CAHL-okafor-0119-aw.0912@mail.harperlegal.example", date: at(1, 19, 9, 10, 40, est),
			from: ben, to: lukas, cc: tom, parent: lease,
			subject: "AW: Mietvertrag Lagerhalle Dortmund: Nachtrag Nr. 2 (Übergabe, Schlüssel)",
			body: text(`
Dear Mr. Feldmann,

Thank you for the draft second addendum. Our client accepts the handover date of 1 March for hall 3b, but it cannot agree to make the handover of the keys conditional on proof of the increased deposit.

We propose instead that the deposit is provided within ten business days of the handover, secured by a bank guarantee from Acme's German bank.

Kind regards,
Ben Okafor
Harper Legal LLP
`)}})

	invoicePDF := makePDF("Rechnung RRI-R-24-0088 Dachreparatur Halle 3a", "20240205090000+01'00'",
		"RECHNUNG Nr. RRI-R-24-0088 vom 05.02.2024",
		"Leistung: Notreparatur Dach Halle 3a, Abdichtung und Austausch von 14 Lichtplatten",
		"Nettobetrag EUR 19.966,39  USt 19 % EUR 3.793,61  Gesamt EUR 23.760,00",
		"Zahlbar innerhalb von 14 Tagen ohne Abzug. Rhein-Ruhr Immobilien GmbH")
	roofPNG := makePNG(4, 3, 150, "Roof leak hall 3a photo taken 2023-11-14 by Acme site team")
	put(placed{box: "ben", labels: []string{"Inbox", filingLabel}, delivered: true, expect: "filed:m-2024-0142",
		note: "generic label + number in the subject; PDF and PNG attachments",
		e: &email{
			id: "CAO5tb-roof-0208.0755@mail.acme.example", date: at(2, 8, 7, 55, 18, cst),
			from: tom, to: ben, subject: "2024-0142 Dortmund – roof repair invoice dispute",
			body: mixed(text(`
Ben,

The landlord has invoiced us EUR 23,760 for the roof repair over hall 3a, but we reported the leak in writing on 14 November and they did nothing for six weeks. Under clause 9 of the lease the landlord bears structural repairs, and the roof is structural.

I attach their invoice and the photo our site team took on the day we reported the leak. Our stock damage from the water came to about EUR 8,400; can we set that off against the invoice?

Tom Berrigan
Facilities Director EMEA, Acme Widgets
`), attach(ctPDF, "Invoice RRI-R-24-0088.pdf", invoicePDF, namePlain), attach(ctPNG, "roof-leak-hall-3a.png", roofPNG, namePlain))}})

	put(placed{box: "ben", labels: []string{"Inbox", "Matters/2024-0142 Dortmund lease"}, delivered: true, expect: "filed:m-2024-0142",
		note: "label Matters/<number> <other title>: not in matters.csv, filed by the number it begins with",
		e: &email{
			id: "CAO5tb-keys-0302.0640@mail.acme.example", date: at(3, 2, 6, 40, 51, cst),
			from: tom, to: ben, subject: "Warehouse keys handover – hall 3b",
			body: text(`
Ben,

The caretaker handed over fourteen keys and two alarm fobs for hall 3b yesterday. The handover protocol records a damaged loading dock door at gate 7, which we must not be charged for at the end of the term.

Our scanner copy of the signed protocol should be with you already. Please keep the original in the lease file.

Tom
`)}})

	put(placed{box: "ben", labels: []string{"Sent", lAcmeLease}, expect: "filed:m-2024-0142",
		note: "matter label (multipart/alternative)",
		e: &email{
			id: "CAHL-okafor-0325-break.1710@mail.harperlegal.example", date: at(3, 25, 17, 10, 0, edt),
			from: ben, to: dana, cc: tom, subject: "Dortmund lease – break option analysis",
			body: alt(`
Dana,

You asked whether Acme can leave the Dortmund warehouse early. The lease has a single tenant break option at the end of year five, on 31 March 2026, exercisable on twelve months' written notice served by registered letter.

If the notice is late by even one day the next exit is the expiry in 2031, so I suggest we diarise 15 March 2025 as the internal deadline.

Ben
`)}})

	// The malformed message: a header line without a colon and a multipart
	// without its final boundary. It still carries the generic label, so an
	// import takes it; the worker stores it raw and sends it to review.
	protocolPDF := makePDF("Scan 2024-03-01 handover protocol hall 3b", "20240229081200-05'00'",
		"UEBERGABEPROTOKOLL HALLE 3B - SCAN HLX-4000 - 4 SEITEN",
		"Zaehlerstaende: Strom 448812 kWh, Wasser 1207 m3",
		"Maengel: Rolltor Rampe 7 beschaedigt (Delle, schliesst nicht vollstaendig)")
	put(placed{box: "ben", labels: []string{"Inbox", filingLabel}, delivered: true, unparsed: true, expect: "unparsed",
		note: "malformed: a header line without a colon and a multipart without its closing boundary; number in the subject, still review",
		e: &email{
			id: "hlx4000-20240229081202-0001@harperlegal.example", date: at(2, 29, 8, 12, 2, est),
			from: scanner, to: ben, subject: "Scan 2024-0142 handover protocol hall 3b",
			body: mixed(text(`
Scanned document from HLX-4000 (copier room 12.3). Pages: 4. Resolution: 300 dpi.

Handover protocol for hall 3b, signed by the landlord's caretaker and by Acme's site manager on 1 March.
`), attach(ctPDF, "scan_hlx4000_20240229_0812.pdf", protocolPDF, namePlain)),
			mutate: func(raw string) string {
				raw = strings.Replace(raw, "\nTo: ", "\nScanned by HLX-4000 at copier room 12.3\nTo: ", 1)
				i := strings.LastIndex(raw[:len(raw)-1], "\n")
				if !strings.HasPrefix(raw[i+1:], "--") {
					log.Fatal("malformed message: no closing boundary to remove")
				}
				return raw[:i+1]
			},
		}})

	// ---- c-2024-031 Acme / Corvid MSA (ben.mbox) -----------------------
	redline := makeDocx(time.Date(2024, 2, 15, 16, 0, 0, 0, time.UTC),
		"MASTER SUPPLY AGREEMENT - ACME / CORVID - CORVID COMMENTS 15 FEB 2024",
		"14.1 Supplier's aggregate liability shall not exceed two (2) times the Fees paid in the preceding twelve months.",
		"14.2 The cap in 14.1 does not apply to wilful misconduct. [Corvid: delete IP indemnity carve-out]")
	msa := &email{
		id: "CV-BN8PR04MB-go-0215.1620@corvidparts.example", date: at(2, 15, 16, 20, 0, pst),
		from: grace, to: ben, cc: dana, subject: "C-2024-031 MSA – Corvid comments on the liability cap (clause 14)",
		body: mixed(alt(`
Hi Ben,

Attached is our redline of clause 14. Corvid cannot accept an uncapped indemnity for third-party IP claims; we propose a cap of two times the annual fees, with a carve-out for wilful misconduct only.

Our CFO also asks that the audit right in clause 11 be limited to once per contract year, on thirty days' notice.

Best regards,
Grace Obuya
Deputy General Counsel, Corvid Parts
`), attach(ctDocx, "Corvid MSA - clause 14 redline (Corvid comments).docx", redline, namePlain)),
	}
	put(placed{box: "ben", thread: "msa", labels: []string{"Inbox", filingLabel}, delivered: true, e: msa, expect: "filed:c-2024-031",
		note: "generic label + contract number in the subject; .docx attachment"})
	put(placed{box: "ben", thread: "msa", labels: []string{"Sent", lCorvidMSA}, expect: "filed:c-2024-031",
		note: "reply filed by the contract's label (label and number agree)",
		e: &email{
			id: "CAHL-okafor-0216-msa.1105@mail.harperlegal.example", date: at(2, 16, 11, 5, 30, est),
			from: ben, to: grace, cc: dana, parent: msa,
			subject: "Re: C-2024-031 MSA – Corvid comments on the liability cap (clause 14)",
			body: text(`
Grace,

Thanks for the quick turnaround. Acme can live with a cap at two times annual fees for general claims, but the IP indemnity must stay uncapped: Acme resells the parts under its own brand and carries the exposure to its customers.

We can accept the annual limit on audits, provided that an audit after a material quality incident does not count towards it.

Ben

> Corvid cannot accept an uncapped indemnity for third-party IP claims; we
> propose a cap of two times the annual fees.
`)}})

	sigPDF := makePDF("Signature pages - Corvid MSA execution version", "20240307154000-05'00'",
		"MASTER SUPPLY AGREEMENT - EXECUTION VERSION - SIGNATURE PAGES",
		"ACME WIDGETS, INC.  By: ______________________  Name: Dana Whitcombe  Title: General Counsel",
		"CORVID PARTS, INC.  By: ______________________  Name: Grace Obuya  Title: Deputy General Counsel")
	put(placed{box: "ben", labels: []string{"Sent", lCorvidMSA}, expect: "filed:c-2024-031",
		note: "contract label; PDF attachment with an RFC 2047 encoded filename",
		e: &email{
			id: "CAHL-okafor-0307-sig.1545@mail.harperlegal.example", date: at(3, 7, 15, 45, 0, est),
			from: ben, to: dana, subject: "Acme / Corvid MSA – execution version and signature pages",
			body: mixed(text(`
Dana,

Attached are the signature pages for the execution version of the Corvid master supply agreement. Please sign where marked, scan all three pages in colour and send them back to me; I will release them to Corvid only once their signed pages are in hand.

The execution version matches the draft of 4 March except for the corrected notice address of Corvid's legal department in clause 23.

Ben
`), attach(ctPDF, "Signature pages – Corvid MSA (execution version).pdf", sigPDF, nameRFC2047))}})

	put(placed{box: "ben", labels: []string{"Inbox", filingLabel}, delivered: true, expect: "review",
		note: "generic label, no number in the subject (belongs to the Corvid contract only by its content)",
		e: &email{
			id: "CAO5a1kd-indemnity-0314.0930@mail.acme.example", date: at(3, 14, 9, 30, 0, cdt),
			from: dana, to: ben, subject: "Quick question on the Corvid indemnity",
			body: text(`
Ben,

Our product team asks whether the indemnity in the Corvid agreement also covers parts that were shipped before the signing date but are installed afterwards. About 3,000 actuators from the old purchase orders are still in our warehouse in Memphis.

No rush; a two-line answer by the end of next week is fine.

Dana
`)}})

	put(placed{box: "ben", labels: []string{"Inbox"}, delivered: true, expect: "skipped",
		note: "office mail, no filing label",
		e: &email{
			id: "rd-lunch-20240320-1200@harperlegal.example", date: at(3, 20, 12, 0, 0, edt),
			from: rosa, to: "ny-office@harperlegal.example", subject: "Team lunch on Thursday – dietary requirements",
			body: text(`
Hi all,

For Thursday's team lunch in the large conference room we are ordering from the Lebanese place again. Please tell me about any dietary requirements by Wednesday at noon; last time we ran out of the vegetarian mezze within ten minutes.

Rosa
`)}})

	// ---- c-2024-047 Müller distribution: ben -> chloe, in both mailboxes
	kl9 := makeDocx(time.Date(2024, 3, 12, 13, 0, 0, 0, time.UTC),
		"VERTRIEBSVERTRAG MUELLER MASCHINENBAU / ALPENLAND HANDELS AG - REDLINE KLAUSEL 9",
		"9.1 Exclusive territory: Germany. [HL: Austria and Switzerland only with minimum purchase commitment]",
		"9.2 Passive sales outside the territory remain permitted (Art. 4(b) VBER).")
	dist := &email{
		id: "CAHL-okafor-0312-kl9.1000@mail.harperlegal.example", date: at(3, 12, 10, 0, 0, edt),
		from: ben, to: chloe, subject: "C-2024-047 Müller distribution – redline of clause 9 (exclusivity)",
		body: mixed(alt(`
Chloe,

As discussed, here is my redline of clause 9. Müller wants exclusivity for Austria and Switzerland as well, but the minimum purchase commitment in Annex 3 only covers Germany, so Alpenland would get the two extra territories for free.

I kept passive sales outside the territory permitted, as the block exemption requires. Could you check the German wording of 9.2 before it goes to Zoë?

Ben
`), attach(ctDocx, "Vertriebsvertrag Müller – Klausel 9 Redline.docx", kl9, nameRFC2231)),
	}
	put(placed{box: "ben", labels: []string{"Sent", lMuellerDst}, e: dist, expect: "filed:c-2024-047",
		note: "sender's copy of a message also in chloe.mbox (same Message-ID and body); contract label; .docx with RFC 2231 filename"})
	put(placed{box: "chloe", labels: []string{"Inbox", "Important", "Opened", "Category Updates", lMuellerDst}, delivered: true, foldLabels: true,
		e: dist, expect: "custodian", copyOf: true,
		note: "recipient's copy of ben.mbox's message (same Message-ID and body): filed once, chloe added as a custodian; X-Gmail-Labels folded over two lines"})

	// ---- m-2024-0203 Weber ./. Müller (chloe.mbox) ---------------------
	weber := &email{
		id: "MM-DE-20240226-0815-jm@mueller-maschinenbau.example", date: at(2, 26, 8, 15, 0, cet),
		from: joseQ, to: chloe,
		subject: "Kündigungsschutzklage Weber – Güteverhandlung am 12. März",
		subjHdr: mime.BEncoding.Encode("UTF-8", "Kündigungsschutzklage Weber – Güteverhandlung am 12. März"),
		body: text(`
Liebe Frau Lindqvist,

das Arbeitsgericht hat die Güteverhandlung in Sachen Weber gegen Müller Maschinenbau auf den 12. März, 10:30 Uhr, Saal 2.014 terminiert. Herr Weber bestreitet weiterhin, dass ihm die Abmahnung vom Oktober zugegangen ist.

Können Sie uns bis Freitag eine kurze Einschätzung der Vergleichschancen schicken? Unsere Geschäftsführung möchte eine Abfindung höchstens in Höhe eines halben Monatsgehalts pro Beschäftigungsjahr anbieten.

Viele Grüße
José Müller
Leiter Personal, Müller Maschinenbau GmbH
`),
	}
	put(placed{box: "chloe", thread: "weber", labels: []string{"Inbox", "Opened", lWeber}, delivered: true, e: weber,
		expect: "filed:m-2024-0203", note: `matter label with a comma (quoted by Google); UTF-8 Q From name, UTF-8 B subject, quoted-printable body`})
	put(placed{box: "chloe", thread: "weber", labels: []string{"Sent"}, expect: "skipped", note: "reply, no filing label",
		e: &email{
			id: "CAHL-lindqvist-0226-aw.1740@mail.harperlegal.example", date: at(2, 26, 17, 40, 0, cet),
			from: chloe, to: joseQ, parent: weber,
			subject: "AW: Kündigungsschutzklage Weber – Güteverhandlung am 12. März",
			body: text(`
Lieber Herr Müller,

vielen Dank. Ich schicke Ihnen die Einschätzung bis Donnerstag. Vorab nur so viel: Ohne Nachweis des Zugangs der Abmahnung ist das Prozessrisiko erheblich, und das Gericht wird in der Güteverhandlung auf einen Vergleich drängen.

Bitte fragen Sie im Sekretariat nach, ob die Abmahnung per Einwurf-Einschreiben oder per Boten zugestellt wurde.

Mit besten Grüßen
Chloe Lindqvist
`)}})

	witnesses := &email{
		id: "CAHL-lindqvist-0301-zeugen.1530@mail.harperlegal.example", date: at(3, 1, 15, 30, 0, cet),
		from: chloe, to: joseQ, subject: "2024-0203 – Zeugenliste für die Güteverhandlung",
		body: alt(`
Lieber Herr Müller,

für die Güteverhandlung am 12. März schlage ich vor, dass Frau Albers aus der Lohnbuchhaltung und der Schichtleiter Herr Demir bereitstehen. Frau Albers kann den Zugang der Abmahnung bezeugen, Herr Demir die Vorfälle in der Spätschicht vom 3. und 9. Oktober.

Eine Aussage ist in der Güteverhandlung selbst nicht vorgesehen, aber die Namen sollten wir dem Gericht schon jetzt nennen.

Chloe Lindqvist
`),
	}
	put(placed{box: "chloe", thread: "zeugen", labels: []string{"Sent", lWeber}, e: witnesses, expect: "filed:m-2024-0203",
		note: "matter label and number agree (multipart/alternative)"})
	put(placed{box: "chloe", thread: "zeugen", labels: []string{"Inbox", lWeber}, delivered: true, expect: "filed:m-2024-0203",
		note: `UTF-8 B From name; body line "From Monday ..." escaped in an LF export`,
		e: &email{
			id: "MM-DE-20240302-0905-jm@mueller-maschinenbau.example", date: at(3, 2, 9, 5, 0, cet),
			from: joseB, to: chloe, parent: witnesses,
			subject: "AW: 2024-0203 – Zeugenliste für die Güteverhandlung",
			body: text(`
Liebe Frau Lindqvist,

Frau Albers ist einverstanden. Herr Demir hat auf Englisch geantwortet, weil er unser Werk in Sheffield in Kopie hatte; seine Antwort steht unten.

From Monday 11 March I am on the late shift, so I can attend the hearing on 12 March only if the court starts before eleven.

Viele Grüße
José Müller
`)}})

	put(placed{box: "chloe", labels: []string{"Inbox", filingLabel}, delivered: true, expect: "filed:m-2024-0203",
		note: "generic label + number; subject with € and – (UTF-8 Q); ISO-8859-1 Q From name; quoted-printable alternative",
		e: &email{
			id: "MM-DE-20240305-1100-za@mueller-maschinenbau.example", date: at(3, 5, 11, 0, 0, cet),
			from: zoeL1, to: chloe, cc: joseQ, subject: "2024-0203 – Abfindungsangebot 45.000 € brutto",
			body: alt(`
Chloe,

the board has approved a settlement offer of 45.000 € brutto for Mr. Weber, subject to a clean termination date of 30 June and a neutral reference ("stets zu unserer vollen Zufriedenheit" is too much; "zu unserer Zufriedenheit" is fine).

Please do not disclose the amount before the Güteverhandlung; open at 30.000 € and move only if the judge signals the risk is on our side.

Zoë Ærø
Rechtsabteilung, Müller Maschinenbau GmbH
`)}})

	schriftsatz := makePDF("Schriftsatz Klaeger Weber 2024-03-04", "20240304170000+01'00'",
		"ARBEITSGERICHT - Az. 4 Ca 1187/24 - Weber ./. Mueller Maschinenbau GmbH",
		"SCHRIFTSATZ DES KLAEGERS vom 04.03.2024 nebst Anlagen K 7 bis K 9",
		"Der Klaeger bestreitet den Zugang der Abmahnung vom 17.10.2023 mit Nichtwissen.",
		"Es wird beantragt, die Beklagte zur Weiterbeschaeftigung zu verurteilen.")
	put(placed{box: "chloe", labels: []string{"Inbox", lWeber}, delivered: true, encLabels: true, expect: "filed:m-2024-0203",
		note: "matter label written RFC 2047 encoded and quoted in X-Gmail-Labels; PDF with an RFC 2231 filename",
		e: &email{
			id: "KB-2024-03-06-1422-sb@brandt-arbeitsrecht.example", date: at(3, 6, 14, 22, 0, cet),
			from: brandt, to: chloe, subject: "Weber ./. Müller Maschinenbau GmbH – Schriftsatz vom 4. März",
			body: mixed(text(`
Sehr geehrte Frau Kollegin Lindqvist,

in der Sache Weber ./. Müller Maschinenbau GmbH überreiche ich vorab per E-Mail unseren Schriftsatz vom 4. März 2024 nebst Anlagen K 7 bis K 9; die beglaubigte Abschrift geht Ihnen über das beA zu.

Mein Mandant ist zu Vergleichsgesprächen bereit, allerdings nicht auf der Grundlage des bisher genannten Faktors.

Mit freundlichen kollegialen Grüßen
Sabine Brandt
Fachanwältin für Arbeitsrecht
`), attach(ctPDF, "Schriftsatz Kläger 2024-03-04.pdf", schriftsatz, nameRFC2231))}})

	// ---- c-2024-047 continued -----------------------------------------
	signedPDF := makePDF("Vertrag Mueller - Alpenland - unterzeichnet", "20240328153000+01'00'",
		"VERTRIEBSVERTRAG zwischen Mueller Maschinenbau GmbH und Alpenland Handels AG",
		"Unterzeichnet in Innsbruck am 27.03.2024 fuer die Alpenland Handels AG",
		"Counterpart 2 of 2 - signed by Alpenland Handels AG, Innsbruck")
	put(placed{box: "chloe", labels: []string{"Sent", filingLabel}, expect: "filed:c-2024-047",
		note: `generic label + contract number; PDF attachment filename*=UTF-8''Vertrag%20M%C3%BCller.pdf`,
		e: &email{
			id: "CAHL-lindqvist-0328-signed.1600@mail.harperlegal.example", date: at(3, 28, 16, 0, 0, cet),
			from: chloe, to: zoeUTF, subject: "C-2024-047 – Vertriebsvertrag: signed counterpart",
			body: mixed(text(`
Zoë,

attached is the counterpart of the distribution agreement that Alpenland Handels AG signed in Innsbruck yesterday. Please file the wet-ink original with your contract registry once the courier delivers it on Tuesday.

The exclusivity for Austria starts on 1 May; Switzerland follows only once Alpenland reaches the first minimum purchase threshold in Annex 3.

Chloe
`), attach(ctPDF, "Vertrag Müller.pdf", signedPDF, nameRFC2231))}})

	put(placed{box: "chloe", labels: []string{"Inbox", filingLabel}, delivered: true, expect: "review",
		note: "generic label, no number in the subject; ISO-8859-1 Q From name",
		e: &email{
			id: "MM-DE-20240403-0945-za@mueller-maschinenbau.example", date: at(4, 3, 9, 45, 0, cest),
			from: zoeL1, to: chloe, subject: "Vertriebsvertrag – Frage zu Gebietsschutz Österreich",
			body: text(`
Chloe,

quick question on the distribution agreement: if Alpenland sells into South Tyrol through its Innsbruck branch, does that breach the territorial restriction in clause 9.2, or is it a passive sale we have to tolerate?

Our sales director in Munich heard about two tenders in Bolzano and is not amused.

Zoë
`)}})

	put(placed{box: "chloe", labels: []string{"Sent", filingLabel}, expect: "review",
		note: "conflict: two target numbers in the subject",
		e: &email{
			id: "CAHL-lindqvist-0315-billing.1010@mail.harperlegal.example", date: at(3, 15, 10, 10, 0, cet),
			from: chloe, to: alice, subject: "Müller billing split between 2024-0203 and C-2024-047",
			body: text(`
Alice,

Müller's CFO asked for a single invoice covering both the Weber employment case and the Alpenland distribution agreement. I would rather keep separate invoices, because the employment fees are charged to a different cost centre and their auditors query mixed invoices every year.

Shall I propose two invoices with one covering letter?

Chloe
`)}})

	// ---- m-2024-0288 in chloe.mbox -------------------------------------
	put(placed{box: "chloe", labels: []string{"Inbox", filingLabel}, delivered: true, expect: "filed:m-2024-0288",
		note: "generic label + number followed by a colon (multipart/alternative)",
		e: &email{
			id: "NW-LN2P152MB0419-fm-0319@northwindfoods.example", date: at(3, 19, 13, 0, 0, gmt),
			from: fenella, to: chloe, cc: alice, subject: "2024-0288: German clearance search for HARVEST",
			body: alt(`
Hi Chloe,

Alice mentioned you could help with a clearance search in Germany before we launch HARVEST ready meals there in the autumn. Our German distributor has found a regional bakery using "Harvest Brot" in Saxony.

Could you tell us whether that is a problem for a national launch, and roughly what a full search and opinion would cost?

Thanks,
Fenella
`)}})

	// ---- unfiled and unmatched mail in chloe.mbox ----------------------
	put(placed{box: "chloe", labels: []string{"Inbox", filingLabel}, delivered: true, expect: "review",
		note: "unmatched: generic label on a message that belongs to no target",
		e: &email{
			id: "cle-cert-2024q1-0408-77102@barassociation.example", date: at(4, 8, 7, 0, 0, gmt),
			from: cle, to: chloe, subject: "Your Q1 2024 CLE certificate is ready",
			body: text(`
Dear Member,

Your certificate for 6.5 hours of continuing legal education, covering the sessions you attended between 1 January and 31 March 2024, can now be downloaded from your member account.

Please keep it for at least three years; the annual compliance audit samples one member in twenty.

Bar Association CLE Team
`)}})

	put(placed{box: "chloe", labels: []string{"Personal"}, delivered: true, expect: "skipped",
		note: "personal mail, only the label Personal",
		e: &email{
			id: "sl-kurs-20240318-1200@studio-lindenhof.example", date: at(3, 18, 12, 0, 0, cet),
			from: yoga, to: chloe, subject: "Kursänderung: Yoga am Mittwoch jetzt um 19 Uhr",
			body: text(`
Liebe Chloe,

ab nächster Woche beginnt der Mittwochskurs „Yoga nach Feierabend“ um 19 Uhr statt um 18:30 Uhr, weil der Saal bis 18:45 Uhr belegt ist.

Deine Zehnerkarte gilt natürlich weiter.

Namaste
Studio Lindenhof
`)}})

	put(placed{box: "chloe", labels: []string{"Spam", "Category Updates"}, delivered: true, expect: "skipped",
		note: "spam, no filing label",
		e: &email{
			id: "ar-88213-20240321031400@invoice-notice.example", date: at(3, 21, 3, 14, 0, gmt),
			from: phish, to: chloe, subject: "Invoice #88213 overdue – final notice",
			body: text(`
Dear customer,

Invoice #88213 for your domain renewal is now 30 days overdue. To avoid suspension of all services, confirm your payment details within 24 hours using the secure link in your account area.

Accounts Receivable
`)}})

	return out
}

// ---------------------------------------------------------------------------
// Writing.

func main() {
	root := "testdata"
	if _, err := os.Stat(filepath.Join(root, "gen", "main.go")); err != nil {
		log.Fatal("run from the repository root: go run testdata/gen/main.go")
	}
	msgs := corpus()

	// Check the authors' intent against the rule, and IDs.
	seenID := map[string]string{}
	for _, p := range msgs {
		filing, exp := outcome(p.labels, p.e.subject, p.unparsed)
		if p.byPeople && exp == "review" {
			exp = p.expect
		}
		if p.copyOf && strings.HasPrefix(exp, "filed:") {
			exp = p.expect
		}
		if exp != p.expect {
			log.Fatalf("%s %q: declared %s, the rule says %s", p.box, p.e.subject, p.expect, exp)
		}
		_ = filing
		key := p.box + "\x00" + p.e.id
		if _, dup := seenID[key]; dup {
			log.Fatalf("%s holds %s twice", p.box, p.e.id)
		}
		seenID[key] = p.box
	}

	// Order each mailbox by date, give each copy its Gmail message ID
	// (time-derived, as Gmail's are) and its thread ID (the ID of the
	// thread's first message in that mailbox).
	byBox := map[string][]*placed{}
	for _, p := range msgs {
		byBox[p.box] = append(byBox[p.box], p)
	}
	seq := uint64(0)
	for _, mb := range mailboxes {
		list := byBox[mb.Name]
		sort.SliceStable(list, func(i, j int) bool { return list[i].e.date.Before(list[j].e.date) })
		first := map[string]uint64{}
		for i, p := range list {
			seq++
			p.index = i
			p.gmID = uint64(p.e.date.UnixMilli())<<20 | seq<<4
			if p.thread == "" {
				p.thrID = p.gmID
			} else if id, ok := first[p.thread]; ok {
				p.thrID = id
			} else {
				first[p.thread], p.thrID = p.gmID, p.gmID
			}
			if len(strconv.FormatUint(p.gmID, 10)) != 19 {
				log.Fatalf("Gmail ID %d is not 19 digits", p.gmID)
			}
		}
	}

	must(os.MkdirAll(filepath.Join(root, "mbox"), 0o755))
	for _, mb := range mailboxes {
		var b strings.Builder
		for _, p := range byBox[mb.Name] {
			b.WriteString(fmt.Sprintf("From %d@xxx %s\n", p.gmID, p.e.date.UTC().Format("Mon Jan 02 15:04:05 -0700 2006")))
			for _, line := range strings.SplitAfter(p.raw(), "\n") {
				if strings.HasPrefix(strings.TrimLeft(line, ">"), "From ") {
					b.WriteString(">") // mboxrd
				}
				b.WriteString(line)
			}
			b.WriteString("\n") // the empty line after every message
		}
		out := b.String()
		if strings.Contains(out, "\r") {
			log.Fatalf("%s: a CR slipped into the LF text", mb.Name)
		}
		if mb.CRLF {
			out = strings.ReplaceAll(out, "\n", "\r\n")
		}
		inLabels := false
		for _, line := range strings.Split(out, "\n") {
			if len(line) > 998 {
				log.Fatalf("%s: line longer than 998 bytes", mb.Name)
			}
			inLabels = strings.HasPrefix(line, "X-Gmail-Labels:") || (inLabels && strings.HasPrefix(line, " "))
			if !inLabels && !isASCII(line) {
				log.Fatalf("%s: 8-bit byte outside X-Gmail-Labels in %q", mb.Name, line)
			}
		}
		must(os.WriteFile(filepath.Join(root, "mbox", mb.Name+".mbox"), []byte(out), 0o644))
	}

	// EXPECTED.csv
	var exp bytes.Buffer
	w := csv.NewWriter(&exp)
	w.Write([]string{"file", "index", "message_id", "filing_label", "expected", "note"})
	counts := map[string]int{}
	for _, mb := range mailboxes {
		for _, p := range byBox[mb.Name] {
			filing, _ := outcome(p.labels, p.e.subject, p.unparsed)
			e := p.expect
			yn := "no"
			if filing {
				yn = "yes"
			}
			w.Write([]string{mb.Name + ".mbox", strconv.Itoa(p.index), p.e.id, yn, e, p.note})
			counts[e]++
		}
	}
	w.Flush()
	must(w.Error())
	must(os.WriteFile(filepath.Join(root, "mbox", "EXPECTED.csv"), exp.Bytes(), 0o644))

	// matters.csv and matters.json
	var mc bytes.Buffer
	w = csv.NewWriter(&mc)
	w.Write([]string{"id", "number", "title", "kind", "client", "client_name", "participants", "aliases", "labels"})
	for _, t := range targets {
		w.Write([]string{t.ID, t.Number, t.Title, t.Kind, t.Client, t.ClientName,
			strings.Join(t.Participants, ";"), strings.Join(t.Aliases, ";"), strings.Join(t.Labels, ";")})
	}
	w.Flush()
	must(w.Error())
	must(os.WriteFile(filepath.Join(root, "matters.csv"), mc.Bytes(), 0o644))
	var mj bytes.Buffer
	enc := json.NewEncoder(&mj)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	must(enc.Encode(targets))
	must(os.WriteFile(filepath.Join(root, "matters.json"), mj.Bytes(), 0o644))

	must(os.WriteFile(filepath.Join(root, "README.md"), []byte(readme(byBox, counts)), 0o644))

	total := 0
	for _, mb := range mailboxes {
		fmt.Printf("%s.mbox: %d messages\n", mb.Name, len(byBox[mb.Name]))
		total += len(byBox[mb.Name])
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("  %-20s %d\n", k, counts[k])
	}
	fmt.Printf("total %d messages, %d targets\n", total, len(targets))
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

func readme(byBox map[string][]*placed, counts map[string]int) string {
	var b strings.Builder
	b.WriteString(`# Fixtures

Generated by ` + "`go run testdata/gen/main.go`" + ` (run from the repository root);
do not edit the generated files by hand, change the generator and run it
again. ` + "`go run testdata/gen/check.go`" + ` parses every message with package
ingest, decides it with package classify and compares with EXPECTED.csv.

Everything is invented: the firm Harper Legal LLP, its clients, the other
side, the court and the registry. Every domain is under ` + "`.example`" + `.

The files under ` + "`testdata/matters.*`" + ` and ` + "`testdata/mbox/*.mbox`" + ` are embedded in
the binary (` + "`demodata.go`" + `) and are what ` + "`matterfile demo`" + ` files.

## Matters and contracts (matters.csv, matters.json)

| id | number | kind | client | label |
|---|---|---|---|---|
`)
	for _, t := range targets {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | `%s` |\n", t.ID, t.Number, t.Kind, t.Client, strings.Join(t.Labels, "`, `"))
	}
	b.WriteString(`
Acme has two matters and a contract, Müller a matter and a contract. The
CSV exercises RFC 4180 quoting (titles with commas and with double quotes,
a label with a comma); the JSON holds the same six targets.

## Mailboxes (mbox/)

Google Takeout exports, mboxrd: a ` + "`From <19-digit id>@xxx <date>`" + ` line before
each message, an empty line after each, body lines beginning with ` + "`From `" + `
(behind any number of ` + "`>`" + `) escaped with one more ` + "`>`" + `. Each message
starts with Takeout's ` + "`X-GM-THRID`" + ` and ` + "`X-Gmail-Labels`" + ` headers.

| file | mailbox | who | line endings |
|---|---|---|---|
`)
	for _, mb := range mailboxes {
		le := "LF"
		if mb.CRLF {
			le = "CRLF"
		}
		fmt.Fprintf(&b, "| %s.mbox | %s | %s, %s | %s |\n", mb.Name, mb.addr(), mb.Person, mb.Role, le)
	}
	b.WriteString(`
The classification rule the expectations follow (package classify): a
label under ` + "`Matters/`" + ` mapped to a target in matters.csv, or exactly
` + "`Matters/<number>`" + `, or beginning with ` + "`Matters/<number> `" + `; else a target
number in the decoded Subject as a whole token. More than one target is a
conflict and goes to review, no evidence goes to review, and the malformed
message goes to review flagged unparsed. The classifier knows weaker
evidence too (participants, domains, names, thread continuity); where it
files a message the first rule would send to review, the note says why.
A message without a filing label
(a label under ` + "`Matters/`" + ` or exactly ` + "`File to matter`" + `) is skipped by an
import unless ` + "`--all`" + ` is given.

Outcomes: `)
	var parts []string
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, counts[k]))
	}
	b.WriteString(strings.Join(parts, ", ") + ".\n")
	b.WriteString(`
## Every message (mbox/EXPECTED.csv)

| file | # | expected | subject | what it tests |
|---|---|---|---|---|
`)
	for _, mb := range mailboxes {
		for _, p := range byBox[mb.Name] {
			e := p.expect
			fmt.Fprintf(&b, "| %s | %d | %s | %s | %s |\n", mb.Name, p.index, e,
				strings.ReplaceAll(p.e.subject, "|", "\\|"), strings.ReplaceAll(p.note, "|", "\\|"))
		}
	}
	b.WriteString(`
Threads: the Acme v. Beta thread (4 messages) shares one X-GM-THRID in
alice.mbox and appears again in ben.mbox under ben's own thread ID; only the
first message carries the matter label in alice.mbox, as in Gmail, where a
label set on a thread does not spread to later replies.

Three messages lie in two mailboxes each (same Message-ID, same body,
different X-GM-THRID and X-Gmail-Labels; a received copy also has
Delivered-To): the thread start and the draft-opposition reply in alice.mbox
and ben.mbox (whose copies also differ in line endings, CRLF against LF),
and the Müller clause 9 redline in ben.mbox (Sent) and chloe.mbox (Inbox).
Every copy's raw bytes differ. The redline is taken from both mailboxes:
the first copy filed is the message, the second (same Message-ID, same body
and attachments) only adds its mailbox as a custodian, so EXPECTED.csv says
"custodian" for chloe.mbox's copy.

Every body has at least one long sentence found nowhere else, and every
attachment carries a distinctive ASCII string (PDF text, a PNG tEXt chunk,
an uncompressed .docx, CSV), so that tests can scan a store for plaintext.
`)
	return b.String()
}
