package ingest

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/emersion/go-message/textproto"
	htmlcharset "golang.org/x/net/html/charset"
)

const (
	// decodeWindow is how many decoded bytes of a part are looked at before
	// the part is written: a decode problem found within it means the part
	// is stored undecoded. Past it the part streams, and bytes already
	// streamed cannot be taken back.
	decodeWindow = 1 << 20
	// rawWindow is how far into the raw bytes damage still makes a part
	// stay raw; the raw bytes are kept meanwhile (plus one decoder chunk).
	rawWindow = 4 << 20
	// topBufSize is the read buffer over the input.
	topBufSize = 64 << 10
	// copyBufSize is the buffer parts stream through.
	copyBufSize = 32 << 10
	// maxReasons bounds Message.Reason on input built to produce many.
	maxReasons = 20
)

// Parse reads one raw RFC 822 message from r and streams its parts into
// sink. It reads r once, front to back, and may stop before the end (at a
// limit, or after the last part): the caller drains what is left. It
// returns an error only when r or the sink fails; bad input of any kind
// gives a Message with Unparsed, Flags and Reason set as needed.
//
// Parts are stored in the order they are met, except the HTML body, which
// is stored last: its cid: references can only be resolved once the parts
// they name (which usually follow it) have their indexes.
func Parse(r io.Reader, sink PartSink, lim Limits) (*Message, error) {
	lim = lim.withDefaults()
	p := &parser{
		lim:  lim,
		sink: sink,
		src:  &source{r: r, max: lim.MaxMessageBytes},
		msg:  &Message{},
		cids: map[string]int{},
		buf:  make([]byte, copyBufSize),
		text: excerpt{max: lim.TextExcerpt},
	}
	if err := p.run(); err != nil {
		return nil, err
	}
	return p.msg, nil
}

type parser struct {
	lim  Limits
	sink PartSink
	src  *source
	msg  *Message
	buf  []byte

	nparts   int  // MIME parts seen, all levels
	stop     bool // a limit ended the walk
	bodies   int  // text and HTML bodies found so far
	haveText bool
	haveHTML bool
	text     excerpt
	htmlText string
	html     *pendingHTML
	cids     map[string]int // Content-ID → index of the stored part
	reasons  []string
}

type pendingHTML struct {
	info    PartInfo
	doc     []byte // sanitized, cid: URLs unresolved
	charset string
	err     string
}

func (p *parser) run() error {
	src := p.src
	src.beginHeader(p.lim.MaxHeaderBytes + topBufSize)
	src.recording = true
	br := bufio.NewReaderSize(src, topBufSize)
	h, err := textproto.ReadHeader(br)
	if err != nil {
		if src.err != nil {
			return readError(src.err)
		}
		rec := src.rec
		src.recording, src.rec = false, nil
		if src.hdrLimit {
			p.limitHit(FlagLimitHeader, fmt.Sprintf("header: larger than %d bytes", p.lim.MaxHeaderBytes))
			fillHeader(p.msg, readHeaderLeniently(bufio.NewReader(bytes.NewReader(rec))))
			return p.finish()
		}
		// go-message rejected the header. Read it again from the first
		// byte, leniently, and go on: the message is marked unparsed (a
		// person must look), but its fields still help to match it and its
		// parts still help whoever looks.
		p.unparsed("header: " + describeHeaderError(err) + "; read leniently")
		br = bufio.NewReaderSize(io.MultiReader(bytes.NewReader(rec), src), topBufSize)
		h = readHeaderLeniently(br)
		if src.err != nil {
			return readError(src.err)
		}
		if src.hdrLimit {
			p.limitHit(FlagLimitHeader, fmt.Sprintf("header: larger than %d bytes", p.lim.MaxHeaderBytes))
			fillHeader(p.msg, h)
			return p.finish()
		}
	}
	src.recording, src.rec = false, nil
	src.endHeader()
	fillHeader(p.msg, h)
	if err := p.entity(h, &endReader{r: br}, 0, true, ""); err != nil {
		return err
	}
	p.sourceStopped()
	return p.finish()
}

func readError(err error) error {
	return fmt.Errorf("ingest: read message: %w", err)
}

