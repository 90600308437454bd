package gmail

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Notification is what a Gmail push says: this mailbox changed, up to
// this history id. It is only a hint to sync; history is always read from
// the stored cursor, never from here.
type Notification struct {
	Address   string
	HistoryID uint64
}

// maxPushBody bounds a push request; Pub/Sub's are a few hundred bytes.
const maxPushBody = 64 << 10

// ErrBadPush is a push body that is not a Gmail notification.
var ErrBadPush = errors.New("gmail push: not a Gmail notification")

// ParsePush reads a Pub/Sub push request body: {"message":{"data":
// base64(JSON {"emailAddress","historyId"})},"subscription":…}. The history
// id may be a number or a string.
func ParsePush(r io.Reader) (Notification, error) {
	body, err := io.ReadAll(io.LimitReader(r, maxPushBody+1))
	if err != nil {
		return Notification{}, fmt.Errorf("gmail push: %w", err)
	}
	if len(body) > maxPushBody {
		return Notification{}, fmt.Errorf("body too large: %w", ErrBadPush)
	}
	var env struct {
		Message struct {
			Data string `json:"data"`
		} `json:"message"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Message.Data == "" {
		return Notification{}, fmt.Errorf("no message data: %w", ErrBadPush)
	}
	data, err := base64.StdEncoding.DecodeString(env.Message.Data)
	if err != nil {
		if data, err = base64.URLEncoding.DecodeString(env.Message.Data); err != nil {
			return Notification{}, fmt.Errorf("message data is not base64: %w", ErrBadPush)
		}
	}
	var n struct {
		EmailAddress string          `json:"emailAddress"`
		HistoryID    json.RawMessage `json:"historyId"`
	}
	if err := json.Unmarshal(data, &n); err != nil {
		return Notification{}, fmt.Errorf("message data is not JSON: %w", ErrBadPush)
	}
	addr := strings.TrimSpace(n.EmailAddress)
	if addr == "" || strings.ContainsAny(addr, " \t\r\n") || !strings.Contains(addr, "@") {
		return Notification{}, fmt.Errorf("no email address: %w", ErrBadPush)
	}
	var hid uint64
	if len(n.HistoryID) > 0 {
		s := strings.Trim(string(n.HistoryID), `"`)
		if hid, err = strconv.ParseUint(s, 10, 64); err != nil {
			return Notification{}, fmt.Errorf("bad history id: %w", ErrBadPush)
		}
	}
	return Notification{Address: addr, HistoryID: hid}, nil
}
