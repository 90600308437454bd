// Package mbox splits mbox files, as Google Takeout writes them, into
// messages, as a stream.
//
// Takeout writes mboxrd: a "From " separator line before each message, and
// in a message every line that begins with "From " behind any number of
// '>' gets one more '>'. Reading undoes that. Two consequences of the
// format are fixed here so that writing and splitting round-trip:
//
//   - The line break that ends the last line before a separator, or before
//     the end of the file, belongs to the format, not to the message:
//     writers put an empty line (or at least a line break) after every
//     message. Exactly one line break (LF or CRLF) is dropped there.
//     WriteMessage adds exactly one, so a message with or without a final
//     line break comes back as it was written.
//   - Every line that begins with "From " (not escaped) starts a message.
//     An mbox written without escaping splits such a message in two;
//     nothing is dropped either way.
//
// The bytes a message reader returns are the exact bytes that were
// ingested: they are what is hashed, stored raw and parsed. They differ
// from the bytes the Gmail API serves for the same message by the mbox
// transformations (line endings as the exporter wrote them), which is why
// matterfile dedupes across sources by Message-ID, not by raw hash.
package mbox

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

const bufSize = 64 << 10

var (
	fromLine = []byte("From ")
	lf       = []byte("\n")
	crlf     = []byte("\r\n")
)

// ErrInvalidated is returned by a message reader used after Next.
var ErrInvalidated = errors.New("mbox: message reader used after Next")

// Reader splits an mbox stream into messages. It holds one buffer, never a
// whole message, and handles lines of any length.
type Reader struct {
	br      *bufio.Reader
	cur     *message
	started bool
	err     error // sticky: io.EOF at the end, or what went wrong
}

// NewReader returns a Reader splitting r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, bufSize)}
}

// Next returns a reader over the next message's bytes, unescaped (one '>'
// removed from lines matching ^>+From ), without the separator line and
// without the line break the format puts after the message. The previous
// message reader is invalidated (what was left of it is skipped). Next
// returns io.EOF at the end, and an error if the input does not start
// with a "From " line after optional white space.
func (r *Reader) Next() (io.Reader, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.cur != nil {
		if _, err := io.Copy(io.Discard, r.cur); err != nil {
			r.err = fmt.Errorf("mbox: skip rest of message: %w", err)
			return nil, r.err
		}
		r.cur.invalid = true
		r.cur = nil
	}
	if !r.started {
		r.started = true
		if err := r.skipLeadingSpace(); err != nil {
			r.err = err
			return nil, err
		}
	}
	b, err := r.br.Peek(len(fromLine))
	switch {
	case len(b) == 0 && err == io.EOF:
		r.err = io.EOF
		return nil, io.EOF
	case err != nil && err != io.EOF:
		r.err = fmt.Errorf("mbox: read: %w", err)
		return nil, r.err
	case !bytes.Equal(b, fromLine):
		// Only the start of a file can get here: a message ends only
		// at a "From " line or at the end.
		r.err = errors.New(`mbox: the file does not start with a "From " line: not an mbox file?`)
		return nil, r.err
	}
	if err := r.skipLine(); err != nil {
		r.err = fmt.Errorf("mbox: read separator: %w", err)
		return nil, r.err
	}
	r.cur = &message{br: r.br, lineStart: true}
	return r.cur, nil
}

// skipLeadingSpace skips white space (and a UTF-8 byte order mark) before
// the first separator.
func (r *Reader) skipLeadingSpace() error {
	if b, _ := r.br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		r.br.Discard(3)
	}
	for {
		c, err := r.br.ReadByte()
		if err == io.EOF {
			return io.EOF
		}
		if err != nil {
			return fmt.Errorf("mbox: read: %w", err)
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return r.br.UnreadByte()
	}
}

// skipLine consumes one line of any length.
func (r *Reader) skipLine() error {
	for {
		_, err := r.br.ReadSlice('\n')
		switch err {
		case nil, io.EOF:
			return nil
		case bufio.ErrBufferFull:
			continue
		}
		return err
	}
}