// entity handles one MIME entity: a multipart is walked, anything else is
// a leaf. depth counts the multiparts around it; bodyPos says whether it
// may hold the message body (see multipart).
func (p *parser) entity(h textproto.Header, body *endReader, depth int, bodyPos bool, parent string) error {
	ct := parseMediaType(h.Get("Content-Type"))
	typ := ct.value
	if !validMediaType(typ) {
		typ = ""
	}
	if strings.HasPrefix(typ, "multipart/") {
		if b := ct.params["boundary"]; b != "" && len(b) <= 1000 {
			return p.multipart(typ, b, body, depth, bodyPos)
		}
		// go-message gives up here; the body is still worth keeping.
		p.flag(FlagMultipartNoBoundary, "multipart without a usable boundary read as one text part")
		typ = "text/plain"
	}
	return p.leaf(h, ct, typ, body, bodyPos, parent)
}

// multipart walks the parts of one multipart entity. The body is the
// first text/plain and text/html leaf in body position: the entity itself
// at the top; in multipart/alternative every alternative; in
// multipart/related its root (the first part); elsewhere (mixed, signed,
// report, ...) parts until one of them held a body. That is counted per
// multipart, not per message: in alternative[text/plain,
// mixed[text/html, image, ...]] (Apple Mail's inline images) the HTML
// alternative is a body although the text one came first. Everything
// else is an attachment.
func (p *parser) multipart(typ, boundary string, body *endReader, depth int, bodyPos bool) error {
	if depth >= p.lim.MaxDepth {
		p.limitHit(FlagLimitDepth, fmt.Sprintf("multipart nested deeper than %d levels", p.lim.MaxDepth))
		return nil
	}
	// The budget covers the preamble too: textproto reads both in
	// NextPart. The slack covers the buffers between here and the input,
	// one per level.
	budget := p.lim.MaxHeaderBytes + topBufSize + int64(depth+2)*8192
	// Until the first part is found, what the multipart reader reads is
	// kept (within the header budget): if no part can be read, that and
	// the rest of the body are stored as one text part instead of lost.
	capture := &captureReader{r: body, max: budget, on: true}
	mr := textproto.NewMultipartReader(capture, boundary)
	bodiesBefore := p.bodies
	for n := 0; !p.stop; n++ {
		p.src.beginHeader(budget)
		part, err := mr.NextPart()
		p.src.endHeader()
		head := capture.buf
		capture.on, capture.buf = false, nil
		if p.src.err != nil {
			return readError(p.src.err)
		}
		if p.sourceStopped() || err == io.EOF {
			return nil
		}
		if err != nil && n == 0 {
			return p.unreadableMultipart(err, head, body, bodyPos)
		}
		if err != nil {
			p.multipartError(err, boundary)
			return nil
		}
		p.nparts++
		if p.nparts > p.lim.MaxParts {
			p.limitHit(FlagLimitParts, fmt.Sprintf("more than %d MIME parts", p.lim.MaxParts))
			return nil
		}
		childPos := bodyPos
		switch typ {
		case "multipart/alternative":
		case "multipart/related":
			childPos = bodyPos && n == 0
		default:
			childPos = bodyPos && p.bodies == bodiesBefore
		}
		pr := &endReader{r: part}
		if err := p.entity(part.Header, pr, depth+1, childPos, typ); err != nil {
			return err
		}
		if p.stop {
			return nil
		}
		// Whatever the child left (a nested multipart's epilogue) is read
		// here, outside the next header budget.
		if _, err := io.CopyBuffer(io.Discard, pr, p.buf); err != nil {
			return readError(err)
		}
		if p.src.err != nil {
			return readError(p.src.err)
		}
		if p.sourceStopped() {
			return nil
		}
	}
	return nil
}

// describeMultipartError names why go-message's multipart reader stopped.
// Its errors are formatted with %v, so only their text tells them apart;
// none of that text is copied, since it quotes input.
func describeMultipartError(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "NextPart: EOF"), strings.Contains(msg, "unexpected EOF"):
		return "multipart: end of input before the final boundary"
	case strings.Contains(msg, "malformed MIME header"):
		return "multipart: part header: " + describeHeaderError(err)
	case strings.Contains(msg, "expecting a new Part"), strings.Contains(msg, "unexpected line"):
		return "multipart: unexpected line between parts"
	case strings.Contains(msg, "buffer full"):
		return "multipart: line longer than 4 KiB outside a part"
	}
	return "multipart: malformed"
}

