package config

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var updateReadme = flag.Bool("update-readme", false, "rewrite the settings table in README.md")

// The README's settings table is Settings(), so that the documentation
// cannot drift from what matterfile reads. go test ./config -update-readme
// rewrites it.
func TestReadmeSettingsTable(t *testing.T) {
	const path = "../README.md"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	const header = "| variable | default | meaning |\n|---|---|---|\n"
	start := strings.Index(readme, header)
	if start < 0 {
		t.Fatal("README.md has no settings table")
	}
	end := start + len(header)
	for end < len(readme) && strings.HasPrefix(readme[end:], "| ") {
		end += strings.Index(readme[end:], "\n") + 1
	}
	var b strings.Builder
	b.WriteString(header)
	for _, s := range Settings() {
		def := "`" + s.Default + "`"
		switch {
		case s.Default == "":
			def = ""
		case strings.HasPrefix(s.Default, "("):
			def = s.Default
		}
		b.WriteString("| `" + s.Env + "` | " + def + " | " + s.Help + " |\n")
	}
	want := b.String()
	if readme[start:end] == want {
		return
	}
	if *updateReadme {
		if err := os.WriteFile(path, []byte(readme[:start]+want+readme[end:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's settings table differs from Settings(); run go test ./config -update-readme. Want:\n%s", want)
}
