package playbooks

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the .golden files")

// check runs Load then Validate the way `drover check` does and returns
// every error found.
func check(path string, vopts ValidateOptions) (*Playbook, *ErrorList, error) {
	pb, err := Load(path, LoadOptions{})
	var loadErrs *ErrorList
	if err != nil && !errors.As(err, &loadErrs) {
		return nil, nil, err
	}
	if pb == nil {
		return nil, loadErrs, nil
	}
	var valErrs *ErrorList
	if err := Validate(pb, vopts); err != nil && !errors.As(err, &valErrs) {
		return nil, nil, err
	}
	return pb, Merge(loadErrs, valErrs), nil
}

func errorCorpus(t testing.TB) []string {
	files, err := filepath.Glob("testdata/errors/*.yml")
	if err != nil {
		t.Fatal(err)
	}
	return append(files, "testdata/errors/cycle/main.yml")
}

// TestGoldenErrors checks each error class's exact messages, positions and
// snippets against testdata/errors/*.golden (go test -update rewrites them).
func TestGoldenErrors(t *testing.T) {
	for _, f := range errorCorpus(t) {
		t.Run(strings.TrimSuffix(strings.TrimPrefix(f, "testdata/errors/"), ".yml"), func(t *testing.T) {
			_, list, err := check(f, ValidateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if list == nil {
				t.Fatalf("%s: no errors found", f)
			}
			got := list.Text()
			golden := strings.TrimSuffix(f, ".yml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("%s: errors differ\n--- got\n%s--- want\n%s", f, got, want)
			}
		})
	}
}
