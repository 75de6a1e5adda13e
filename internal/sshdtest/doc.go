// Package sshdtest runs fleets of real OpenSSH sshd "hosts" on loopback
// addresses, for end-to-end tests and benchmarks of drover. Each host looks
// like a separate machine to whatever logs in, and can be rebooted,
// crashed and made unhealthy, without any risk to the machine running the
// tests.
//
// # Use
//
//	f := sshdtest.StartT(t, 3, sshdtest.Options{RebootDelay: 200 * time.Millisecond})
//	// inventory:   f.InventoryPath()  (Ansible YAML; ansible_user root)
//	// client key:  f.KeyPath(), host keys in f.KnownHostsPath()
//	// ssh:         exec.Command("ssh", append(f.SSHArgs("h01"), "uptime")...)
//	// assertions:  f.Reboots("h01"), f.BootID("h01"), f.HostDir("h01"),
//	//              f.Connections("h01"), f.CPUSeconds("h01")
//	// events:      f.Reboot, f.Kill, f.Restart, f.SetFault
//	// more keys:   f.Authorize(pubKeyLine)
//	// bastions:    f.ClientHosts("h02") == ["h01"] for a ProxyJump via h01
//	// packages:    Options{PrivatePackages: true}, f.SetAptSources, f.DpkgDir
//
// With Options.SudoPassword every host also has a user SudoUser
// ("drover", home SudoUserHome inside the host, f.UserHome from outside)
// that logs in with the fleet's key and whose sudo asks for that password.
//
// With Options.PrivatePackages every host has its own package-manager
// state, so that tests can run the real apt-get and dpkg on the hosts: a
// copy of the machine's dpkg database (the host starts with the machine's
// packages installed), empty apt lists and cache, an /etc/apt whose sources
// are empty until Fleet.SetAptSources (e.g. "deb [trusted=yes]
// file:/some/repo ./"; the directory must be readable by apt's _apt user),
// a copy of the debconf database and a fresh /var/log. Fleet.DpkgDir is
// the host's database seen from outside.
//
// StartT skips the test when the machine cannot run hosts (it needs root,
// /usr/sbin/sshd, unshare, and a writable cgroup v2 hierarchy;
// scripts/test-deps.sh installs the packages), and fails it instead when
// CI=true. Start is the same without testing.TB (for the benchmark).
//
// # How a host works
//
// Host i is named h01, h02, ... and listens on its own loopback address
// (127.0.0.2, 127.0.0.3, ...; when Options.FirstAddr is unset each fleet
// takes a free /24 block, 127.0.0.2 first, then 127.0.1.2, ..., guarded by a
// lock file per block under /tmp/drover-sshdtest-slots so concurrent test
// processes never collide) on one port (2222 by default). Only 127.0.0.0/8
// addresses are ever used.
//
// Its sshd (/usr/sbin/sshd -D, config, host key, pid file and sshd.log in
// Dir/<name>/) is started as `unshare -m -u /bin/sh wrapper.sh ...`, so the
// wrapper runs in a new mount namespace and a new UTS namespace. There it:
//
//  1. joins the host's cgroup, <cgroup2>/drover-sshdtest-<pid>-<n>/<name>,
//     so the host's sshd and everything it ever starts can be killed at once
//     through cgroup.kill, and its CPU time read from cpu.stat;
//  2. makes every mount private (nothing propagates to the real machine);
//  3. sets the hostname (in its own UTS namespace) to the host's name;
//  4. bind-mounts the host's boot id file (Dir/<name>/boot_id, a random UUID
//     rewritten at each boot) over /proc/sys/kernel/random/boot_id;
//  5. bind-mounts the host's private directory (Dir/<name>/private, see
//     Fleet.HostDir) over /var/lib/drover-host (PrivatePath), so each host
//     has its own writable /var/lib/drover-host for markers;
//  6. bind-mounts the fake script (Dir/fakebin/drover-fake) over the real
//     systemctl, reboot, shutdown, poweroff, halt and telinit binaries (the
//     targets of their symlinks; on Debian 12 all of them are
//     /usr/bin/systemctl), and the Dir/fakebin directory over
//     /usr/local/sbin, first in root's PATH, which provides `healthcheck`
//     and the same fakes by name;
//  7. with Options.SudoPassword, bind-mounts the host's private copies of
//     /etc/passwd, /etc/shadow, /etc/group and /etc/hosts (the real ones
//     plus the sudo user, its password hash from `openssl passwd -6` fed
//     on stdin, and the host's name) and of /etc/sudoers.d (the real
//     drop-ins plus "drover ALL=(ALL) ALL", sudo's timestamps kept in the
//     private directory), listed in Dir/<name>/binds;
//  8. with Options.PrivatePackages, bind-mounts the host's package state
//     (Dir/<name>/packages: a copy of /var/lib/dpkg made with `cp -a` at
//     Start, fresh /var/lib/apt (lists/partial) and /var/cache/apt
//     (archives/partial), a copy of /var/cache/debconf, a private /etc/apt
//     and a fresh /var/log (apt/, empty wtmp, btmp, lastlog)) over the
//     real directories, listed in the same binds file. The private /etc/apt
//     is the real one's configuration and keys without its sources or
//     auth.conf.d, and with a last apt.conf.d drop-in that clears apt's
//     hooks (APT::Update::*-Invoke*, DPkg::Pre-/Post-Invoke,
//     DPkg::Pre-Install-Pkgs), which would otherwise run commands such as
//     appstream's cache refresh against the real machine;
//  9. waits until the harness closes its fd 3 (power on), then execs sshd.
//     A rebooting host is staged this way while it is down, so that sshd
//     listens RebootDelay after the host went down rather than RebootDelay
//     plus the wrapper's own work. If any step fails the wrapper exits:
//     sshd never runs without the fakes in place.
//
// The fake acts on argv[0]: reboot, `shutdown -r`, `systemctl reboot` and
// `telinit 6` write a request file in the host's private directory and
// block (`sleep 3600`); the fleet polls these files every 20 ms, kills the
// host's cgroup (sshd, the session and the command: the client sees its
// connection drop, like a real reboot), writes a new boot id, stages the
// wrapper, and when RebootDelay is over starts sshd again on the same
// address. Every reboot appends to the
// host's reboots.log "<down-unix-nanos> <up-unix-nanos> <old-boot-id>
// <new-boot-id>" (Fleet.Reboots). poweroff, halt and `shutdown` without -r
// take the host down for good, like Fleet.Kill. `shutdown -r +N` schedules
// the reboot N minutes later and returns, `shutdown -c` cancels it.
// systemctl's other verbs (start, stop, restart, reload, try-restart,
// enable, disable, mask, unmask, is-active, is-enabled, is-failed, status,
// show, daemon-reload, list-units [--all], list-unit-files) keep unit
// state as files in /var/lib/drover-host/.systemd (<unit>.active,
// <unit>.enabled, <unit>.masked, and <unit>.known for a unit ever started
// or enabled, as its unit file would stay; every action is also appended
// to journal.log), with
// systemctl's exit codes (is-active 3 when inactive, is-enabled 1 when
// disabled, status 3 when inactive, reload 1 when inactive). Every unit
// exists. At each boot the active units become exactly the enabled ones.
//
// Faults (Fleet.SetFault, lasting across reboots): NeverReturn (the host
// stays down after a reboot until Fleet.Restart), SlowReturn (a longer
// reboot delay), HealthFail (`healthcheck` exits 1), IgnoreReboot (reboot
// commands succeed and do nothing).
//
// # Why it is safe
//
// Nothing a test runs on a host can reboot or reconfigure the real machine
// through the usual commands: in the host's mount namespace every path to
// reboot, shutdown, poweroff, halt, telinit and systemctl (absolute, via
// /sbin symlinks or via PATH) is the fake, which only reads and writes
// files under the host's private directory. The hostname and boot id are
// per namespace; bind mounts are private to the namespace and vanish with
// it. The only changes made to the real file system outside Dir are empty
// directories (the sudo user's /etc files are private copies; the real ones
// are only read, and sudo's timestamps stay in the host's private
// directory): /run/sshd (sshd's privilege separation directory),
// /var/lib/drover-host (the mount point) and the lock directory. With
// Options.PrivatePackages, apt-get and dpkg on a host read and write only
// the host's copies of the package state (the real /var/lib/dpkg, apt's
// directories, the debconf database and /var/log are only read, once, at
// Start); but the files a package installs, and what its maintainer
// scripts do, land on the real file system like any other command's, so
// tests install only packages of their own whose files are under
// PrivatePath and which have no maintainer scripts. The hosts
// are not a security sandbox: they run as root, and a command that writes
// to /proc/sysrq-trigger or calls reboot(2) directly would still reach the
// real kernel; drover's tests and playbooks do not do that.
//
// # Cleanup
//
// Fleet.Close kills every process of every host through the cgroups,
// removes the cgroups and (when Start created it) Dir. StartT registers it
// with t.Cleanup. If a test process dies without Close, the next Start in
// any process removes fleet cgroups whose owner process is gone, killing
// their leftover sshd processes. CPU accounting survives reboots because a
// host keeps its cgroup for the fleet's lifetime; only its processes are
// killed.
package sshdtest
