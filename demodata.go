// Package matterfile holds the demo data embedded in the binary so that `matterfile demo` runs from any directory.
package matterfile

import (
	"embed"
	"io/fs"
)

//go:embed testdata/matters.csv testdata/matters.json testdata/mbox/*.mbox
var demoFS embed.FS

// DemoData returns the demo matters (testdata/matters.csv) and mailboxes (testdata/mbox/*.mbox).
func DemoData() fs.FS { return demoFS }
