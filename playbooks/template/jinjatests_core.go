package template

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// Tests of ansible-core 2.14's plugins/test/core.py, mathstuff.py and
// files.py. The file tests look at paths on the controller (where drover
// runs, relative to its working directory), as Ansible's do.

func coreTests() map[string]exec.TestFunction {
	m := map[string]exec.TestFunction{}
	add := func(f testFn, names ...string) {
		for _, n := range names {
			m[n] = f
		}
	}
	add(iterTest("any", func(items []any) bool {
		for _, x := range items {
			if PyTruth(x) {
				return true
			}
		}
		return false
	}), "any")
	add(iterTest("all", func(items []any) bool {
		for _, x := range items {
			if !PyTruth(x) {
				return false
			}
		}
		return true
	}), "all")
	add(asyncTest("started"), "started")
	add(asyncTest("finished"), "finished")
	add(pathTest("abs", func(p string) bool { return strings.HasPrefix(p, "/") }), "abs", "is_abs")
	add(pathTest("exists", func(p string) bool { _, err := os.Stat(p); return err == nil }), "exists")
	add(pathTest("link_exists", func(p string) bool { _, err := os.Lstat(p); return err == nil }), "link_exists")
	add(pathTest("file", func(p string) bool { fi, err := os.Stat(p); return err == nil && fi.Mode().IsRegular() }), "file", "is_file")
	add(pathTest("directory", func(p string) bool { fi, err := os.Stat(p); return err == nil && fi.IsDir() }), "directory", "is_dir")
	add(pathTest("link", func(p string) bool {
		fi, err := os.Lstat(p)
		return err == nil && fi.Mode()&os.ModeSymlink != 0
	}), "link", "is_link")
	add(testSameFile, "same_file", "is_same_file")
	return m
}

// PyTruth is Python's bool(): empty strings and containers, zero and None
// are false ("no" and "false" are true, unlike Truthy).
func PyTruth(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case bool:
		return t
	case string:
		return t != ""
	case int:
		return t != 0
	case int64:
		return t != 0
	case float64:
		return t != 0
	case []any:
		return len(t) > 0
	case map[string]any:
		return len(t) > 0
	}
	return exec.AsValue(v).IsTrue()
}

// iterTest is Python's any/all over the tested value's items.
func iterTest(name string, f func([]any) bool) testFn {
	return func(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) (bool, error) {
		if err := propagate(in); err != nil {
			return false, err
		}
		v := toNative(in)
		items, err := sequence(v)
		if err != nil {
			return false, fmt.Errorf("test '%s': '%s' object is not iterable", name, pyTypeName(v))
		}
		return f(items), nil
	}
}

// asyncTest is started/finished: for an async task's result, its flag
// equals 1; any other result counts as started and finished.
func asyncTest(name string) testFn {
	return func(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) (bool, error) {
		if err := propagate(in); err != nil {
			return false, err
		}
		m, ok := toNative(in).(map[string]any)
		if !ok {
			return false, fmt.Errorf("The '%s' test expects a dictionary", name)
		}
		flag, ok := m[name]
		if !ok {
			return true, nil
		}
		switch v := flag.(type) {
		case bool:
			return v, nil
		case int:
			return v == 1, nil
		case int64:
			return v == 1, nil
		case float64:
			return v == 1, nil
		}
		return false, nil
	}
}

// pathOf is the tested path.
func pathOf(name string, in *exec.Value) (string, error) {
	if err := propagate(in); err != nil {
		return "", err
	}
	s, ok := toNative(in).(string)
	if !ok {
		return "", fmt.Errorf("test '%s': expected str, bytes or os.PathLike object, not %s", name, pyTypeName(toNative(in)))
	}
	return s, nil
}

func pathTest(name string, f func(string) bool) testFn {
	return func(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) (bool, error) {
		p, err := pathOf(name, in)
		if err != nil {
			return false, err
		}
		if strings.IndexByte(p, 0) >= 0 {
			return false, nil // Python's ValueError, which these tests catch
		}
		return f(p), nil
	}
}

// testSameFile is os.path.samefile: both paths must exist.
func testSameFile(_ *exec.Evaluator, in *exec.Value, a *exec.VarArgs) (bool, error) {
	p, err := pathOf("same_file", in)
	if err != nil {
		return false, err
	}
	if len(a.Args) == 0 {
		return false, errors.New("test 'same_file' needs the other path")
	}
	q, ok := toNative(a.Args[0]).(string)
	if !ok {
		return false, errors.New("test 'same_file': the other path is not a string")
	}
	fp, err := os.Stat(p)
	if err != nil {
		return false, err
	}
	fq, err := os.Stat(q)
	if err != nil {
		return false, err
	}
	return os.SameFile(fp, fq), nil
}
