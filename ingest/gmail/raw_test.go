package gmail

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func rawJSON(t testing.TB, fields map[string]any) string {
	t.Helper()
	b, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDecodeRawResponse(t *testing.T) {
	msg := []byte("From: a@b.example\r\nSubject: x\r\n\r\nbody \xff\xfe bytes>>>???\r\n!")
	padded := base64.URLEncoding.EncodeToString(msg)
	if !strings.HasSuffix(padded, "=") {
		t.Fatal("fixture must need padding")
	}
	unpadded := base64.RawURLEncoding.EncodeToString(msg)
	cases := []struct {
		name string
		body string
	}{
		{"padded, Gmail's field order", `{"id":"18c2a","threadId":"18c29","labelIds":["INBOX","Label_7"],"snippet":"x","sizeEstimate":123,"raw":"` + padded + `","historyId":"99812","internalDate":"1706000000000"}`},
		{"unpadded", `{"raw":"` + unpadded + `","id":"18c2a","threadId":"18c29","labelIds":["INBOX","Label_7"],"historyId":"99812","internalDate":"1706000000000","sizeEstimate":123}`},
		{"numbers for int64s and whitespace", "{ \"id\" : \"18c2a\" ,\n \"threadId\":\"18c29\", \"labelIds\": [ \"INBOX\", \"Label_7\" ], \"raw\": \"" + padded + "\", \"historyId\": 99812, \"internalDate\": 1706000000000, \"sizeEstimate\": 123, \"payload\": {\"nested\": [1, {\"a\": \"}\"}]} }"},
		{"escaped padding", `{"id":"18c2a","threadId":"18c29","labelIds":["INBOX","Label_7"],"raw":"` + strings.ReplaceAll(padded, "=", `\u003d`) + `","historyId":"99812","internalDate":"1706000000000","sizeEstimate":123}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(tc.body), iotest.OneByteReader(strings.NewReader(tc.body))} {
				var out bytes.Buffer
				m, err := decodeRawResponse(r, &out)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(out.Bytes(), msg) {
					t.Fatalf("raw = %q", out.Bytes())
				}
				want := Meta{ID: "18c2a", ThreadID: "18c29", LabelIDs: []string{"INBOX", "Label_7"}, HistoryID: 99812,
					InternalDate: time.UnixMilli(1706000000000).UTC(), SizeEstimate: 123}
				if m.ID != want.ID || m.ThreadID != want.ThreadID || strings.Join(m.LabelIDs, ",") != "INBOX,Label_7" ||
					m.HistoryID != want.HistoryID || !m.InternalDate.Equal(want.InternalDate) || m.SizeEstimate != want.SizeEstimate {
					t.Fatalf("meta = %+v", m)
				}
			}
		})
	}
}

func TestDecodeRawResponseRejects(t *testing.T) {
	good := base64.URLEncoding.EncodeToString([]byte("Subject: x\r\n\r\nbody\r\n"))
	for name, body := range map[string]string{
		"empty":             ``,
		"not an object":     `["raw"]`,
		"no raw":            `{"id":"1"}`,
		"truncated raw":     `{"id":"1","raw":"` + good[:10],
		"truncated after":   `{"id":"1","raw":"` + good + `",`,
		"bad base64":        `{"raw":"!!!!"}`,
		"non-ascii in raw":  `{"raw":"QUJD\u00e9"}`,
		"control in string": "{\"raw\":\"QUJD\x01\"}",
		"bad historyId":     `{"raw":"` + good + `","historyId":"-1"}`,
		"missing colon":     `{"raw" "` + good + `"}`,
		"missing comma":     `{"id":"1" "raw":"` + good + `"}`,
	} {
		if _, err := decodeRawResponse(strings.NewReader(body), io.Discard); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// Large messages stream: the decoder holds a buffer, never the message.
func TestDecodeRawResponseStreams(t *testing.T) {
	const size = 16 << 20
	payload := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	enc := base64.URLEncoding.EncodeToString(payload)
	body := io.MultiReader(strings.NewReader(`{"id":"a","raw":"`), strings.NewReader(enc), strings.NewReader(`","historyId":"5"}`))
	var n int64
	m, err := decodeRawResponse(body, writerFunc(func(p []byte) (int, error) {
		if len(p) > 1<<20 {
			t.Errorf("a write of %d bytes: the decoder is buffering", len(p))
		}
		n += int64(len(p))
		return len(p), nil
	}))
	if err != nil || n != size || m.HistoryID != 5 {
		t.Fatalf("n=%d meta=%+v err=%v", n, m, err)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// FuzzDecodeRawResponse checks the streaming decoder against
// encoding/json: whenever the standard library reads a body as a Gmail
// message, the stream decoder yields the same bytes and fields.
func FuzzDecodeRawResponse(f *testing.F) {
	good := base64.URLEncoding.EncodeToString([]byte("Subject: x\r\n\r\nbody\r\n"))
	f.Add(`{"id":"18c2a","threadId":"18c29","labelIds":["INBOX"],"raw":"` + good + `","historyId":"99812","internalDate":"1706000000000","sizeEstimate":12}`)
	f.Add(`{"raw":"` + strings.TrimRight(good, "=") + `"}`)
	f.Add(`{"raw":"QUJD","payload":{"a":[1,2,{"b":"}"}]}}`)
	f.Add(`{"raw":"QU\u004aD"}`)
	f.Fuzz(func(t *testing.T, body string) {
		var out bytes.Buffer
		m, err := decodeRawResponse(strings.NewReader(body), &out)
		// encoding/json matches field names case-insensitively; Gmail's
		// names are exact, so the reference reads exact keys.
		var fields map[string]json.RawMessage
		if json.Unmarshal([]byte(body), &fields) != nil || fields == nil || hasDuplicateKeys(body) {
			return
		}
		var ref struct {
			ID, ThreadID string
			LabelIDs     []string
			Raw          *string
		}
		for key, dst := range map[string]any{"id": &ref.ID, "threadId": &ref.ThreadID, "labelIds": &ref.LabelIDs, "raw": &ref.Raw} {
			if v, ok := fields[key]; ok && json.Unmarshal(v, dst) != nil {
				return // a wrong type is rightly refused
			}
		}
		if ref.Raw == nil {
			return
		}
		want, derr := base64.RawURLEncoding.DecodeString(strings.ReplaceAll(*ref.Raw, "=", ""))
		if derr != nil {
			if err == nil {
				t.Fatalf("accepted undecodable raw %q", *ref.Raw)
			}
			return
		}
		for _, k := range []string{"historyId", "internalDate", "sizeEstimate"} {
			if v, ok := fields[k]; ok {
				if _, err := jsonUint(v); err != nil {
					return // a bad number is rightly refused
				}
			}
		}
		if err != nil {
			t.Fatalf("rejected a body encoding/json reads: %v", err)
		}
		if !bytes.Equal(out.Bytes(), want) {
			t.Fatalf("raw differs: %q vs %q", out.Bytes(), want)
		}
		if m.ID != ref.ID || m.ThreadID != ref.ThreadID || strings.Join(m.LabelIDs, "\x00") != strings.Join(ref.LabelIDs, "\x00") {
			t.Fatalf("meta %+v vs %+v", m, ref)
		}
	})
}

// hasDuplicateKeys: encoding/json keeps the last duplicate, the stream
// decoder sees each; such bodies are not Gmail's and not compared.
func hasDuplicateKeys(s string) bool {
	dec := json.NewDecoder(strings.NewReader(s))
	if _, err := dec.Token(); err != nil {
		return true
	}
	seen := map[string]bool{}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return true
		}
		ks, _ := k.(string)
		if seen[ks] {
			return true
		}
		seen[ks] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return true
		}
	}
	return false
}

func TestJudge(t *testing.T) {
	if v := judge("x", errors.New("weird")); v.retry || v.err == nil {
		t.Errorf("unknown errors are permanent: %+v", v)
	}
	if v := judge("x", io.ErrUnexpectedEOF); !v.retry {
		t.Errorf("truncation is transient")
	}
}
