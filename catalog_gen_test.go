package esl

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/eslkit/esl/internal/gen/catalog"
)

// TestCatalogGeneratedIsCurrent regenerates catalog_gen.go from catalog/
// into a temporary folder and fails when the committed file differs: edit
// the data, then run "go generate".
func TestCatalogGeneratedIsCurrent(t *testing.T) {
	d, err := catalog.Load("catalog")
	if err != nil {
		t.Fatal(err)
	}
	src, err := catalog.Generate(d)
	if err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(t.TempDir(), "catalog_gen.go")
	if err := os.WriteFile(fresh, src, 0o644); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(fresh)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("catalog_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("catalog_gen.go is stale: run \"go generate\" in the repository root (fresh copy: %s)", fresh)
	}
}

// TestCatalogGeneratorCommand runs the go:generate command itself into a
// temporary file, so a broken generator command is caught too.
func TestCatalogGeneratorCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the generator")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	out := filepath.Join(t.TempDir(), "catalog_gen.go")
	cmd := exec.Command(goBin, "run", "./internal/gen/catalog/gencatalog", "-dir", "catalog", "-out", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generator: %v\n%s", err, msg)
	}
	got, _ := os.ReadFile("catalog_gen.go")
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("catalog_gen.go differs from what the go:generate command writes: run \"go generate\"")
	}
}
