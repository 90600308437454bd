// Package browsertest drives Debian's Chromium from Go tests, through
// github.com/chromedp/chromedp, and watches what the page does: every
// JavaScript dialog, every network request and every console error or
// uncaught exception, of the page and of each frame inside it.
//
// The watchers exist for the XSS proof of the admin web: a test opens a
// message whose HTML carries the attack list's payloads and asserts that no
// dialog opened and that no request went to a host other than the app's.
// Such a proof is only as good as its watchers, so the harness keeps every
// frame in the page's own renderer (site isolation off, see New), where the
// page's Network and Page domains see it, and it fails the test when a frame
// runs in another process all the same, rather than let a request or a
// dialog go unseen. The self-tests show each watcher catching what it must.
//
// The browser is found as scripts/test announces it (MATTERFILE_TEST_CHROMIUM),
// else at /usr/bin/chromium, else on PATH. A missing browser skips the test
// on a developer's machine and fails it when CI=true, as internal/testenv
// does for the servers: under CI a skipped security test did not run.
package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// EnvChromium names the browser binary; scripts/test exports it.
const EnvChromium = "MATTERFILE_TEST_CHROMIUM"

// debianChromium is where Debian's chromium package puts its launcher.
const debianChromium = "/usr/bin/chromium"

// actionTimeout bounds each step of a test, so that a selector that never
// matches ends the test with an error naming it instead of hanging until
// go test's own timeout. It is a guard, not an assertion about speed.
const actionTimeout = 30 * time.Second

// Viewport is the window size pages are drawn at: a laptop screen.
// Emulate a phone with Browser.Viewport.
const (
	ViewportWidth  = 1280
	ViewportHeight = 800
)

// unavailable stops the test because the browser is not there: a skip on
// a developer's machine, a failure under CI.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// Chromium returns the path of the browser to test with, or stops the test
// when there is none (see the package doc).
func Chromium(t testing.TB) string {
	t.Helper()
	path, err := findChromium(os.Getenv(EnvChromium), exec.LookPath)
	if err != nil {
		unavailable(t, "%v; it is required under CI; run scripts/test, which installs Debian's chromium", err)
	}
	return path
}

