package runner

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadJournal: a journal damaged in any way (a crash mid-write, a
// truncated disk) is read without panicking.
func FuzzReadJournal(f *testing.F) {
	f.Add([]byte(`{"v":1,"type":"run_started","time":"2026-11-27T08:00:00Z","play_index":0,"node":0}` + "\n"))
	f.Add([]byte(`{"v":1,"type":"task_result","host":"h","node":3,"status":"ok","register":"r","result":{"rc":0}}` + "\n" + `{"v":1,"type":"host_do`))
	f.Add([]byte("\n\n{}\n[]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "journal.jsonl")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		evs, err := ReadJournal(p)
		if err == nil {
			NewResume(evs)
		}
	})
}
