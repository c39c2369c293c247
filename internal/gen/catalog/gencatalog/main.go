// Command gencatalog writes catalog_gen.go (package esl) from the catalogue
// files under catalog/. Run it through "go generate" in the repository root.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/eslkit/esl/internal/gen/catalog"
)

func main() {
	dir := flag.String("dir", "catalog", "folder holding the catalogue files")
	out := flag.String("out", "catalog_gen.go", "Go file to write")
	flag.Parse()
	d, err := catalog.Load(*dir)
	if err == nil {
		var src []byte
		if src, err = catalog.Generate(d); err == nil {
			err = os.WriteFile(*out, src, 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencatalog:", err)
		os.Exit(1)
	}
}