// findChromium applies the search order: the variable if set (it must
// name an executable: a typo must not silently fall back to another
// browser), then Debian's path, then PATH.
func findChromium(env string, lookPath func(string) (string, error)) (string, error) {
	if env != "" {
		if !isExecutable(env) {
			return "", fmt.Errorf("%s=%s is not an executable file", EnvChromium, env)
		}
		return env, nil
	}
	if isExecutable(debianChromium) {
		return debianChromium, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := lookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no Chromium found (%s unset, no %s, none on PATH)", EnvChromium, debianChromium)
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// Dialog is a JavaScript dialog the page or one of its frames opened.
type Dialog struct {
	Type    string // alert, confirm, prompt or beforeunload
	Message string
	URL     string // of the frame that opened it
	FrameID string
}

// Request is a network request the page or one of its frames made. It is
// recorded when the browser is about to send it, so a request that failed,
// or that CSP or the sandbox stopped, is still here: a test proving that
// nothing asks a remote host for anything counts the attempt.
type Request struct {
	URL     string
	Method  string
	Type    string // Document, Image, Script, Stylesheet, Fetch, ...
	FrameID string
	// Blocked is Chrome's reason for not sending it (csp, mixed-content,
	// ...), or "" if it was sent or failed on the network.
	Blocked string
	// Failed is the network error, if loading failed.
	Failed string
}

// Host returns the request's host[:port], or "" for URLs without one
// (data:, blob:, about:).
func (r Request) Host() string {
	u, err := url.Parse(r.URL)
	if err != nil {
		return ""
	}
	return u.Host
}

// Problem is a console error, an uncaught exception or a browser log entry
// of level error.
type Problem struct {
	Kind string // console, exception or log
	Text string
	URL  string
}

// Browser is one headless Chromium with one tab, private to a test. Its
// methods fail the test on error; call them from the test's goroutine.
type Browser struct {
	t   testing.TB
	ctx context.Context // the tab

	mu        sync.Mutex
	dialogs   []Dialog
	requests  []Request
	byID      map[network.RequestID]int
	problems  []Problem
	outOfProc []string
	// pending requests and loading frames, for WaitIdle; changed is
	// closed and replaced whenever either shrinks.
	pending map[network.RequestID]string
	loading map[string]bool
	changed chan struct{}
}

// New starts a headless Chromium with a fresh temporary profile and opens
// a blank tab. Everything stops, and the profile is removed, when the test
// ends.
func New(t testing.TB) *Browser {
	t.Helper()
	exe := Chromium(t)
	profile := t.TempDir() // removed after the browser stopped: cleanups run last-in first-out

	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(ViewportWidth, ViewportHeight),
		// httptest.NewTLSServer's certificate is self-signed; the pages
		// under test are on loopback, so nothing is lost.
		chromedp.IgnoreCertErrors,
		// One renderer for all frames: the page's Network and Page
		// domains then see requests and dialogs of every frame, sandboxed
		// (IsolateSandboxedIframes would move those out) or cross-site.
		// Sandbox and CSP are enforced inside the renderer either way.
		chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,SitePerProcess,IsolateOrigins,IsolateSandboxedIframes,OriginKeyedProcessesByDefault"),
		chromedp.Flag("disable-site-isolation-trials", true),
	)
	if os.Geteuid() == 0 {
		// Chromium's own sandbox refuses to run as root (containers, CI);
		// a test browser that only loads loopback pages can do without.
		opts = append(opts, chromedp.NoSandbox)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &Browser{
		t: t, byID: map[network.RequestID]int{},
		pending: map[network.RequestID]string{}, loading: map[string]bool{}, changed: make(chan struct{}),
	}
	ctx, cancelTab := chromedp.NewContext(actx, chromedp.WithListener(b.listener))
	b.ctx = ctx
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	t.Cleanup(b.checkFramesWatched)
	if err := chromedp.Do(b.step(), chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("browsertest: start %s: %v", exe, err)
	}
	return b
}

// step returns a context for one action, bounded by actionTimeout.
func (b *Browser) step() context.Context {
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	b.t.Cleanup(cancel)
	return ctx
}

// Context is the tab's chromedp context, for what the helpers do not
// cover; pass it to chromedp.Do or chromedp.Run.
func (b *Browser) Context() context.Context { return b.ctx }

// listener records the events of one target. It runs on chromedp's read
// loop, so it only takes notes and hands replies to other goroutines.
func (b *Browser) listener(ev any) {
	switch ev := ev.(type) {
	case *page.EventJavascriptDialogOpening:
		b.mu.Lock()
		b.dialogs = append(b.dialogs, Dialog{Type: string(ev.Type), Message: ev.Message, URL: ev.URL, FrameID: string(ev.FrameID)})
		b.mu.Unlock()
		// The page is frozen until the dialog is answered. Leaving a
		// page is allowed, so a navigation never hangs on it.
		accept := ev.Type == page.DialogTypeBeforeunload
		go b.answerDialog(accept)
	case *network.EventRequestWillBeSent:
		if ev.Request == nil {
			return
		}
		// A redirect comes again under the same id with the new URL:
		// each hop is a request of its own.
		b.mu.Lock()
		b.byID[ev.RequestID] = len(b.requests)
		b.requests = append(b.requests, Request{
			URL: ev.Request.URL, Method: ev.Request.Method,
			Type: string(ev.Type), FrameID: string(ev.FrameID),
		})
		b.pending[ev.RequestID] = ev.Request.URL
		b.mu.Unlock()
	case *network.EventLoadingFinished:
		b.mu.Lock()
		delete(b.pending, ev.RequestID)
		b.signal()
		b.mu.Unlock()
	case *network.EventLoadingFailed:
		b.mu.Lock()
		if i, ok := b.byID[ev.RequestID]; ok {
			b.requests[i].Blocked = string(ev.BlockedReason)
			b.requests[i].Failed = ev.ErrorText
		}
		delete(b.pending, ev.RequestID)
		b.signal()
		b.mu.Unlock()
	case *page.EventFrameStartedLoading:
		b.mu.Lock()
		b.loading[string(ev.FrameID)] = true
		b.mu.Unlock()
	case *page.EventFrameStoppedLoading:
		b.mu.Lock()
		delete(b.loading, string(ev.FrameID))
		b.signal()
		b.mu.Unlock()
	case *page.EventFrameDetached:
		b.mu.Lock()
		delete(b.loading, string(ev.FrameID))
		b.signal()
		b.mu.Unlock()
	case *runtime.EventExceptionThrown:
		text, url := "", ""
		if d := ev.ExceptionDetails; d != nil {
			text, url = d.Text, d.URL
			if d.Exception != nil && d.Exception.Description != "" {
				text += " " + d.Exception.Description
			}
		}
		b.addProblem(Problem{Kind: "exception", Text: text, URL: url})
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		var parts []string
		for _, a := range ev.Args {
			if a == nil {
				continue
			}
			if len(a.Value) > 0 {
				parts = append(parts, string(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		b.addProblem(Problem{Kind: "console", Text: strings.Join(parts, " ")})
	case *log.EventEntryAdded:
		if ev.Entry != nil && ev.Entry.Level == log.EntryLevelError {
			b.addProblem(Problem{Kind: "log", Text: ev.Entry.Text, URL: ev.Entry.URL})
		}
	case *target.EventAttachedToTarget:
		if ev.TargetInfo != nil && ev.TargetInfo.Type != "page" {
			b.mu.Lock()
			b.outOfProc = append(b.outOfProc, ev.TargetInfo.Type+" "+ev.TargetInfo.URL)
			b.mu.Unlock()
		}
	}
}

// signal wakes WaitIdle. Callers hold b.mu.
func (b *Browser) signal() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// WaitIdle waits until no frame of the page is loading and no request is
// pending: after it, whatever the page's HTML made the browser do on load
// (scripts, images, frames and their contents) is in Dialogs, Requests and
// Problems. Assert "nothing happened" only after it. A request that never
// ends (a long poll) makes it fail, naming the request.
func (b *Browser) WaitIdle() {
	b.t.Helper()
	ctx := b.step()
	for {
		b.mu.Lock()
		idle := len(b.pending) == 0 && len(b.loading) == 0
		changed := b.changed
		var busy []string
		if !idle {
			for _, u := range b.pending {
				busy = append(busy, "request "+u)
			}
			for f := range b.loading {
				busy = append(busy, "frame "+f)
			}
		}
		b.mu.Unlock()
		if idle {
			return
		}
		select {
		case <-changed:
		case <-ctx.Done():
			slices.Sort(busy)
			b.t.Fatalf("browsertest: wait for the page to settle: %v; still busy: %s", ctx.Err(), strings.Join(busy, ", "))
		}
	}
}

func (b *Browser) addProblem(p Problem) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = append(b.problems, p)
}

// answerDialog closes the open dialog. An error means the dialog was gone
// already (the page navigated away), which is what answering is for.
func (b *Browser) answerDialog(accept bool) {
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept})
}

// checkFramesWatched fails the test if a frame or worker ran outside the
// page's renderer, where the watchers may have missed what it did.
func (b *Browser) checkFramesWatched() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.outOfProc) > 0 {
		b.t.Errorf("browsertest: targets ran outside the page's renderer, unwatched (a Chromium change to site isolation?): %s", strings.Join(b.outOfProc, "; "))
	}
}

// Dialogs returns the JavaScript dialogs opened so far.
func (b *Browser) Dialogs() []Dialog {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.dialogs)
}

