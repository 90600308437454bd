package gmail

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"google.golang.org/api/googleapi"
)

// Meta is what messages.get says about a message besides its bytes. The
// filing decision uses these current LabelIDs, not what a sync saw.
type Meta struct {
	ID           string
	ThreadID     string
	LabelIDs     []string
	HistoryID    uint64
	InternalDate time.Time // when Gmail received it; the Date header is the sender's word
	SizeEstimate int64
}

// errPartial marks a failure after bytes reached the writer: the call
// cannot be repeated into the same writer.
var errPartial = errors.New("gmail: response broke off after the message started")

// FetchRaw streams message id's exact RFC 5322 bytes into w and returns
// its metadata. The generated client would buffer the whole JSON response
// (several times the message size); this reads the REST response as a
// stream and decodes raw on the fly, so memory stays flat for any size.
//
// Failures before the first byte reached w are retried like any call. A
// failure after that is returned at once (Retryable reports true): the
// caller discards what w got and tries again with a fresh writer.
func (c *Client) FetchRaw(ctx context.Context, id string, w io.Writer) (Meta, error) {
	u := c.endpoint + "gmail/v1/users/" + url.PathEscape(c.cfg.User) + "/messages/" + url.PathEscape(id) +
		"?format=raw&alt=json&prettyPrint=false"
	var meta Meta
	var partial error
	err := c.call(ctx, "messages.get", func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		res, err := c.http.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		if err := googleapi.CheckResponse(res); err != nil {
			return err
		}
		cw := &countingWriter{w: w}
		meta, err = decodeRawResponse(res.Body, cw)
		if err != nil && cw.n > 0 {
			// Not retryable here: w holds a prefix. Stop the loop and
			// let the caller start over with a fresh writer.
			partial = err
			return nil
		}
		return err
	})
	if err != nil {
		return Meta{}, err
	}
	if partial != nil {
		return Meta{}, fmt.Errorf("gmail messages.get: %v: %w", partial, errPartial)
	}
	return meta, nil
}

// Retryable reports whether err from this package is worth retrying later
// (the queue's retry), as opposed to a permanent outcome. The daily limit
// passes, so it is retryable; the caller should wait longer than usual.
func Retryable(err error) bool {
	for _, p := range []error{ErrReconnect, ErrPermission, ErrNotFound, ErrInvalid, ErrHistoryExpired} {
		if errors.Is(err, p) {
			return false
		}
	}
	return true
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// maxField caps a non-raw JSON value of the response: they are ids,
// labels and numbers; anything larger is not a Gmail response.
const maxField = 1 << 20

// errBadResponse reports a response that is not the JSON Gmail sends.
var errBadResponse = errors.New("gmail messages.get: malformed response")

// decodeRawResponse reads a messages.get?format=raw JSON object, writing
// the decoded raw field to w and returning the other fields. It accepts
// raw with or without '=' padding (Gmail pads; RFC 4648 base64url may not),
// int64 fields as strings or numbers, and fields in any order.
func decodeRawResponse(r io.Reader, w io.Writer) (Meta, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var m Meta
	sawRaw := false
	if err := expect(br, '{'); err != nil {
		return m, err
	}
	first := true
	for {
		c, err := nextNonSpace(br)
		if err != nil {
			return m, err
		}
		if c == '}' {
			break
		}
		if !first {
			if c != ',' {
				return m, errBadResponse
			}
			if c, err = nextNonSpace(br); err != nil {
				return m, err
			}
		}
		first = false
		if c != '"' {
			return m, errBadResponse
		}
		key, err := readSmallString(br)
		if err != nil {
			return m, err
		}
		if err := expect(br, ':'); err != nil {
			return m, err
		}
		if key == "raw" {
			if err := expect(br, '"'); err != nil {
				return m, err
			}
			dec := base64.NewDecoder(base64.RawURLEncoding, &unpad{r: &stringReader{br: br}})
			if _, err := io.Copy(w, dec); err != nil {
				return m, fmt.Errorf("gmail messages.get: raw: %w", err)
			}
			sawRaw = true
			continue
		}
		v, err := readValue(br)
		if err != nil {
			return m, err
		}
		if err := m.set(key, v); err != nil {
			return m, err
		}
	}
	if !sawRaw {
		return m, fmt.Errorf("gmail messages.get: no raw field: %w", errBadResponse)
	}
	return m, nil
}

func (m *Meta) set(key string, v json.RawMessage) error {
	var err error
	switch key {
	case "id":
		err = json.Unmarshal(v, &m.ID)
	case "threadId":
		err = json.Unmarshal(v, &m.ThreadID)
	case "labelIds":
		err = json.Unmarshal(v, &m.LabelIDs)
	case "historyId":
		m.HistoryID, err = jsonUint(v)
	case "internalDate":
		var ms uint64
		if ms, err = jsonUint(v); err == nil && ms > 0 {
			m.InternalDate = time.UnixMilli(int64(ms)).UTC()
		}
	case "sizeEstimate":
		var n uint64
		n, err = jsonUint(v)
		m.SizeEstimate = int64(n)
	}
	if err != nil {
		return fmt.Errorf("gmail messages.get: field %s: %w", key, errBadResponse)
	}
	return nil
}

// jsonUint reads an int64 sent as a JSON string (the wire form) or number.
func jsonUint(v json.RawMessage) (uint64, error) {
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		s = string(v)
	}
	n, err := strconv.ParseUint(s, 10, 63)
	if err != nil {
		return 0, err
	}
	return n, nil
}