// multipartError records why the walk of a multipart stopped after at
// least one part.
func (p *parser) multipartError(err error, boundary string) {
	msg := err.Error()
	if strings.Contains(msg, "NextPart: EOF") || strings.Contains(msg, "unexpected EOF") {
		p.flag(FlagMultipartUnterminated, "multipart: final boundary missing")
		return
	}
	// A final boundary with something glued to it ("--b-->", "--b-"): all
	// parts were read; what follows is epilogue.
	for _, sep := range []string{"unexpected line in Next(): ", "got line "} {
		if _, q, ok := strings.Cut(msg, sep); ok {
			if line, err := strconv.Unquote(q); err == nil && strings.HasPrefix(line, "--"+boundary+"-") {
				p.flag(FlagMultipartUnterminated, "multipart: final boundary malformed")
				return
			}
		}
	}
	p.unparsed(describeMultipartError(err) + "; rest of the multipart not read")
}

// unreadableMultipart handles a multipart in which not even the first part
// could be read. Blank space is an empty multipart; anything else is kept
// as one text part (the multipart body as it came), so that a person can
// read it and matching can use it.
func (p *parser) unreadableMultipart(err error, head []byte, body *endReader, bodyPos bool) error {
	eof := strings.Contains(err.Error(), "EOF")
	if eof && len(bytes.TrimSpace(head)) == 0 {
		return nil
	}
	p.unparsed(describeMultipartError(err) + "; no part read, body kept as one text part")
	info := PartInfo{Kind: KindAttachment, ContentType: "text/plain"}
	text := bodyPos && !p.haveText
	if text {
		info.Kind = KindText
		p.haveText = true
		p.bodies++
	}
	dec := &rawReader{r: io.MultiReader(bytes.NewReader(head), body)}
	out, _ := charsetDecoder("", dec)
	return p.stream(partStream{info: info, body: body, rec: &recorder{off: true}, dec: dec, out: out, text: text})
}

// isToken reports whether s is an RFC 2045 token.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?=`, c) >= 0 {
			return false
		}
	}
	return true
}

func validMediaType(t string) bool {
	i := strings.IndexByte(t, '/')
	return i > 0 && i < len(t)-1 && strings.Count(t, "/") == 1 && len(t) <= 255 &&
		!strings.ContainsAny(t, " \t\"")
}

// leaf stores one non-multipart entity as the text body, the HTML body or
// an attachment.
func (p *parser) leaf(h textproto.Header, ct mediaType, typ string, body *endReader, bodyPos bool, parent string) error {
	sniff := typ == "application/octet-stream"
	if typ == "" {
		// RFC 2045 §5.2 and RFC 2046 §5.1.5 defaults; a missing type is
		// sniffed, but a digest's default is as good as a declaration.
		typ, sniff = "text/plain", true
		if parent == "multipart/digest" {
			typ, sniff = "message/rfc822", false
		}
	}
	disp := parseMediaType(h.Get("Content-Disposition"))
	if !isToken(disp.value) {
		// RFC 2183's "an unknown disposition is an attachment" is about
		// unknown words; a value that is no word at all ("=?utf-8?Q?x?=")
		// says nothing, and must not make a lone body an attachment.
		disp.value = ""
	}
	name := disp.params["filename"]
	if name == "" {
		name = ct.params["name"]
	}
	name = decodeText(name)
	info := PartInfo{ContentType: typ, ContentID: contentID(h.Get("Content-Id"))}
	// RFC 2183: an unknown disposition is treated as attachment.
	info.Inline = disp.value == "inline" || (disp.value == "" && info.ContentID != "")
	bodyCandidate := bodyPos && (disp.value == "" || disp.value == "inline") && name == ""
	cs := ""
	if strings.HasPrefix(typ, "text/") {
		cs = normalizeCharset(ct.params["charset"])
	}
	enc := transferEncodingOf(h.Get("Content-Transfer-Encoding"))

	switch {
	case typ == "text/plain" && bodyCandidate && !p.haveText:
		p.haveText = true
		p.bodies++
		info.Kind = KindText
		rec := &recorder{r: body, max: rawWindow + 64<<10}
		dec := newTransferDecoder(enc, rec)
		out, ok := charsetDecoder(cs, dec)
		note := ""
		if !ok {
			note = "unknown charset; bytes kept as they are"
		}
		redecode := func(r io.Reader) io.Reader {
			out, _ := charsetDecoder(cs, newTransferDecoder(enc, r))
			return out
		}
		return p.stream(partStream{info: info, charset: cs, body: body, rec: rec, dec: dec, out: out, text: true, note: note, redecode: redecode})
	case typ == "text/html" && bodyCandidate && !p.haveHTML:
		p.haveHTML = true
		p.bodies++
		info.Kind = KindHTML
		return p.storeHTML(info, cs, enc, body)
	}
	info.Kind = KindAttachment
	info.Filename = name
	rec := &recorder{r: body, max: rawWindow + 64<<10}
	dec := newTransferDecoder(enc, rec)
	return p.stream(partStream{info: info, charset: cs, body: body, rec: rec, dec: dec, out: dec, sniff: sniff})
}

