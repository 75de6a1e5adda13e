package template

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
)

// TestConcurrentUse shares one Engine (and one read-only vars map per
// host) between 8 goroutines rendering the same and distinct templates;
// run with -race.
func TestConcurrentUse(t *testing.T) {
	e := New()
	shared := testVars()
	const workers = 8
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			vars := map[string]any{"inventory_hostname": fmt.Sprintf("h%d", w), "item": w, "result": shared["result"], "nums": shared["nums"]}
			for i := 0; i < 200; i++ {
				got, err := e.Render("{{ inventory_hostname }}-{{ item }}", vars)
				if want := fmt.Sprintf("h%d-%d", w, w); err != nil || got != want {
					errs <- fmt.Errorf("worker %d: got %v, %v; want %s", w, got, err, want)
					return
				}
				ok, err := e.Truth("result.rc == 0 and 'x' in result.stdout", vars)
				if err != nil || !ok {
					errs <- fmt.Errorf("worker %d: truth %v, %v", w, ok, err)
					return
				}
				// A template unique to this iteration exercises cache inserts.
				src := fmt.Sprintf("{%% set n = %d %%}{{ n + item }}{{ nums | sort | first }}", i)
				s, err := e.RenderString(src, vars)
				if want := fmt.Sprintf("%d1", i+w); err != nil || s != want {
					errs <- fmt.Errorf("worker %d: %q = %q, %v; want %q", w, src, s, err, want)
					return
				}
				if _, err := e.Render("{{ missing }}", vars); err == nil {
					errs <- fmt.Errorf("worker %d: undefined variable rendered", w)
					return
				}
				if _, err := e.TemplateNames(src); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if !reflect.DeepEqual(shared["nums"], []any{3, 1, 2}) {
		t.Fatalf("shared variables were modified: %v", shared["nums"])
	}
}
