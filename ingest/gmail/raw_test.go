package gmail

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"
	"time"

	"golang.org/x/oauth2"
	"google.golang.org/api/googleapi"
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

// TestJudge is gmail.md's error table.
func TestJudge(t *testing.T) {
	gerr := func(code int, reason string, retryAfter string) error {
		h := http.Header{}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		e := &googleapi.Error{Code: code, Header: h, Body: "secret body text"}
		if reason != "" {
			e.Errors = []googleapi.ErrorItem{{Reason: reason}}
		}
		return fmt.Errorf("wrapped: %w", e)
	}
	for _, tc := range []struct {
		name        string
		err         error
		retry, rate bool
		unauth      bool
		is          error
		after       time.Duration
	}{
		{"429", gerr(429, "rateLimitExceeded", "7"), true, true, false, nil, 7 * time.Second},
		{"403 rate", gerr(403, "userRateLimitExceeded", ""), true, true, false, nil, 0},
		{"500", gerr(500, "backendError", ""), true, false, false, nil, 0},
		{"503", gerr(503, "", ""), true, false, false, nil, 0},
		{"403 daily", gerr(403, "dailyLimitExceeded", ""), false, false, false, ErrDailyLimit, 0},
		{"400", gerr(400, "invalid", ""), false, false, false, ErrInvalid, 0},
		{"400 precondition", gerr(400, "failedPrecondition", ""), false, false, false, ErrInvalid, 0},
		{"401", gerr(401, "authError", ""), false, false, true, ErrReconnect, 0},
		{"403 permission", gerr(403, "insufficientPermissions", ""), false, false, false, ErrPermission, 0},
		{"403 domain policy", gerr(403, "domainPolicy", ""), false, false, false, ErrReconnect, 0},
		{"404", gerr(404, "notFound", ""), false, false, false, ErrNotFound, 0},
		{"invalid_grant", &url.Error{Op: "Get", URL: "u", Err: &oauth2.RetrieveError{ErrorCode: "invalid_grant"}}, false, false, false, ErrReconnect, 0},
		{"reset", &url.Error{Op: "Get", URL: "u", Err: syscall.ECONNRESET}, true, false, false, nil, 0},
		{"truncated", io.ErrUnexpectedEOF, true, false, false, nil, 0},
		{"unknown", errors.New("weird"), false, false, false, nil, 0},
	} {
		v := judge("messages.get", tc.err)
		if v.retry != tc.retry || v.rateLimited != tc.rate || v.unauthorized != tc.unauth || v.retryAfter != tc.after {
			t.Errorf("%s: %+v", tc.name, v)
		}
		if tc.is != nil && !errors.Is(v.err, tc.is) {
			t.Errorf("%s: %v is not %v", tc.name, v.err, tc.is)
		}
		if v.err != nil && strings.Contains(v.err.Error(), "secret body") {
			t.Errorf("%s: Google's body text leaks into the error: %v", tc.name, v.err)
		}
	}
	if !Retryable(fmt.Errorf("x: %w", ErrDailyLimit)) || Retryable(ErrReconnect) || Retryable(ErrNotFound) {
		t.Error("Retryable: the daily limit passes; reconnects and deletions do not")
	}
}
