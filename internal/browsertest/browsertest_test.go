package browsertest

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"
)

// The message view's policy (docs/security.md, HTML view).
const frameCSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

// site serves the given pages (path → HTML) on loopback.
func site(t *testing.T, pages map[string]string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	for path, body := range pages {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(path, "/frame") {
				w.Header().Set("Content-Security-Policy", frameCSP)
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, body)
		})
	}
	mux.HandleFunc("GET /pixel.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(onePixelPNG)
	})
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// onePixelPNG is a 1×1 transparent PNG.
var onePixelPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

func host(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	return u.Host
}

func TestFindChromium(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "chromium")
	require.NoError(t, os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755))
	plain := filepath.Join(dir, "plain")
	require.NoError(t, os.WriteFile(plain, nil, 0o644))
	noPath := func(string) (string, error) { return "", errors.New("not found") }

	got, err := findChromium(exe, noPath)
	require.NoError(t, err)
	require.Equal(t, exe, got)

	_, err = findChromium(plain, func(string) (string, error) { return exe, nil })
	require.ErrorContains(t, err, "not an executable", "a wrong variable must not fall back to another browser")

	if !isExecutable(debianChromium) {
		got, err = findChromium("", func(name string) (string, error) {
			if name == "chromium" {
				return exe, nil
			}
			return "", errors.New("not found")
		})
		require.NoError(t, err)
		require.Equal(t, exe, got)
		_, err = findChromium("", noPath)
		require.Error(t, err)
	}
}

func TestDialogWatcherRecordsAlert(t *testing.T) {
	srv := site(t, map[string]string{
		"/": `<!doctype html><title>a</title><script>alert("hello from the page")</script><p id="after">after</p>`,
	})
	b := New(t)
	require.Equal(t, http.StatusOK, b.Go(srv.URL+"/"))
	b.WaitIdle()
	require.Equal(t, "after", b.Text("#after"), "the dialog was answered, so the page went on")
	d := b.Dialogs()
	require.Len(t, d, 1)
	require.Equal(t, "alert", d[0].Type)
	require.Equal(t, "hello from the page", d[0].Message)
}

func TestDialogWatcherRecordsConfirmAndPrompt(t *testing.T) {
	srv := site(t, map[string]string{
		"/": `<!doctype html><title>a</title><script>
			const c = confirm("sure?"); const p = prompt("name?");
			document.addEventListener("DOMContentLoaded", () => { document.getElementById("out").textContent = c + "/" + p; });
		</script><p id="out"></p>`,
	})
	b := New(t)
	b.Go(srv.URL + "/")
	b.WaitIdle()
	require.Equal(t, "false/null", b.Text("#out"), "dialogs are dismissed")
	var types []string
	for _, d := range b.Dialogs() {
		types = append(types, d.Type)
	}
	require.Equal(t, []string{"confirm", "prompt"}, types)
}

func TestRequestWatcherReportsRemoteHost(t *testing.T) {
	srv := site(t, map[string]string{
		"/": `<!doctype html><title>a</title><img src="/pixel.png"><img src="http://remote.invalid/x.png">`,
	})
	b := New(t)
	b.Go(srv.URL + "/")
	b.WaitIdle()
	out := b.RequestsOutside(host(t, srv))
	require.Len(t, out, 1, "%+v", b.Requests())
	require.Equal(t, "remote.invalid", out[0].Host())
	require.Equal(t, "http://remote.invalid/x.png", out[0].URL)
	require.NotEmpty(t, out[0].FrameID)
	require.NotEmpty(t, out[0].Failed, "a host that cannot resolve fails, and is still reported")
}

// xssFrame is what a hostile message would try in the message view.
const xssFrame = `<!doctype html><p>message</p><script>alert(1)</script><img src=x onerror=alert(2)>` +
	`<svg onload=alert(3)></svg><a id=js href="javascript:alert(4)">x</a>`