// Requests returns the network requests made so far, in order.
func (b *Browser) Requests() []Request {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.requests)
}

// RequestsOutside returns the requests to any host but hosts (host or
// host:port, as in URL.Host). Requests without a host (data:, blob:,
// about:) are not network requests and are left out.
func (b *Browser) RequestsOutside(hosts ...string) []Request {
	var out []Request
	for _, r := range b.Requests() {
		h := r.Host()
		if h == "" || slices.Contains(hosts, h) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// Problems returns the console errors, uncaught exceptions and browser
// error log entries seen so far.
func (b *Browser) Problems() []Problem {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.problems)
}

// run runs actions as one step, failing the test with what was asked.
func (b *Browser) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.step(), actions...); err != nil {
		b.t.Fatalf("browsertest: %s: %v", what, err)
	}
}

// navigate runs actions that cause a navigation and waits for the new
// document, returning its HTTP status.
func (b *Browser) navigate(what string, actions ...chromedp.Action[chromedp.Void]) int {
	b.t.Helper()
	res, err := chromedp.RunResponse(b.step(), actions...)
	if err != nil {
		b.t.Fatalf("browsertest: %s: %v", what, err)
	}
	if res == nil {
		return 0
	}
	return int(res.Status)
}

// Go opens url and waits for it to load; it returns the HTTP status.
func (b *Browser) Go(url string) int {
	b.t.Helper()
	return b.navigate("go to "+url, chromedp.Navigate(url))
}

// Location returns the URL of the current page.
func (b *Browser) Location() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.step(), chromedp.Location())
	if err != nil {
		b.t.Fatalf("browsertest: location: %v", err)
	}
	return loc
}

// Fill replaces the value of the input or textarea matching the CSS
// selector by typing value into it, as a user would (key events fire).
func (b *Browser) Fill(selector, value string) {
	b.t.Helper()
	sel := chromedp.CSS(selector)
	b.run("fill "+selector,
		chromedp.WaitVisible(sel),
		b.eval(`el => { el.value = ""; el.dispatchEvent(new Event("input", {bubbles: true})); return true; }`, selector),
		chromedp.SendKeys(sel, value))
}

