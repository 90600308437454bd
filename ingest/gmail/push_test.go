package gmail

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func pushBody(data string) string {
	return `{"message":{"data":"` + base64.StdEncoding.EncodeToString([]byte(data)) + `","messageId":"1","publishTime":"2026-11-25T10:00:00Z"},"subscription":"projects/p/subscriptions/s"}`
}

func TestParsePush(t *testing.T) {
	for _, data := range []string{
		`{"emailAddress":"ann@firm.example","historyId":9876543210}`,
		`{"emailAddress":"ann@firm.example","historyId":"9876543210"}`,
	} {
		n, err := ParsePush(strings.NewReader(pushBody(data)))
		if err != nil || n.Address != "ann@firm.example" || n.HistoryID != 9876543210 {
			t.Errorf("%s: %+v %v", data, n, err)
		}
	}
	for name, body := range map[string]string{
		"empty":         ``,
		"no data":       `{"message":{}}`,
		"not base64":    `{"message":{"data":"%%%"}}`,
		"not json":      pushBody(`nope`),
		"no address":    pushBody(`{"historyId":1}`),
		"bad history":   pushBody(`{"emailAddress":"a@b","historyId":"-1"}`),
		"header inject": pushBody(`{"emailAddress":"a@b\r\nX: y","historyId":1}`),
		"huge":          `{"message":{"data":"` + strings.Repeat("A", 70<<10) + `"}}`,
	} {
		if _, err := ParsePush(strings.NewReader(body)); !errors.Is(err, ErrBadPush) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func FuzzParsePush(f *testing.F) {
	f.Add(pushBody(`{"emailAddress":"ann@firm.example","historyId":12}`))
	f.Add(`{"message":{"data":"e30="}}`)
	f.Fuzz(func(t *testing.T, body string) {
		n, err := ParsePush(strings.NewReader(body))
		if err != nil {
			if !errors.Is(err, ErrBadPush) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if n.Address == "" || strings.ContainsAny(n.Address, " \t\r\n") {
			t.Fatalf("bad address accepted: %q", n.Address)
		}
	})
}