// message reads one message out of the shared buffer. It works line by
// line but never holds a line: a line break is held back until the next
// line shows it is not the last one, and a run of '>' is counted, not
// stored.
type message struct {
	br        *bufio.Reader
	lineStart bool
	held      []byte // line break of the previous line, not yet known to be part of the message
	out       []byte // held line break being emitted
	gt        int    // '>' still to emit
	rest      []byte // rest of the current line piece, in br's buffer
	done      bool
	invalid   bool
	err       error
}

func (m *message) Read(p []byte) (int, error) {
	if m.invalid {
		return 0, ErrInvalidated
	}
	n := 0
	for n < len(p) {
		switch {
		case len(m.out) > 0:
			k := copy(p[n:], m.out)
			m.out, n = m.out[k:], n+k
		case m.gt > 0:
			k := min(m.gt, len(p)-n)
			for i := range k {
				p[n+i] = '>'
			}
			m.gt, n = m.gt-k, n+k
		case len(m.rest) > 0:
			// m.rest points into br's buffer: br is not touched until it
			// is emptied.
			k := copy(p[n:], m.rest)
			m.rest, n = m.rest[k:], n+k
		case m.done || m.err != nil:
			return m.result(n)
		case m.lineStart:
			m.startLine()
		default:
			m.readPiece()
		}
	}
	return n, nil
}

func (m *message) result(n int) (int, error) {
	switch {
	case n > 0:
		return n, nil
	case m.err != nil:
		return 0, m.err
	}
	return 0, io.EOF
}

// startLine decides what the next line is: the end of the message (a
// separator or the end of input, where the held line break is dropped),
// or a line of it, whose leading '>' run is unescaped.
func (m *message) startLine() {
	b, err := m.br.Peek(len(fromLine))
	if len(b) == 0 {
		if err == io.EOF {
			m.done = true
		} else {
			m.err = fmt.Errorf("mbox: read: %w", err)
		}
		return
	}
	if bytes.Equal(b, fromLine) {
		m.done = true
		return
	}
	m.out, m.held = m.held, nil
	m.lineStart = false
	if b[0] != '>' {
		return
	}
	count := 0
	for {
		c, err := m.br.ReadByte()
		if err != nil {
			if err != io.EOF {
				m.err = fmt.Errorf("mbox: read: %w", err)
			}
			break
		}
		if c != '>' {
			m.br.UnreadByte()
			break
		}
		count++
	}
	if b, _ := m.br.Peek(len(fromLine)); bytes.Equal(b, fromLine) {
		count-- // ^>+From : the writer added one
	}
	m.gt = count
}

// readPiece reads the rest of the current line, or as much of it as the
// buffer holds.
func (m *message) readPiece() {
	line, err := m.br.ReadSlice('\n')
	switch {
	case err == bufio.ErrBufferFull:
		// Keep a final '\r' for the next piece, so that a CRLF split by
		// the buffer is still seen as one line break.
		if len(line) > 1 && line[len(line)-1] == '\r' {
			m.br.UnreadByte()
			line = line[:len(line)-1]
		}
		m.rest = line
		return
	case err == io.EOF:
		m.rest, m.lineStart = line, true
		return
	case err != nil:
		m.rest, m.err = line, fmt.Errorf("mbox: read: %w", err)
		return
	}
	if bytes.HasSuffix(line, crlf) {
		m.rest, m.held = line[:len(line)-2], crlf
	} else {
		m.rest, m.held = line[:len(line)-1], lf
	}
	m.lineStart = true
}

// WriteMessage writes msg as one mboxrd message: a separator line, msg
// with every line matching ^>*From  escaped by one more '>', and the one
// line break the format puts after a message (CRLF after a final '\r', so
// that the '\r' stays the message's).
func WriteMessage(w io.Writer, msg []byte) error {
	bw := bufio.NewWriterSize(w, bufSize)
	bw.WriteString("From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n")
	endsCR := bytes.HasSuffix(msg, []byte("\r"))
	for len(msg) > 0 {
		end := bytes.IndexByte(msg, '\n') + 1
		if end == 0 {
			end = len(msg)
		}
		line := msg[:end]
		if bytes.HasPrefix(bytes.TrimLeft(line, ">"), fromLine) {
			bw.WriteByte('>')
		}
		bw.Write(line)
		msg = msg[end:]
	}
	if endsCR {
		bw.Write(crlf)
	} else {
		bw.Write(lf)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("mbox: write message: %w", err)
	}
	return nil
}