// partStream is one part on its way to the sink.
type partStream struct {
	info    PartInfo
	charset string
	body    *endReader // raw, transfer-encoded
	rec     *recorder  // the raw bytes dec consumed, while the window is open
	dec     decoder    // transfer decoder reading rec
	out     io.Reader  // what is stored: dec, or dec through a charset decoder
	sniff   bool       // ContentType comes from the first bytes
	text    bool       // feeds Message.Text
	note    string     // a problem known before reading
	prefix  []byte     // bytes already read from out (the HTML fallback)
	// redecode builds the decoders again over raw bytes, for the excerpt
	// of a text body stored raw.
	redecode func(io.Reader) io.Reader
}

// stream stores a part: it reads up to decodeWindow decoded bytes, keeps
// the part raw if the decoder reported a problem by then, and otherwise
// writes what it read and streams the rest, capped at MaxPartBytes.
func (p *parser) stream(ps partStream) error {
	maxPart := p.lim.MaxPartBytes
	win := min(int64(decodeWindow), maxPart+1)
	head := ps.prefix
	var convErr error
	// Whether a part stays raw must depend only on where the damage is,
	// not on how far the decoders happened to read: both passes of the
	// worker must store the same bytes. Damage before the window's end is
	// always seen by the time the window is full, since decoding past it
	// takes reading it.
	early := func() bool {
		d, bad := firstBroken(ps.dec.issues())
		return bad && d.out < win && d.raw < rawWindow
	}
	eof := false
	if head == nil {
		head = make([]byte, 0, min(win, 64<<10))
		for int64(len(head)) < win && !early() && !ps.rec.over {
			if len(head) == cap(head) {
				head = grow(head, 1)
			}
			n, err := ps.out.Read(head[len(head):min(int64(cap(head)), win)])
			head = head[:len(head)+n]
			if err == io.EOF {
				eof = true
				break
			}
			if err != nil {
				convErr = err
				break
			}
		}
	}
	if ps.body.err != nil && p.src.err != nil {
		return readError(p.src.err)
	}

	dmg, _ := firstBroken(ps.dec.issues())
	raw := ps.prefix == nil && !ps.rec.over && (early() || convErr != nil)
	info := ps.info
	var src io.Reader
	var prefix []byte
	if raw {
		// Broken early: keep the part as the bytes it came as.
		prefix, src = ps.rec.buf, ps.body
	} else {
		if ps.sniff && !eof && convErr == nil {
			// Sniffing looks at 512 bytes; the window may have stopped
			// short of them (raw input that decodes to little).
			for len(head) < min(512, cap(head)) {
				n, err := ps.out.Read(head[len(head):min(512, cap(head))])
				head = head[:len(head)+n]
				if err != nil {
					eof, convErr = err == io.EOF, err
					if eof {
						convErr = nil
					}
					break
				}
			}
		}
		prefix, src = head, ps.out
		if convErr != nil || eof {
			src = eofReader{}
		}
		if ps.sniff {
			info.ContentType = sniffType(head)
		}
	}
	ps.rec.stop()
	var rawHead *excerpt
	if ps.text {
		if raw {
			// For matching, a lenient decoding beats none: the first raw
			// bytes are decoded again once stored (not the head read so
			// far, whose length depends on buffering).
			rawHead = &excerpt{max: 4*p.lim.TextExcerpt + 64<<10}
			rawHead.write(prefix)
			src = io.TeeReader(src, rawHead)
		} else {
			p.text.write(head)
			src = io.TeeReader(src, &p.text)
		}
	}

	w, err := p.create(&info)
	if err != nil {
		return err
	}
	var trunc bool
	late := ""
	if int64(len(prefix)) > maxPart {
		prefix, trunc = prefix[:maxPart], true
	}
	if _, err := w.Write(prefix); err != nil {
		return w.fail(err)
	}
	if !trunc {
		_, more, rerr, werr := p.pump(w, src, maxPart-int64(len(prefix)))
		if werr != nil {
			return w.fail(werr)
		}
		if rerr != nil && !raw {
			late = "charset conversion failed; part truncated"
		}
		trunc = more
	}
	if ps.body.err != nil && p.src.err != nil {
		return w.fail(readError(p.src.err))
	}
	if rawHead != nil {
		if _, err := io.Copy(&p.text, io.LimitReader(ps.redecode(bytes.NewReader(rawHead.b)), p.lim.TextExcerpt+4)); err != nil {
			return w.fail(readError(err))
		}
	}

	part := Part{PartInfo: info, Charset: ps.charset, Error: ps.note}
	switch {
	case raw && convErr != nil && !early():
		part.Error = joinProblems(part.Error, "charset conversion failed; stored undecoded")
	case raw:
		part.Error = joinProblems(part.Error, dmg.what+"; stored undecoded")
	default:
		// Past a cut, how much was decoded depends on buffering; only
		// what lies within the stored bytes is reported.
		limit := int64(math.MaxInt64)
		if trunc {
			limit = maxPart
		}
		desc := joinProblems(describeIssues(ps.dec.issues(), limit), late)
		if d, bad := firstBroken(ps.dec.issues()); (bad && d.out <= limit) || late != "" {
			desc += "; decoded leniently (found too late to keep the part undecoded)"
		}
		part.Error = joinProblems(part.Error, desc)
	}
	if part.Error != "" {
		p.flag(FlagPartDecodeError, fmt.Sprintf("part %d: decode problem", info.Index))
	}
	if trunc {
		part.Error = joinProblems(part.Error, fmt.Sprintf("larger than %d bytes; truncated", maxPart))
		p.limitPart(info.Index)
		// The rest is read raw, not decoded: nothing of it is kept.
		if _, err := io.CopyBuffer(io.Discard, ps.body, p.buf); err != nil {
			return w.fail(readError(err))
		}
		if ps.body.err != nil && p.src.err != nil {
			return w.fail(readError(p.src.err))
		}
	}
	if p.src.msgLimit {
		part.Error = joinProblems(part.Error, "message limit reached; part truncated")
	}
	return p.commit(w, part)
}

