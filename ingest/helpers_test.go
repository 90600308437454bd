package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"testing"
)

// memSink keeps every part in memory; tests only.
type memSink struct {
	parts []*memPart
}

type memPart struct {
	info   PartInfo
	buf    bytes.Buffer
	closed bool
}

func (s *memSink) CreatePart(p PartInfo) (io.WriteCloser, error) {
	if p.Index != len(s.parts) {
		return nil, fmt.Errorf("part index %d, want %d", p.Index, len(s.parts))
	}
	mp := &memPart{info: p}
	s.parts = append(s.parts, mp)
	return mp, nil
}

func (m *memPart) Write(b []byte) (int, error) {
	if m.closed {
		return 0, fmt.Errorf("write after close")
	}
	return m.buf.Write(b)
}

func (m *memPart) Close() error {
	if m.closed {
		return fmt.Errorf("closed twice")
	}
	m.closed = true
	return nil
}

// hashSink keeps only size and hash of each part, so that big inputs do
// not fill the test's memory.
type hashSink struct {
	parts []*hashPart
}

type hashPart struct {
	info   PartInfo
	h      hash.Hash
	n      int64
	closed bool
}

func (s *hashSink) CreatePart(p PartInfo) (io.WriteCloser, error) {
	hp := &hashPart{info: p, h: sha256.New()}
	s.parts = append(s.parts, hp)
	return hp, nil
}

func (h *hashPart) Write(b []byte) (int, error) {
	h.n += int64(len(b))
	return h.h.Write(b)
}

func (h *hashPart) Close() error {
	h.closed = true
	return nil
}

// checkInvariants asserts what must hold for every parse, whatever the
// input: the manifest and the sink agree part by part, and a message has
// parts or says why not.
func checkInvariants(t testing.TB, msg *Message, sink *memSink, lim Limits) {
	t.Helper()
	lim = lim.withDefaults()
	if len(msg.Parts) != len(sink.parts) {
		t.Fatalf("manifest lists %d parts, sink received %d", len(msg.Parts), len(sink.parts))
	}
	for i, p := range msg.Parts {
		sp := sink.parts[i]
		if !sp.closed {
			t.Errorf("part %d: writer not closed", i)
		}
		if p.Index != i || sp.info.Index != i {
			t.Errorf("part %d: index %d (sink %d)", i, p.Index, sp.info.Index)
		}
		if p.PartInfo != sp.info {
			t.Errorf("part %d: manifest info %+v, sink was told %+v", i, p.PartInfo, sp.info)
		}
		sum := sha256.Sum256(sp.buf.Bytes())
		if p.Size != int64(sp.buf.Len()) || p.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("part %d: manifest size %d sha %s, sink got %d bytes sha %x", i, p.Size, p.SHA256, sp.buf.Len(), sum)
		}
		if p.Kind != KindHTML && p.Size > lim.MaxPartBytes {
			t.Errorf("part %d: %d bytes, over the limit %d", i, p.Size, lim.MaxPartBytes)
		}
		switch p.Kind {
		case KindText, KindHTML:
			if p.Filename != "" {
				t.Errorf("part %d: body part with a filename", i)
			}
		case KindAttachment:
			if p.Filename == "" {
				t.Errorf("part %d: attachment without a filename", i)
			}
		default:
			t.Errorf("part %d: kind %q", i, p.Kind)
		}
	}
	if len(msg.Parts) == 0 && !msg.Unparsed {
		t.Errorf("no parts and not unparsed")
	}
	if (msg.Unparsed || len(msg.Flags) > 0) && msg.Reason == "" {
		t.Errorf("unparsed or flagged (%v) without a reason", msg.Flags)
	}
	if msg.Unparsed != contains(msg.Flags, FlagUnparsed) {
		t.Errorf("Unparsed %v but flags %v", msg.Unparsed, msg.Flags)
	}
	if int64(len(msg.Text)) > lim.TextExcerpt {
		t.Errorf("text excerpt %d bytes, over %d", len(msg.Text), lim.TextExcerpt)
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func parseBytes(t testing.TB, raw []byte, lim Limits) (*Message, *memSink) {
	t.Helper()
	sink := &memSink{}
	msg, err := Parse(bytes.NewReader(raw), sink, lim)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	checkInvariants(t, msg, sink, lim)
	return msg, sink
}
