package ingest

import (
	"errors"
	"io"
)

var (
	errHeaderLimit  = errors.New("ingest: header limit reached")
	errMessageLimit = errors.New("ingest: message limit reached")
)

// source is the only reader between Parse and the caller's reader. It keeps
// the first error of the caller's reader apart from bad input (only the
// former makes Parse fail), enforces the message size cap and, while a
// header block is being read, the header budget, and can record what it
// reads so that a header go-message rejects can be read again leniently.
//
// go-message's readers buffer ahead, so a header budget can only be
// enforced here, below every buffer: the budget carries slack for them.
type source struct {
	r   io.Reader
	n   int64 // bytes read from r
	max int64

	inHeader bool
	budget   int64 // remaining while inHeader

	recording bool
	rec       []byte

	err      error // first error of r other than io.EOF
	eof      bool
	msgLimit bool
	hdrLimit bool
}

func (s *source) Read(p []byte) (int, error) {
	switch {
	case s.err != nil:
		return 0, s.err
	case s.eof:
		return 0, io.EOF
	case s.msgLimit:
		return 0, errMessageLimit
	case s.hdrLimit:
		return 0, errHeaderLimit
	case len(p) == 0:
		return 0, nil
	}
	if s.n >= s.max {
		// A message of exactly max bytes is within the limit: look for EOF
		// before calling it too big. The byte read here is not lost to
		// the caller, who drains r through its own tee.
		var one [1]byte
		n, err := s.r.Read(one[:])
		if n == 0 && err == io.EOF {
			s.eof = true
			return 0, io.EOF
		}
		if err != nil && err != io.EOF {
			s.err = err
			return 0, err
		}
		s.msgLimit = true
		return 0, errMessageLimit
	}
	if s.inHeader {
		if s.budget <= 0 {
			s.hdrLimit = true
			return 0, errHeaderLimit
		}
		if int64(len(p)) > s.budget {
			p = p[:s.budget]
		}
	}
	if rem := s.max - s.n; int64(len(p)) > rem {
		p = p[:rem]
	}
	n, err := s.r.Read(p)
	s.n += int64(n)
	if s.inHeader {
		s.budget -= int64(n)
	}
	if s.recording {
		s.rec = append(s.rec, p[:n]...)
	}
	switch {
	case err == io.EOF:
		s.eof = true
	case err != nil:
		s.err = err
	}
	return n, err
}

func (s *source) beginHeader(budget int64) {
	s.inHeader, s.budget = true, budget
}

func (s *source) endHeader() {
	s.inHeader = false
}

// stopped reports whether the source can give no more input because of a
// failure or a limit, as opposed to a clean end.
func (s *source) stopped() bool {
	return s.err != nil || s.msgLimit || s.hdrLimit
}

// endReader turns whatever error a part's raw body ends with into a clean
// io.EOF for the decoders above it, and keeps the error: what ended the
// part (a missing boundary, a limit, an I/O error) is decided once the part
// is stored, not halfway through a decoder.
type endReader struct {
	r   io.Reader
	err error
}

func (e *endReader) Read(p []byte) (int, error) {
	if e.err != nil {
		return 0, io.EOF
	}
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
		if n > 0 {
			return n, nil
		}
		return 0, io.EOF
	}
	return n, err
}

// recorder keeps the raw bytes a decoder consumed, up to max, so that a
// part found broken early can be stored undecoded after all.
type recorder struct {
	r    io.Reader
	buf  []byte
	max  int
	over bool // more than max bytes went through; buf is incomplete
	off  bool // recording stopped (committed to the decoded form)
}

func (c *recorder) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if !c.off && n > 0 {
		if len(c.buf)+n > c.max {
			c.over, c.off, c.buf = true, true, nil
		} else {
			c.buf = append(grow(c.buf, n), p[:n]...)
		}
	}
	return n, err
}

func (c *recorder) stop() {
	c.off, c.buf = true, nil
}

// grow makes room for n more bytes, doubling: append alone grows large
// slices by a quarter, which copies a window several times over.
func grow(b []byte, n int) []byte {
	if len(b)+n <= cap(b) {
		return b
	}
	nb := make([]byte, len(b), max(2*cap(b), len(b)+n, 4096))
	copy(nb, b)
	return nb
}