// storeHTML reads the HTML body (it must be whole to be sanitized), and
// keeps it sanitized for finish to store; one too large to hold goes to
// stream as an unsanitized attachment.
func (p *parser) storeHTML(info PartInfo, cs string, enc transferEncoding, body *endReader) error {
	dec := newTransferDecoder(enc, body)
	limit := min(int64(maxHTMLBytes), p.lim.MaxPartBytes)
	doc, over, err := readCapped(dec, limit)
	if err != nil {
		return readError(err)
	}
	if body.err != nil && p.src.err != nil {
		return readError(p.src.err)
	}
	if over {
		if !p.haveText {
			p.htmlText = plainText(doc, p.lim.TextExcerpt)
		}
		info.Kind = KindAttachment
		p.flag(FlagHTMLUnsanitized, fmt.Sprintf("HTML body larger than %d bytes stored unsanitized as an attachment", limit))
		return p.stream(partStream{
			info: info, charset: cs, body: body, rec: &recorder{off: true}, dec: dec, out: dec, prefix: doc,
		})
	}
	doc, note := htmlToUTF8(doc, cs)
	if !p.haveText || strings.TrimSpace(p.text.String()) == "" {
		p.htmlText = plainText(doc, p.lim.TextExcerpt)
	}
	problem := joinProblems(note, describeIssues(dec.issues(), limit))
	if _, bad := firstBroken(dec.issues()); bad {
		// The sanitized view cannot be built from undecoded bytes; the
		// lenient decoding is safe to show once sanitized.
		problem += "; decoded leniently"
	}
	if problem != "" {
		p.flag(FlagPartDecodeError, "HTML body: decode problem")
	}
	p.html = &pendingHTML{info: info, doc: sanitizeHTML(doc), charset: cs, err: problem}
	return nil
}