func nextNonSpace(br *bufio.Reader) (byte, error) {
	for {
		c, err := br.ReadByte()
		if err != nil {
			return 0, unexpected(err)
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c, nil
	}
}

func expect(br *bufio.Reader, want byte) error {
	c, err := nextNonSpace(br)
	if err != nil {
		return err
	}
	if c != want {
		return errBadResponse
	}
	return nil
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// readSmallString reads the rest of a JSON string (after its opening
// quote) of at most maxField bytes, unescaped.
func readSmallString(br *bufio.Reader) (string, error) {
	sr := &stringReader{br: br}
	b, err := io.ReadAll(io.LimitReader(sr, maxField+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxField || !sr.done {
		return "", errBadResponse
	}
	return string(b), nil
}

// readValue reads one JSON value of at most maxField bytes, as is.
func readValue(br *bufio.Reader) (json.RawMessage, error) {
	var buf bytes.Buffer
	depth := 0
	inString, escaped := false, false
	c, err := nextNonSpace(br)
	if err != nil {
		return nil, err
	}
	for {
		buf.WriteByte(c)
		if buf.Len() > maxField {
			return nil, errBadResponse
		}
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth < 0 {
				return nil, errBadResponse
			}
		}
		if depth == 0 && !inString {
			// A scalar ends before a delimiter; a string or a
			// container ends with its closing byte.
			next, err := br.Peek(1)
			if err != nil && err != io.EOF {
				return nil, err
			}
			if c == '"' || c == '}' || c == ']' || len(next) == 0 || isDelim(next[0]) {
				break
			}
		}
		if c, err = br.ReadByte(); err != nil {
			return nil, unexpected(err)
		}
	}
	v := json.RawMessage(buf.Bytes())
	if !json.Valid(v) {
		return nil, errBadResponse
	}
	return v, nil
}

func isDelim(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}

// stringReader yields the unescaped bytes of a JSON string whose opening
// quote was read, and stops at its closing quote.
type stringReader struct {
	br   *bufio.Reader
	done bool
	err  error
}

func (s *stringReader) Read(p []byte) (int, error) {
	if s.done {
		return 0, io.EOF
	}
	if s.err != nil {
		return 0, s.err
	}
	n := 0
	for n < len(p) {
		if n > 0 && s.br.Buffered() == 0 {
			break // hand over what we have rather than block
		}
		c, err := s.br.ReadByte()
		if err != nil {
			s.err = unexpected(err)
			break
		}
		switch {
		case c == '"':
			s.done = true
			if n == 0 {
				return 0, io.EOF
			}
			return n, nil
		case c == '\\':
			r, err := s.escape()
			if err != nil {
				s.err = err
				return n, nil
			}
			if r > 0x7f {
				// Only ASCII can be base64url or an id; the
				// decoder rejects what follows.
				s.err = errBadResponse
				return n, nil
			}
			p[n] = byte(r)
		case c < 0x20:
			s.err = errBadResponse
			return n, nil
		default:
			p[n] = c
		}
		n++
	}
	if n == 0 && s.err != nil {
		return 0, s.err
	}
	return n, nil
}

func (s *stringReader) escape() (rune, error) {
	c, err := s.br.ReadByte()
	if err != nil {
		return 0, unexpected(err)
	}
	switch c {
	case '"', '\\', '/':
		return rune(c), nil
	case 'b':
		return '\b', nil
	case 'f':
		return '\f', nil
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case 't':
		return '\t', nil
	case 'u':
		var h [4]byte
		if _, err := io.ReadFull(s.br, h[:]); err != nil {
			return 0, unexpected(err)
		}
		v, err := strconv.ParseUint(string(h[:]), 16, 16)
		if err != nil {
			return 0, errBadResponse
		}
		return rune(v), nil
	}
	return 0, errBadResponse
}

// unpad drops '=' so that padded and unpadded base64url both decode with
// RawURLEncoding; padding is only ever at the end.
type unpad struct{ r io.Reader }

func (u *unpad) Read(p []byte) (int, error) {
	for {
		n, err := u.r.Read(p)
		j := 0
		for _, c := range p[:n] {
			if c != '=' {
				p[j] = c
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}