// eval is an action calling fn, a JavaScript function of one element, on
// the element matching the CSS selector; fn must return true.
func (b *Browser) eval(fn, selector string) chromedp.Action[chromedp.Void] {
	q, _ := json.Marshal(selector) // a string always marshals
	expr := `(() => { const el = document.querySelector(` + string(q) + `); return !!el && (` + fn + `)(el); })()`
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%s: no such element, or not the kind expected", selector)
		}
		return nil
	})
}

// Click clicks the element matching the CSS selector. For a click that
// loads another page, use Follow.
func (b *Browser) Click(selector string) {
	b.t.Helper()
	b.run("click "+selector, chromedp.Click(chromedp.CSS(selector)))
}

// Follow clicks the element matching the CSS selector, a link or a submit
// button, and waits for the page it loads; it returns the HTTP status.
func (b *Browser) Follow(selector string) int {
	b.t.Helper()
	return b.navigate("follow "+selector, chromedp.Click(chromedp.CSS(selector)))
}

// Submit submits the form matching the CSS selector, or the form of the
// field or button it matches, as pressing Enter would (validation and
// submit handlers run; a matched submit button's name and value are sent),
// and waits for the resulting page; it returns the HTTP status.
func (b *Browser) Submit(selector string) int {
	b.t.Helper()
	sel := chromedp.CSS(selector)
	return b.navigate("submit "+selector,
		chromedp.WaitReady(sel),
		// requestSubmit is deferred so that the evaluation returns before
		// the page it belongs to goes away.
		b.eval(`el => {
	const form = el instanceof HTMLFormElement ? el : (el.form || el.closest("form"));
	if (!form) return false;
	const submitter = (el.type === "submit" && el.form === form) ? el : undefined;
	setTimeout(() => form.requestSubmit(submitter), 0);
	return true;
}`, selector))
}

// Text returns the visible text of the element matching the CSS selector,
// once it is visible.
func (b *Browser) Text(selector string) string {
	b.t.Helper()
	sel := chromedp.CSS(selector)
	if err := chromedp.Do(b.step(), chromedp.WaitVisible(sel)); err != nil {
		b.t.Fatalf("browsertest: text of %s: %v", selector, err)
	}
	text, err := chromedp.Run(b.step(), chromedp.Text(sel))
	if err != nil {
		b.t.Fatalf("browsertest: text of %s: %v", selector, err)
	}
	return text
}

// WaitVisible waits until the element matching the CSS selector is
// visible.
func (b *Browser) WaitVisible(selector string) {
	b.t.Helper()
	b.run("wait for "+selector, chromedp.WaitVisible(chromedp.CSS(selector)))
}

// Modifier keys for Press.
const (
	Alt   = chromedp.ModifierAlt
	Ctrl  = chromedp.ModifierCtrl
	Meta  = chromedp.ModifierMeta
	Shift = chromedp.ModifierShift
)

// Press types keys into whatever has focus (the page when nothing does),
// one key event per rune, with the modifiers held: Press("j") for a
// keyboard shortcut, Press("k", browsertest.Ctrl) for Ctrl+K. Special keys
// are the runes of github.com/chromedp/chromedp/kb, e.g. kb.Enter.
func (b *Browser) Press(keys string, modifiers ...chromedp.Modifier) {
	b.t.Helper()
	b.run("press "+keys, chromedp.KeyEvent(keys, chromedp.KeyModifiers(modifiers...)))
}

// Viewport resizes the page, e.g. to 390×844 for a phone.
func (b *Browser) Viewport(width, height int64) {
	b.t.Helper()
	b.run("viewport", chromedp.EmulateViewport(width, height))
}

// Screenshot writes a PNG of the whole page (beyond the viewport) to
// <repository root>/.cache/screenshots/<name>.png and returns its path.
// name must be a plain file name: letters, digits, '-', '_' and '.'.
func (b *Browser) Screenshot(name string) string {
	b.t.Helper()
	if !validName(name) {
		b.t.Fatalf("browsertest: screenshot name %q: use letters, digits, '-', '_' and '.'", name)
	}
	root, err := repoRoot()
	if err != nil {
		b.t.Fatalf("browsertest: screenshot %s: %v", name, err)
	}
	dir := filepath.Join(root, ".cache", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatalf("browsertest: screenshot %s: %v", name, err)
	}
	png, err := chromedp.Run(b.step(), chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("browsertest: screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatalf("browsertest: screenshot %s: %v", name, err)
	}
	return path
}

func validName(name string) bool {
	if name == "" || len(name) > 128 || name[0] == '.' {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// repoRoot walks up from the working directory (the test's package) to
// the directory holding go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if fi, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && !fi.IsDir() {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