// htmlToUTF8 converts an HTML body to UTF-8: by its declared charset, else
// by its BOM or <meta> charset, else as UTF-8 or Windows-1252.
func htmlToUTF8(doc []byte, cs string) ([]byte, string) {
	if cs == "" {
		if e, name, _ := htmlcharset.DetermineEncoding(doc, "text/html"); e != nil && name != "utf-8" && name != "windows-1252" {
			if out, err := e.NewDecoder().Bytes(doc); err == nil {
				return out, ""
			}
		}
	}
	r, ok := charsetDecoder(cs, bytes.NewReader(doc))
	if !ok {
		return []byte(utf8OrLatin1String(string(doc))), "unknown charset; read as UTF-8 or Windows-1252"
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return []byte(utf8OrLatin1String(string(doc))), "charset conversion failed; read as UTF-8 or Windows-1252"
	}
	return out, ""
}

// finish stores the HTML body, sets Text and Reason.
func (p *parser) finish() error {
	if h := p.html; h != nil {
		p.html = nil
		doc := rewriteURLs(h.doc, func(cid string) (int, bool) {
			i, ok := p.cids[cidKey(cid)]
			return i, ok
		})
		info := h.info
		w, err := p.create(&info)
		if err != nil {
			return err
		}
		if _, err := w.Write(doc); err != nil {
			return w.fail(err)
		}
		if err := p.commit(w, Part{PartInfo: info, Charset: h.charset, Error: h.err}); err != nil {
			return err
		}
	}
	if len(p.msg.Parts) == 0 && !p.msg.Unparsed {
		// Every filed message has a body to show, even an empty one.
		p.flag(FlagEmptyBody, "no content part; an empty text body was stored")
		info := PartInfo{Kind: KindText, ContentType: "text/plain"}
		w, err := p.create(&info)
		if err != nil {
			return err
		}
		if err := p.commit(w, Part{PartInfo: info}); err != nil {
			return err
		}
	}
	text := p.text.String()
	if strings.TrimSpace(text) == "" {
		text = p.htmlText
	}
	p.msg.Text = cutUTF8(text, p.lim.TextExcerpt)
	if len(p.reasons) > maxReasons {
		p.reasons = append(p.reasons[:maxReasons], "more problems not listed")
	}
	p.msg.Reason = strings.Join(p.reasons, "; ")
	return nil
}

// partWriter is a sink writer that counts and hashes what it is given.
type partWriter struct {
	w   io.WriteCloser
	idx int
	h   hash.Hash
	n   int64
}

func (pw *partWriter) Write(b []byte) (int, error) {
	n, err := pw.w.Write(b)
	pw.h.Write(b[:n])
	pw.n += int64(n)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	return n, err
}

// fail ends the part without committing it and returns err.
func (pw *partWriter) fail(err error) error {
	if a, ok := pw.w.(interface{ Abort(error) }); ok {
		a.Abort(err)
	} else {
		pw.w.Close()
	}
	if strings.HasPrefix(err.Error(), "ingest: ") {
		return err
	}
	return fmt.Errorf("ingest: write part %d: %w", pw.idx, err)
}

// create starts the next stored part; it assigns info's index and, for
// attachments, its sanitized filename.
func (p *parser) create(info *PartInfo) (*partWriter, error) {
	info.Index = len(p.msg.Parts)
	if info.Kind == KindAttachment {
		info.Filename = SanitizeFilename(info.Filename, info.Index)
	} else {
		info.Filename = ""
	}
	w, err := p.sink.CreatePart(*info)
	if err != nil {
		return nil, fmt.Errorf("ingest: create part %d: %w", info.Index, err)
	}
	if w == nil {
		return nil, fmt.Errorf("ingest: create part %d: sink returned no writer", info.Index)
	}
	// Placeholder until commit: a part's index is its position.
	p.msg.Parts = append(p.msg.Parts, Part{PartInfo: *info})
	return &partWriter{w: w, idx: info.Index, h: sha256.New()}, nil
}

