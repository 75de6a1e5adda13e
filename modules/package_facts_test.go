package modules

import (
	"reflect"
	"testing"
)

func TestParsePackages(t *testing.T) {
	got := parsePackages("apt\n" +
		"ii \tbash\t5.2.15-2+b2\tamd64\n" +
		"rc \told-thing\t1.0\tamd64\n" + // removed, config files left
		"ii \tlibc6\t2.36-9\tamd64\n" +
		"ii \tlibc6\t2.36-9\ti386\n" +
		"iU \thalf\t1\tall\n" +
		"rpm\n" +
		"kernel\t5.14.0\t427.el9\tx86_64\t(none)\n" +
		"shim\t15.8\t3\tx86_64\t1\n")
	want := map[string]any{
		"bash": []any{map[string]any{"name": "bash", "version": "5.2.15-2+b2", "arch": "amd64", "source": "apt"}},
		"libc6": []any{
			map[string]any{"name": "libc6", "version": "2.36-9", "arch": "amd64", "source": "apt"},
			map[string]any{"name": "libc6", "version": "2.36-9", "arch": "i386", "source": "apt"},
		},
		"kernel": []any{map[string]any{"name": "kernel", "version": "5.14.0", "release": "427.el9", "arch": "x86_64", "source": "rpm", "epoch": nil}},
		"shim":   []any{map[string]any{"name": "shim", "version": "15.8", "release": "3", "arch": "x86_64", "source": "rpm", "epoch": "1"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parsePackages:\n got %v\nwant %v", got, want)
	}
}
