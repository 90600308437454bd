package webhook_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/matterfile/matterfile/webhook"
)

func TestSignVerify(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	body := []byte(`{"id":"filed-abc","type":"message.filed"}`)
	now := time.Unix(1_700_000_000, 0)
	ts := strconv.FormatInt(now.Unix(), 10)
	sig := webhook.Sign(secret, ts, body)
	if err := webhook.VerifyAt(now, secret, ts, body, sig); err != nil {
		t.Fatalf("valid signature rejected: %v", err)
	}
	if err := webhook.VerifyAt(now, secret, ts, body, "v0=abc, "+sig); err != nil {
		t.Fatalf("valid signature among several rejected: %v", err)
	}
	for _, tt := range []struct {
		name   string
		now    time.Time
		secret []byte
		ts     string
		body   []byte
		header string
		want   error
	}{
		{"other secret", now, []byte("another secret, 32 bytes long..."), ts, body, sig, webhook.ErrSignature},
		{"empty secret", now, nil, ts, body, webhook.Sign(nil, ts, body), webhook.ErrSignature},
		{"body changed", now, secret, ts, []byte(`{"id":"filed-abd","type":"message.filed"}`), sig, webhook.ErrSignature},
		{"timestamp changed", now.Add(time.Second), secret, strconv.FormatInt(now.Unix()+1, 10), body, sig, webhook.ErrSignature},
		{"too old", now.Add(webhook.MaxAge + time.Second), secret, ts, body, sig, webhook.ErrTimestamp},
		{"from the future", now.Add(-webhook.MaxAge - time.Second), secret, ts, body, sig, webhook.ErrTimestamp},
		{"no timestamp", now, secret, "", body, sig, webhook.ErrTimestamp},
		{"malformed timestamp", now, secret, ts + "x", body, sig, webhook.ErrTimestamp},
		{"no signature", now, secret, ts, body, "", webhook.ErrSignature},
		{"unknown version", now, secret, ts, body, "v2=" + sig[3:], webhook.ErrSignature},
		{"not hex", now, secret, ts, body, "v1=zz", webhook.ErrSignature},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := webhook.VerifyAt(tt.now, tt.secret, tt.ts, tt.body, tt.header); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
	// Within the window, either side.
	if err := webhook.VerifyAt(now.Add(webhook.MaxAge-time.Second), secret, ts, body, sig); err != nil {
		t.Fatalf("signature within the window rejected: %v", err)
	}
}