func (p *parser) commit(w *partWriter, part Part) error {
	if err := w.w.Close(); err != nil {
		return fmt.Errorf("ingest: close part %d: %w", part.Index, err)
	}
	part.Size = w.n
	part.SHA256 = hex.EncodeToString(w.h.Sum(nil))
	p.msg.Parts[part.Index] = part
	if part.Kind == KindAttachment && part.ContentID != "" {
		if _, dup := p.cids[cidKey(part.ContentID)]; !dup {
			p.cids[cidKey(part.ContentID)] = part.Index
		}
	}
	return nil
}

// pump copies src to w until src ends or max bytes were copied; more
// reports whether src had bytes beyond max.
func (p *parser) pump(w io.Writer, src io.Reader, max int64) (n int64, more bool, rerr, werr error) {
	for {
		chunk := p.buf
		if rem := max - n; rem < int64(len(chunk)) {
			chunk = chunk[:rem]
		}
		if len(chunk) == 0 {
			var one [1]byte
			for {
				k, err := src.Read(one[:])
				if k > 0 {
					return n, true, nil, nil
				}
				if err == io.EOF {
					return n, false, nil, nil
				}
				if err != nil {
					return n, false, err, nil
				}
			}
		}
		k, err := src.Read(chunk)
		if k > 0 {
			if _, werr := w.Write(chunk[:k]); werr != nil {
				return n, false, nil, werr
			}
			n += int64(k)
		}
		if err == io.EOF {
			return n, false, nil, nil
		}
		if err != nil {
			return n, false, err, nil
		}
	}
}

func sniffType(b []byte) string {
	t := http.DetectContentType(b)
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = t[:i]
	}
	return strings.TrimSpace(t)
}

func joinProblems(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// captureReader keeps what is read through it while on, up to max bytes.
type captureReader struct {
	r   io.Reader
	buf []byte
	max int64
	on  bool
}

func (c *captureReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	if c.on && n > 0 {
		if int64(len(c.buf)+n) > c.max {
			c.on, c.buf = false, nil
		} else {
			c.buf = append(c.buf, b[:n]...)
		}
	}
	return n, err
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// excerpt keeps the first bytes of the text body for Message.Text.
type excerpt struct {
	b   []byte
	max int64
}

func (e *excerpt) Write(b []byte) (int, error) {
	e.write(b)
	return len(b), nil
}

func (e *excerpt) write(b []byte) {
	room := e.max + 4 - int64(len(e.b)) // a rune cut at the end is dropped later
	if room <= 0 {
		return
	}
	if int64(len(b)) > room {
		b = b[:room]
	}
	e.b = append(e.b, b...)
}

func (e *excerpt) String() string {
	return utf8OrLatin1String(string(e.b))
}

func (p *parser) flag(f, reason string) {
	found := false
	for _, g := range p.msg.Flags {
		found = found || g == f
	}
	if !found {
		p.msg.Flags = append(p.msg.Flags, f)
	}
	p.reason(reason)
}

func (p *parser) reason(r string) {
	for _, q := range p.reasons {
		if q == r {
			return
		}
	}
	p.reasons = append(p.reasons, r)
}

func (p *parser) unparsed(reason string) {
	p.msg.Unparsed = true
	p.flag(FlagUnparsed, reason)
}

// limitHit records a limit that ends the walk.
func (p *parser) limitHit(f, reason string) {
	p.stop = true
	p.msg.Unparsed = true
	p.flag(FlagUnparsed, reason)
	p.flag(f, reason)
}

// limitPart records a part cut at MaxPartBytes; the walk goes on.
func (p *parser) limitPart(idx int) {
	p.msg.Unparsed = true
	r := fmt.Sprintf("part %d larger than %d bytes; truncated", idx, p.lim.MaxPartBytes)
	p.flag(FlagUnparsed, r)
	p.flag(FlagLimitPart, r)
}

// sourceStopped records a limit the source hit, if any.
func (p *parser) sourceStopped() bool {
	switch {
	case p.src.msgLimit:
		p.limitHit(FlagLimitMessage, fmt.Sprintf("message larger than %d bytes", p.lim.MaxMessageBytes))
		return true
	case p.src.hdrLimit:
		p.limitHit(FlagLimitHeader, fmt.Sprintf("part header or preamble larger than %d bytes", p.lim.MaxHeaderBytes))
		return true
	}
	return false
}
