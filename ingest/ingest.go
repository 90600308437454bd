// Package ingest owns turning raw RFC 822 bytes into a structured view of a
// message: its header fields for matching, a bounded plain-text excerpt, and
// the decoded parts (text body, sanitized HTML body, attachments) streamed
// into a PartSink one after another.
//
// Three promises shape everything here:
//
//   - Never drop a message. Bad input is never an error: whatever cannot be
//     parsed is reported on the Message (Unparsed, Flags, Reason) and the
//     caller still stores the raw bytes, which stay the evidence. Parse
//     returns an error only when the reader or the sink fails.
//   - Never hold an attachment in memory. Parse reads its input once, as a
//     stream; only header blocks, a bounded text excerpt, a bounded look-ahead
//     window per part and the HTML body (capped, because the sanitizer needs
//     the whole document) are ever held. Every structure go-message does not
//     cap itself (nesting depth, number of parts, header size, decoded part
//     size, message size) is capped by Limits.
//   - Never log header values. This package logs nothing, and no error,
//     Reason or Part.Error it produces quotes a header value, subject,
//     address or filename: those live only in the (encrypted) manifest.
//
// Parsing uses the header and multipart readers of
// github.com/emersion/go-message/textproto, so the structure seen is the one
// go-message sees, and decodes transfer encodings and charsets itself: that
// is what lets a part that fails to decode be stored undecoded instead of
// being lost.
package ingest

import (
	"io"
	"time"
)

// PartSink receives decoded part bodies as they stream out of the parser.
type PartSink interface {
	// CreatePart is called once per stored part, in order; the parser writes
	// the decoded body and closes it.
	//
	// If parsing fails while a part is being written (an I/O error of the
	// input or of the writer), Parse calls Abort(err) instead of Close when
	// the writer has such a method, so that an incomplete part is never
	// committed; otherwise it closes the writer and returns the error.
	CreatePart(p PartInfo) (io.WriteCloser, error)
}

// PartInfo describes a stored part before its body is written.
type PartInfo struct {
	Index       int    `json:"index"`                // 0-based order of stored parts
	Kind        string `json:"kind"`                 // KindText, KindHTML or KindAttachment
	ContentType string `json:"content_type"`         // declared media type, lower-case, no params; sniffed for attachments when missing or application/octet-stream
	Filename    string `json:"filename,omitempty"`   // sanitized by SanitizeFilename; empty for body parts
	ContentID   string `json:"content_id,omitempty"` // without <>
	Inline      bool   `json:"inline,omitempty"`     // Content-Disposition inline, or a Content-ID without disposition
}

// Part kinds.
const (
	KindText       = "text"       // the text/plain body, decoded to UTF-8 unless Part.Error says otherwise
	KindHTML       = "html"       // the HTML body, sanitized
	KindAttachment = "attachment" // everything else, transfer-decoded only
)

// Part is recorded in the manifest after its body was written.
type Part struct {
	PartInfo
	Size    int64  `json:"size"`              // bytes written to the sink
	SHA256  string `json:"sha256"`            // hex, of the bytes written to the sink
	Charset string `json:"charset,omitempty"` // declared charset, lower-case
	// Error describes a decode problem; it never quotes input. Damage
	// (base64 outside its alphabet, an unknown transfer encoding, a failed
	// charset conversion) within the first MiB of a part keeps the part
	// undecoded: its raw transfer-encoded bytes are stored. Past that
	// point the bytes already streamed cannot be taken back, so the rest
	// is decoded leniently and Error says so; the HTML body, which must be
	// sanitized, is always decoded leniently. Harmless oddities (a literal
	// '=' in quoted-printable, an unknown charset whose bytes are kept as
	// they are) are noted with the part decoded. The raw message stays
	// the evidence either way.
	Error string `json:"error,omitempty"`
}

