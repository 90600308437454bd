package gmailfake

import (
	"encoding/json"
	"net/http"
	"slices"
)

// OAuth scopes the fake knows.
const (
	ScopeMail     = "https://mail.google.com/"
	ScopeModify   = "https://www.googleapis.com/auth/gmail.modify"
	ScopeReadonly = "https://www.googleapis.com/auth/gmail.readonly"
	ScopeLabels   = "https://www.googleapis.com/auth/gmail.labels"
	ScopeMetadata = "https://www.googleapis.com/auth/gmail.metadata"
)

// scopeAllows reports whether a token's scopes include one that a method
// accepts. A token issued without scopes is treated as all-powerful, so
// tests that do not care about scopes need not spell them out.
func scopeAllows(have, accepted []string) bool {
	if len(have) == 0 {
		return true
	}
	for _, h := range have {
		if slices.Contains(accepted, h) {
			return true
		}
	}
	return false
}

// onlyMetadata reports whether the token can read headers but not
// bodies: Gmail refuses format=raw and full under gmail.metadata alone.
func onlyMetadata(have []string) bool {
	return len(have) > 0 && !scopeAllows(have, []string{ScopeMail, ScopeModify, ScopeReadonly})
}

// The wire types spell out Gmail's JSON instead of reusing the client's
// structs, so the client's decoding is tested against what Google sends,
// not against itself. int64 fields carry ",string"; omitempty reproduces
// Gmail dropping empty fields.

type wireMessage struct {
	ID           string    `json:"id"`
	ThreadID     string    `json:"threadId"`
	LabelIDs     []string  `json:"labelIds,omitempty"`
	Snippet      string    `json:"snippet,omitempty"`
	Payload      *wirePart `json:"payload,omitempty"`
	SizeEstimate int       `json:"sizeEstimate,omitempty"`
	HistoryID    uint64    `json:"historyId,omitempty,string"`
	InternalDate int64     `json:"internalDate,omitempty,string"`
	Raw          string    `json:"raw,omitempty"`
}

type wirePart struct {
	PartID   string       `json:"partId"`
	MimeType string       `json:"mimeType,omitempty"`
	Filename string       `json:"filename"`
	Headers  []wireHeader `json:"headers,omitempty"`
	Body     *wireBody    `json:"body,omitempty"`
	Parts    []*wirePart  `json:"parts,omitempty"`
}

type wireHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type wireBody struct {
	AttachmentID string `json:"attachmentId,omitempty"`
	Size         int    `json:"size"`
	Data         string `json:"data,omitempty"`
}

type wireListMessages struct {
	Messages           []wireMessage `json:"messages,omitempty"`
	NextPageToken      string        `json:"nextPageToken,omitempty"`
	ResultSizeEstimate int           `json:"resultSizeEstimate"`
}

type wireHistory struct {
	ID              uint64             `json:"id,string"`
	Messages        []wireMessage      `json:"messages,omitempty"`
	MessagesAdded   []wireMessageEvent `json:"messagesAdded,omitempty"`
	MessagesDeleted []wireMessageEvent `json:"messagesDeleted,omitempty"`
	LabelsAdded     []wireLabelEvent   `json:"labelsAdded,omitempty"`
	LabelsRemoved   []wireLabelEvent   `json:"labelsRemoved,omitempty"`
}

type wireMessageEvent struct {
	Message wireMessage `json:"message"`
}

type wireLabelEvent struct {
	Message  wireMessage `json:"message"`
	LabelIDs []string    `json:"labelIds"`
}

type wireListHistory struct {
	History       []wireHistory `json:"history,omitempty"`
	NextPageToken string        `json:"nextPageToken,omitempty"`
	HistoryID     uint64        `json:"historyId,string"`
}

type wireLabel struct {
	ID                    string     `json:"id"`
	Name                  string     `json:"name"`
	MessageListVisibility string     `json:"messageListVisibility,omitempty"`
	LabelListVisibility   string     `json:"labelListVisibility,omitempty"`
	Type                  string     `json:"type,omitempty"`
	MessagesTotal         *int       `json:"messagesTotal,omitempty"`
	MessagesUnread        *int       `json:"messagesUnread,omitempty"`
	ThreadsTotal          *int       `json:"threadsTotal,omitempty"`
	ThreadsUnread         *int       `json:"threadsUnread,omitempty"`
	Color                 *wireColor `json:"color,omitempty"`
}

type wireColor struct {
	TextColor       string `json:"textColor,omitempty"`
	BackgroundColor string `json:"backgroundColor,omitempty"`
}

type wireProfile struct {
	EmailAddress  string `json:"emailAddress"`
	MessagesTotal int    `json:"messagesTotal"`
	ThreadsTotal  int    `json:"threadsTotal"`
	HistoryID     uint64 `json:"historyId,string"`
}

type wireWatchResponse struct {
	HistoryID  uint64 `json:"historyId,string"`
	Expiration int64  `json:"expiration,string"`
}

type googleError struct {
	Code    int               `json:"code"`
	Message string            `json:"message"`
	Errors  []googleErrorItem `json:"errors,omitempty"`
	Status  string            `json:"status"`
}

type googleErrorItem struct {
	Message      string `json:"message"`
	Domain       string `json:"domain"`
	Reason       string `json:"reason"`
	Location     string `json:"location,omitempty"`
	LocationType string `json:"locationType,omitempty"`
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		panic("gmailfake: encode response: " + err.Error())
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

// writeError answers with Google's error body. Rate limits are reported
// in the usageLimits domain, everything else in global, as Google does.
func writeError(w http.ResponseWriter, code int, status, reason, message string) {
	domain := "global"
	if reason == "rateLimitExceeded" || reason == "userRateLimitExceeded" {
		domain = "usageLimits"
	}
	writeGoogleError(w, googleError{
		Code: code, Status: status, Message: message,
		Errors: []googleErrorItem{{Message: message, Domain: domain, Reason: reason}},
	})
}

func writeGoogleError(w http.ResponseWriter, e googleError) {
	writeJSON(w, e.Code, map[string]googleError{"error": e})
}

func notFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, "NOT_FOUND", "notFound", "Requested entity was not found.")
}

func badRequest(w http.ResponseWriter, message string) {
	writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "invalidArgument", message)
}