// An iframe's alert is seen: without this, "no dialog" from a sandboxed
// frame would prove nothing.
func TestDialogWatcherSeesUnsandboxedFrame(t *testing.T) {
	srv := site(t, map[string]string{
		"/":     `<!doctype html><title>a</title><iframe src="/msg"></iframe>`,
		"/msg":  xssFrame,
		"/top2": `<!doctype html><title>a</title><iframe srcdoc="` + html.EscapeString(xssFrame) + `"></iframe>`,
	})
	for _, path := range []string{"/", "/top2"} {
		t.Run(path, func(t *testing.T) {
			b := New(t)
			b.Go(srv.URL + path)
			b.WaitIdle()
			var msgs []string
			for _, d := range b.Dialogs() {
				msgs = append(msgs, d.Message)
			}
			require.Subset(t, msgs, []string{"1", "2"}, "%+v", b.Dialogs())
		})
	}
}

func TestSandboxedFrameRunsNothing(t *testing.T) {
	srv := site(t, map[string]string{
		"/":          `<!doctype html><title>a</title><iframe sandbox="" src="/frame"></iframe>`,
		"/frame":     xssFrame,
		"/srcdoc":    `<!doctype html><title>a</title><iframe sandbox="" srcdoc="` + html.EscapeString(xssFrame) + `"></iframe>`,
		"/framedata": `<!doctype html><title>a</title><iframe sandbox="" src="data:text/html,` + url.PathEscape(xssFrame) + `"></iframe>`,
	})
	for _, path := range []string{"/", "/srcdoc", "/framedata"} {
		t.Run(path, func(t *testing.T) {
			b := New(t)
			b.Go(srv.URL + path)
			b.WaitIdle()
			require.Empty(t, b.Dialogs())
			require.Empty(t, b.RequestsOutside(host(t, srv)))
		})
	}
}

// Requests of sandboxed, srcdoc and data: frames are seen: without this,
// "no request" from the message view would prove nothing.
func TestRequestWatcherSeesEveryFrame(t *testing.T) {
	const remote = `<img src="http://remote.invalid/%s.png"><img src="/pixel.png?%s">`
	frame := func(name string) string { return fmt.Sprintf(remote, name, name) }
	srv := site(t, map[string]string{
		"/": `<!doctype html><title>a</title>` +
			`<iframe sandbox="" src="/framed"></iframe>` +
			`<iframe sandbox="" srcdoc="` + html.EscapeString(frame("srcdoc")) + `"></iframe>` +
			`<iframe src="data:text/html,` + url.PathEscape(frame("data")) + `"></iframe>`,
		"/framed": frame("sandboxed"), // no CSP here: /frame* paths get it
	})
	b := New(t)
	b.Go(srv.URL + "/")
	b.WaitIdle()
	seen := map[string]string{}
	for _, r := range b.RequestsOutside(host(t, srv)) {
		seen[r.URL] = r.FrameID
	}
	for _, name := range []string{"sandboxed", "srcdoc", "data"} {
		require.Contains(t, seen, "http://remote.invalid/"+name+".png", "%+v", b.Requests())
	}
	main := b.Requests()[0].FrameID
	for u, frame := range seen {
		require.NotEqual(t, main, frame, "%s is attributed to its frame, not the page", u)
	}
}

// A frame of another site (localhost vs 127.0.0.1) is the case site
// isolation would move to another process; the harness keeps it watched.
func TestWatchersSeeCrossSiteFrame(t *testing.T) {
	inner := site(t, map[string]string{
		"/x": `<!doctype html><script>alert("cross")</script><img src="http://remote.invalid/cross.png">`,
	})
	other := strings.Replace(inner.URL, "127.0.0.1", "localhost", 1)
	srv := site(t, map[string]string{
		"/": `<!doctype html><title>a</title><iframe src="` + other + `/x"></iframe>`,
	})
	b := New(t)
	b.Go(srv.URL + "/")
	b.WaitIdle()
	d := b.Dialogs()
	require.Len(t, d, 1)
	require.Equal(t, "cross", d[0].Message)
	var hosts []string
	for _, r := range b.RequestsOutside(host(t, srv)) {
		hosts = append(hosts, r.Host())
	}
	require.Contains(t, hosts, "remote.invalid")
}

