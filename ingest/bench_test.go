package ingest

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// BenchmarkParse measures throughput and allocations on a small message,
// a typical one (text, HTML and a 300 KB attachment) and one with a
// 50 MB attachment:
//
//	go test -run '^$' -bench BenchmarkParse -benchmem ./ingest/
func BenchmarkParse(b *testing.B) {
	for _, bc := range []struct {
		name  string
		raw   []byte
		parts int
	}{
		{"small", smallMessage(), 1},
		{"typical", attachmentMessage(300 << 10), 3},
		{"50MB-attachment", attachmentMessage(50 << 20), 3},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.raw)))
			b.ReportAllocs()
			for b.Loop() {
				msg, err := Parse(bytes.NewReader(bc.raw), &hashSink{}, Limits{})
				if err != nil || len(msg.Parts) != bc.parts || msg.Unparsed {
					b.Fatalf("%v %+v", err, msg)
				}
			}
		})
	}
}

func smallMessage() []byte {
	return []byte(attackHeader + "Content-Type: text/plain; charset=utf-8\r\n\r\n" +
		strings.Repeat("Please find the revised draft of the settlement agreement below.\r\n", 30))
}

// attachmentMessage is text, HTML and a base64 PDF of size bytes.
func attachmentMessage(size int) []byte {
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i * 31 >> 3)
	}
	var raw bytes.Buffer
	raw.WriteString(attackHeader + "Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: multipart/alternative; boundary=a\r\n\r\n" +
		"--a\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the attached exhibit.\r\n" +
		"--a\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>See the <b>attached</b> exhibit.</p>\r\n--a--\r\n" +
		"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=exhibit.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		raw.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	raw.WriteString(enc + "\r\n--b--\r\n")
	return raw.Bytes()
}
