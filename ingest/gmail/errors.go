package gmail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/oauth2"
	"google.golang.org/api/googleapi"
)

// The outcomes a caller acts on. Errors returned by this package wrap one
// of them when it applies; anything else is transient.
var (
	// ErrReconnect: the grant is gone (revoked, expired, password
	// changed, admin policy). Retrying cannot help; an admin must
	// reconnect the mailbox.
	ErrReconnect = errors.New("gmail: reconnect required")
	// ErrPermission: the grant lacks a scope the call needs.
	ErrPermission = errors.New("gmail: insufficient permission")
	// ErrDailyLimit: the project's daily quota is spent; the mailbox
	// pauses until it resets.
	ErrDailyLimit = errors.New("gmail: daily limit exceeded")
	// ErrNotFound: the message (or label) no longer exists.
	ErrNotFound = errors.New("gmail: not found")
	// ErrHistoryExpired: the cursor fell out of Gmail's history window; a
	// full sync of the filing labels follows, never "no changes".
	ErrHistoryExpired = errors.New("gmail: history cursor expired")
	// ErrInvalid: Gmail rejected the request itself (400).
	ErrInvalid = errors.New("gmail: invalid request")
	// ErrExhausted: retries ran out on a transient failure; the task is
	// retried later by the queue.
	ErrExhausted = errors.New("gmail: retries exhausted")
)

// verdict is what one failed call means.
type verdict struct {
	retry        bool          // transient: back off and try again
	rateLimited  bool          // the quota answered: slow every worker down
	unauthorized bool          // 401: one forced token refresh, then ErrReconnect
	retryAfter   time.Duration // the server's Retry-After, if any
	err          error         // the permanent outcome when !retry
}

// judge classifies a failed call (gmail.md "Errors"). Error texts of
// Google's bodies are left out on purpose: they end up in logs and task
// records, and only the code and reason are needed to act.
func judge(method string, err error) verdict {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return verdict{err: err}
	}
	var rerr *oauth2.RetrieveError
	if errors.As(err, &rerr) {
		switch rerr.ErrorCode {
		case "invalid_grant", "unauthorized_client", "invalid_client":
			return verdict{err: fmt.Errorf("gmail %s: token refresh: %s: %w", method, rerr.ErrorCode, ErrReconnect)}
		}
		if rerr.Response != nil && rerr.Response.StatusCode >= 500 {
			return verdict{retry: true}
		}
		return verdict{err: fmt.Errorf("gmail %s: token refresh failed (%s): %w", method, rerr.ErrorCode, ErrReconnect)}
	}
	var gerr *googleapi.Error
	if errors.As(err, &gerr) {
		v := verdict{retryAfter: retryAfter(gerr.Header)}
		reason := ""
		if len(gerr.Errors) > 0 {
			reason = gerr.Errors[0].Reason
		}
		tag := fmt.Sprintf("gmail %s: %d %s", method, gerr.Code, reason)
		switch {
		case gerr.Code == http.StatusTooManyRequests,
			gerr.Code == http.StatusForbidden && (reason == "rateLimitExceeded" || reason == "userRateLimitExceeded"):
			v.retry, v.rateLimited = true, true
		case gerr.Code >= 500:
			v.retry = true
		case gerr.Code == http.StatusUnauthorized:
			v.unauthorized = true
			v.err = fmt.Errorf("%s: %w", tag, ErrReconnect)
		case gerr.Code == http.StatusForbidden && reason == "dailyLimitExceeded":
			v.err = fmt.Errorf("%s: %w", tag, ErrDailyLimit)
		case gerr.Code == http.StatusForbidden && reason == "domainPolicy":
			v.err = fmt.Errorf("%s: %w", tag, ErrReconnect)
		case gerr.Code == http.StatusForbidden:
			v.err = fmt.Errorf("%s: %w", tag, ErrPermission)
		case gerr.Code == http.StatusNotFound:
			v.err = fmt.Errorf("%s: %w", tag, ErrNotFound)
		default:
			v.err = fmt.Errorf("%s: %w", tag, ErrInvalid)
		}
		return v
	}
	if transient(err) {
		return verdict{retry: true}
	}
	return verdict{err: fmt.Errorf("gmail %s: %w", method, err)}
}

// transient reports transport failures worth another attempt: resets,
// timeouts, truncated responses.
func transient(err error) bool {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return true
	}
	var nerr net.Error
	return errors.As(err, &nerr)
}

// retryAfter reads Retry-After in seconds or as an HTTP date.
func retryAfter(h http.Header) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}
