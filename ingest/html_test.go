package ingest

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

var partURL = regexp.MustCompile(`^part:[0-9]+$`)

// checkSafeHTML re-parses sanitized output the way a browser would and
// fails on anything that runs script or fetches a resource: the check
// behind attacks 27–33, independent of how the sanitizer got there.
func checkSafeHTML(t *testing.T, out string) {
	t.Helper()
	// The view shows the part as a document of its own (a sandboxed
	// iframe), so it is parsed as one.
	doc, err := html.Parse(strings.NewReader(out))
	if err != nil {
		t.Fatalf("re-parse: %v", err)
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "iframe", "frame", "object", "embed", "svg", "math", "meta", "link", "base",
				"form", "input", "button", "noscript", "template", "audio", "video", "source", "applet":
				t.Errorf("element <%s> survived in %q", n.Data, out)
			}
			for _, a := range n.Attr {
				key, val := strings.ToLower(a.Key), strings.ToLower(strings.TrimSpace(a.Val))
				switch {
				case strings.HasPrefix(key, "on"):
					t.Errorf("handler %s survived in %q", key, out)
				case key == "style":
					t.Errorf("style attribute survived in %q", out)
				case key == "src":
					if !partURL.MatchString(a.Val) {
						t.Errorf("src %q survived in %q", a.Val, out)
					}
				case key == "srcset", key == "background", key == "poster", key == "data", key == "action", key == "formaction":
					t.Errorf("fetching attribute %s survived in %q", key, out)
				case key == "href" || key == "cite":
					if strings.Contains(val, "script:") || strings.HasPrefix(val, "data:") || strings.HasPrefix(val, "cid:") {
						t.Errorf("%s=%q survived in %q", key, a.Val, out)
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
}

func sanitizeForTest(doc string) string {
	return string(rewriteURLs(sanitizeHTML([]byte(doc)), func(cid string) (int, bool) {
		if cidKey(cid) == "known@example.com" {
			return 3, true
		}
		return 0, false
	}))
}

func TestSanitizeHTML(t *testing.T) {
	for _, tc := range []struct {
		attack, name, in string
		want, notWant    []string
	}{
		{"27", "script", `<p>a</p><script>alert(1)</script><p>b</p>`, []string{"<p>a</p>", "<p>b</p>"}, []string{"alert"}},
		{"27", "handlers", `<p onclick="x()" onmouseover=y()>hi</p><img src=x onerror=alert(1)><body onload=alert(1)>`, []string{"hi"}, []string{"onclick", "onerror", "onload", "alert"}},
		{"28", "javascript url", `<a href="javascript:alert(1)">x</a><a href="JaVaScRiPt:alert(1)">y</a><a href=" javascript:alert(1)">z</a>`, []string{"x", "y", "z"}, []string{"javascript"}},
		{"28", "entity-obfuscated javascript", `<a href="java&#x09;script:alert(1)">x</a><a href="jav&#97;script&colon;alert(1)">y</a>`, []string{"x"}, []string{"script:"}},
		{"28", "data urls", `<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a><img src="data:image/png;base64,iVBORw0KGgo=">`, []string{"x"}, []string{"data:"}},
		{"28", "vbscript", `<a href="vbscript:msgbox(1)">x</a>`, []string{"x"}, []string{"vbscript"}},
		{"29", "svg script", `<svg><script>alert(1)</script><circle r=1 /></svg><svg onload=alert(1)></svg><svg><a xlink:href="javascript:alert(1)"><text>t</text></a></svg>`, nil, []string{"alert", "svg", "xlink"}},
		{"30", "noscript mxss", `<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>`, nil, []string{"onerror", "alert(1)"}},
		{"30", "template mxss", `<template><script>alert(1)</script><img src=x onerror=alert(2)></template>`, nil, []string{"alert", "onerror"}},
		{"30", "math mxss", `<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>`, nil, []string{"onerror", "alert"}},
		{"30", "form math mxss", `<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>`, nil, []string{"onerror", "alert"}},
		{"30", "comment mxss", `<!--<img src=x onerror=alert(1)>--><p>ok</p>`, []string{"ok"}, []string{"onerror"}},
		{"31", "css expression", `<div style="width: expression(alert(1))">x</div>`, []string{"x"}, []string{"expression", "style"}},
		{"31", "style urls", `<p style="background:url(http://t.example/x.gif)">p</p><style>@import url(http://t.example/x.css); body{background:url(http://t.example/y)}</style>`, []string{"p"}, []string{"url(", "t.example"}},
		{"31", "meta refresh", `<meta http-equiv="refresh" content="0;url=http://evil.example/"><p>x</p>`, []string{"x"}, []string{"refresh", "evil"}},
		{"31", "link stylesheet", `<link rel="stylesheet" href="http://evil.example/x.css"><base href="http://evil.example/"><p>x</p>`, []string{"x"}, []string{"evil"}},
		{"32", "tracking pixel", `<p>hi</p><img src="https://tracker.example/p.gif?u=lawyer" width="1" height="1" alt="">`, []string{"hi"}, []string{"tracker"}},
		{"32", "protocol-relative and relative images", `<img src="//cdn.example/p.gif"><img src="/admin/logout"><img src="p.gif">`, nil, []string{"cdn.example", "logout", "p.gif"}},
		{"32", "other fetching attributes", `<table background="http://t.example/bg.gif"><tr><td background="http://t.example/td.gif">x</td></tr></table><img srcset="http://t.example/a.gif 1x"><video poster="http://t.example/v.gif"></video><object data="http://t.example/o"></object><iframe src="http://t.example/f"></iframe>`, []string{"x"}, []string{"t.example"}},
		{"33", "cid known", `<img src="cid:known@example.com" alt="logo"><img src="CID:known%40example.com">`, []string{`src="part:3"`, `alt="logo"`}, []string{"cid:"}},
		{"33", "cid unknown", `<img src="cid:part-of-another-message@example.com"><a href="cid:other@example.com">x</a>`, []string{"x"}, []string{"cid:", "another", "other@"}},
		{"", "links keep noreferrer", `<a href="https://example.com/doc">doc</a>`, []string{`href="https://example.com/doc"`, "noreferrer"}, nil},
	} {
		t.Run(tc.attack+" "+tc.name, func(t *testing.T) {
			out := sanitizeForTest(tc.in)
			checkSafeHTML(t, out)
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output %q lacks %q", out, w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(strings.ToLower(out), strings.ToLower(w)) {
					t.Errorf("output %q keeps %q", out, w)
				}
			}
			// Another round finds nothing new to run: no parser
			// difference turns the output into script.
			checkSafeHTML(t, sanitizeForTest(out))
		})
	}
}

func TestPlainText(t *testing.T) {
	doc := []byte(`<html><head><title>T</title><style>p{}</style><script>var x=1</script></head>` +
		`<body><p>Caf&eacute;&nbsp;au&nbsp;lait</p><div>line&amp;two</div>  <br> end</body></html>`)
	got := plainText(doc, 1000)
	if strings.Contains(got, "var x") || strings.Contains(got, "p{}") {
		t.Errorf("script or style text kept: %q", got)
	}
	if !strings.Contains(got, "Café au lait line&two end") {
		t.Errorf("plain text %q", got)
	}
	if got := plainText(bytes.Repeat([]byte("é "), 100), 9); got != "é é é" {
		t.Errorf("capped plain text %q", got)
	}
}

// Through Parse, cid: resolves only to a part of the same message.
func TestHTMLViaParse(t *testing.T) {
	raw := attackHeader + "Content-Type: multipart/related; boundary=r\r\n\r\n--r\r\nContent-Type: text/html\r\n\r\n" +
		`<p>x</p><img src="cid:img1@x"><img src="cid:img2@x"><img src="http://t.example/p.gif">` + "\r\n" +
		"--r\r\nContent-Type: image/gif\r\nContent-ID: <img1@x>\r\n\r\nGIF89a\r\n--r--\r\n"
	msg, sink := parseBytes(t, []byte(raw), Limits{})
	var htmlPart *memPart
	for _, p := range sink.parts {
		if p.info.Kind == KindHTML {
			htmlPart = p
		}
	}
	if htmlPart == nil {
		t.Fatalf("no html part: %+v", msg.Parts)
	}
	out := htmlPart.buf.String()
	checkSafeHTML(t, out)
	if !strings.Contains(out, `src="part:0"`) || strings.Contains(out, "img2") || strings.Contains(out, "t.example") {
		t.Errorf("html %q", out)
	}
	if msg.Text != "x" {
		t.Errorf("text %q", msg.Text)
	}
}