func TestProblemsRecordsErrorsAndExceptions(t *testing.T) {
	srv := site(t, map[string]string{
		"/": `<!doctype html><title>a</title><script>console.error("bad thing")</script><script>throw new Error("boom")</script>`,
	})
	b := New(t)
	b.Go(srv.URL + "/")
	b.WaitIdle()
	var kinds, texts []string
	for _, p := range b.Problems() {
		kinds = append(kinds, p.Kind)
		texts = append(texts, p.Text)
	}
	require.Contains(t, kinds, "console")
	require.Contains(t, kinds, "exception")
	require.Contains(t, strings.Join(texts, "\n"), "bad thing")
	require.Contains(t, strings.Join(texts, "\n"), "boom")
}

func TestFormHelpers(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>form</title>
			<form method="post" action="/signin">
				<input id="email" name="email" value="old">
				<textarea id="note" name="note"></textarea>
				<button id="go" name="action" value="signin">Sign in</button>
			</form>
			<a id="next" href="/next">next</a>
			<p id="keys"></p><button id="count" onclick="this.textContent = +this.textContent + 1">0</button>
			<script>document.addEventListener("keydown", e =>
				document.getElementById("keys").textContent += (e.ctrlKey ? "C-" : "") + e.key + " ");</script>`)
	})
	mux.HandleFunc("POST /signin", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/welcome?"+url.Values{"email": {r.FormValue("email")}, "note": {r.FormValue("note")}, "action": {r.FormValue("action")}}.Encode(), http.StatusSeeOther)
	})
	mux.HandleFunc("GET /welcome", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><title>w</title><p id="who">%s|%s|%s</p>`,
			html.EscapeString(r.FormValue("email")), html.EscapeString(r.FormValue("note")), html.EscapeString(r.FormValue("action")))
	})
	mux.HandleFunc("GET /next", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<!doctype html><title>n</title><h1>Forbidden</h1>`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	b := New(t)
	b.Go(srv.URL + "/")
	b.Click("#count")
	b.Click("#count")
	require.Equal(t, "2", b.Text("#count"))

	b.Click("#count") // focus leaves the fields; keys go to the page
	b.Press("j")
	b.Press("k", Ctrl)
	b.Press(kb.ArrowDown)
	require.Equal(t, "j C-k ArrowDown", strings.TrimSpace(b.Text("#keys")))

	b.Fill("#email", "alice@firm.example")
	b.Fill("#note", "two words")
	require.Equal(t, http.StatusOK, b.Submit("#go"))
	require.Equal(t, "alice@firm.example|two words|signin", b.Text("#who"))
	require.Equal(t, srv.URL+"/welcome?action=signin&email=alice%40firm.example&note=two+words", b.Location())

	b.Go(srv.URL + "/")
	require.Equal(t, http.StatusForbidden, b.Follow("#next"))
	require.Equal(t, "Forbidden", b.Text("h1"))
}

func TestScreenshotWritesFullPagePNG(t *testing.T) {
	srv := site(t, map[string]string{
		"/": `<!doctype html><title>a</title><div style="height:3000px;background:#36c">tall</div>`,
	})
	b := New(t)
	b.Go(srv.URL + "/")
	path := b.Screenshot("browsertest-selftest")
	t.Cleanup(func() { os.Remove(path) })
	root, err := repoRoot()
	require.NoError(t, err)
	require.Equal(t, filepath.Join(root, ".cache", "screenshots", "browsertest-selftest.png"), path)
	png, err := os.ReadFile(path)
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")))
	// The IHDR height is the page's, not the 800 px viewport's.
	height := int(png[20])<<24 | int(png[21])<<16 | int(png[22])<<8 | int(png[23])
	require.GreaterOrEqual(t, height, 3000)

	for _, bad := range []string{"", "../x", "a/b", ".hidden", "sp ace"} {
		require.False(t, validName(bad), bad)
	}
}