// Address is one mailbox of an address header.
type Address struct {
	Name string `json:"name,omitempty"`
	Addr string `json:"addr,omitempty"` // local part as is, domain lower-cased and IDN in Unicode
}

// Message is the structured view of one raw message.
type Message struct {
	MessageID   string    `json:"message_id,omitempty"`
	InReplyTo   string    `json:"in_reply_to,omitempty"`
	References  []string  `json:"references,omitempty"`
	From        []Address `json:"from,omitempty"`
	Sender      []Address `json:"sender,omitempty"`
	ReplyTo     []Address `json:"reply_to,omitempty"`
	To          []Address `json:"to,omitempty"`
	Cc          []Address `json:"cc,omitempty"`
	Bcc         []Address `json:"bcc,omitempty"`
	DeliveredTo []Address `json:"delivered_to,omitempty"`
	// Subject is decoded (RFC 2047 in any charset go-message knows; raw
	// 8-bit bytes as UTF-8, or Windows-1252 where they are not UTF-8), with
	// control characters replaced by spaces.
	Subject string `json:"subject,omitempty"`
	// Date is in UTC; zero if missing or unparseable.
	Date          time.Time `json:"date,omitzero"`
	DateHeader    string    `json:"date_header,omitempty"`
	GmailLabels   []string  `json:"gmail_labels,omitempty"`
	GmailThreadID string    `json:"gmail_thread_id,omitempty"`
	// Text is the plain text for matching: the text/plain body, or a plain
	// rendition of the HTML body; at most Limits.TextExcerpt bytes.
	Text  string `json:"text,omitempty"`
	Parts []Part `json:"parts,omitempty"`
	// Unparsed is set when the structured view may miss content that is in
	// the raw message: go-message rejected a header or the multipart
	// structure, or a limit stopped the walk. The raw message must be
	// stored and a person must look at it.
	Unparsed bool     `json:"unparsed,omitempty"`
	Flags    []string `json:"flags,omitempty"`
	// Reason explains Unparsed and Flags; it never quotes header values.
	Reason string `json:"reason,omitempty"`
}

// Flags set on a Message.
const (
	FlagUnparsed              = "unparsed"
	FlagLimitDepth            = "limit:depth"
	FlagLimitParts            = "limit:parts"
	FlagLimitHeader           = "limit:header"
	FlagLimitPart             = "limit:part"
	FlagLimitMessage          = "limit:message"
	FlagPartDecodeError       = "part-decode-error"
	FlagMultipartUnterminated = "multipart-unterminated"
	FlagMultipartNoBoundary   = "multipart-no-boundary"
	FlagHTMLUnsanitized       = "html-unsanitized"
	FlagEmptyBody             = "empty-body"
)

// Limits bound what one message may cost. A zero field takes its default.
type Limits struct {
	MaxDepth        int   // nested multiparts
	MaxParts        int   // MIME parts at all levels
	MaxHeaderBytes  int64 // per header block (message or part), a part's preamble included
	MaxPartBytes    int64 // decoded bytes per part
	MaxMessageBytes int64 // raw bytes read from the input
	TextExcerpt     int64 // bytes of Message.Text
}

// DefaultLimits returns the limits of security.md "MIME hardening".
func DefaultLimits() Limits {
	return Limits{
		MaxDepth:        32,
		MaxParts:        1000,
		MaxHeaderBytes:  1 << 20,
		MaxPartBytes:    256 << 20,
		MaxMessageBytes: 1 << 30,
		TextExcerpt:     256 << 10,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxParts <= 0 {
		l.MaxParts = d.MaxParts
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = d.MaxHeaderBytes
	}
	if l.MaxPartBytes <= 0 {
		l.MaxPartBytes = d.MaxPartBytes
	}
	if l.MaxMessageBytes <= 0 {
		l.MaxMessageBytes = d.MaxMessageBytes
	}
	if l.TextExcerpt <= 0 {
		l.TextExcerpt = d.TextExcerpt
	}
	return l
}
