package playbooks

import (
	"context"

	"github.com/drover-sh/drover/modules"
)

// fakeModule stands in for modules not registered yet (tests only); real
// modules, when registered, win.
type fakeModule struct {
	name   string
	schema modules.Schema
}

func (f fakeModule) Name() string           { return f.name }
func (f fakeModule) Schema() modules.Schema { return f.schema }
func (f fakeModule) Run(context.Context, *modules.Env, map[string]any) modules.Result {
	return modules.Fail("fake module")
}

func args(names ...string) map[string]modules.Arg {
	m := map[string]modules.Arg{}
	for _, n := range names {
		m[n] = modules.Arg{Type: modules.TypeAny}
	}
	return m
}

func registerFake(name string, s modules.Schema) {
	if _, ok := modules.Lookup(name); ok {
		return
	}
	modules.Register(fakeModule{name: name, schema: s}, "ansible.builtin."+name, "ansible.legacy."+name)
}

func init() {
	// Test-only modules with fixed schemas, for the golden error tests.
	modules.Register(fakeModule{name: "testmod_pkg", schema: modules.Schema{
		Args: map[string]modules.Arg{
			"name":    {Type: modules.TypeString, Required: true, Aliases: []string{"pkg"}},
			"state":   {Type: modules.TypeString, Choices: []string{"present", "absent", "latest"}},
			"force":   {Type: modules.TypeBool},
			"retries": {Type: modules.TypeInt},
			"src":     {Type: modules.TypePath},
			"content": {Type: modules.TypeString},
			"opts":    {Type: modules.TypeDict},
		},
		MutuallyExclusive: [][]string{{"src", "content"}},
		Unsupported:       map[string]string{"install_recommends": "drover does not manage apt recommendations"},
	}})
	modules.Register(fakeModule{name: "testmod_echo", schema: modules.Schema{
		FreeForm: true,
		Args:     map[string]modules.Arg{"_raw_params": {Type: modules.TypeRaw}, "chdir": {Type: modules.TypePath}},
	}})
	// Stand-ins for modules other engineers are writing.
	registerFake("reboot", modules.Schema{Args: args("msg", "reboot_timeout", "pre_reboot_delay", "post_reboot_delay", "connect_timeout", "test_command", "boot_time_command", "reboot_command", "search_paths")})
	registerFake("wait_for_connection", modules.Schema{Args: args("delay", "timeout", "sleep", "connect_timeout")})
	registerFake("wait_for", modules.Schema{Args: args("host", "port", "timeout", "delay", "state", "path", "search_regex", "sleep", "connect_timeout", "msg")})
	registerFake("uri", modules.Schema{Args: args("url", "method", "status_code", "body", "body_format", "headers", "timeout", "return_content", "validate_certs")})
	registerFake("debug", modules.Schema{Local: true, Args: args("msg", "var", "verbosity")})
	registerFake("fail", modules.Schema{Local: true, Args: args("msg")})
	registerFake("assert", modules.Schema{Local: true, Args: args("that", "fail_msg", "success_msg", "quiet")})
	registerFake("set_fact", modules.Schema{Local: true, FreeForm: true, Args: args("cacheable")})
	registerFake("service", modules.Schema{Args: args("name", "state", "enabled")})
	registerFake("systemd", modules.Schema{Args: args("name", "state", "enabled", "daemon_reload")})
	registerFake("pause", modules.Schema{Local: true, Args: args("seconds", "minutes", "prompt")})
	registerFake("meta", modules.Schema{Local: true, FreeForm: true, Args: args("_raw_params")})
}
