// Package fleet runs a simulated fleet of hosts on the local machine, for
// unit tests, scale tests and `drover fleet` / `make demo`.
//
// Every host is a real SSH server (golang.org/x/crypto/ssh, in process) on
// 127.0.0.1 with its own ed25519 host key, its own state directory and its
// own boot id. Commands sent to a host run on this machine as
// `/bin/sh -c CMD`, with the host's root directory (<Dir>/hosts/<name>/root)
// as working directory and HOME, and with PATH starting with the host's
// <Dir>/hosts/<name>/bin, which holds POSIX sh stand-ins for the commands
// that must never reach the real machine: reboot, shutdown, poweroff, halt,
// systemctl (unit state kept in <root>/.systemd/; at each boot enabled
// units start and the others stop), service (drives that systemctl), sudo
// (drops its options and runs the command as is), healthcheck (exits 0
// unless the host has the HealthFail fault), and the package managers
// apt-get, apt, aptitude, dpkg, dpkg-query, dnf, yum and rpm (packages kept
// in <root>/.packages/NAME, the "repository" in <root>/.packages-repo/NAME,
// else version 1.0; see scripts_pkg.go), so that a playbook's patch step
// never reaches the real machine's packages.
//
// Command rewriting (confinement): before a command runs, the fleet rewrites
//   - the literal path /proc/sys/kernel/random/boot_id to the host's boot id
//     file, so `cat /proc/sys/kernel/random/boot_id` reads the simulated boot
//     id, which changes at every simulated reboot;
//   - absolute paths of the stand-ins (/sbin/reboot, /usr/sbin/shutdown,
//     /bin/systemctl, /usr/bin/sudo, ...) to the host's stand-ins.
//
// Where the fleet runs as root with CAP_SYS_ADMIN (probed by New; see
// Fleet.MountNS, and Options.NoMountNS to turn it off), each command also
// runs in its own private mount namespace in which the host's boot id file
// is bind-mounted over /proc/sys/kernel/random/boot_id, so that programs
// that read the file without a shell command line naming it (Ansible's
// Python modules, for example the reboot module's boot id check) see the
// simulated boot id too. Mounts are private to the namespace: nothing
// changes on the machine.
//
// With Options.InterpShell, hosts do not fork /bin/sh: each command (and
// drover's persistent shell, `exec /bin/sh` reading its commands from
// stdin) runs in an in-process POSIX shell interpreter (mvdan.cc/sh/v3),
// with the common coreutils (stat, cat, chmod, mv, rm, mkdir, grep,
// sha1sum, ...) in Go for the argument forms they reproduce exactly, and
// every other program (the stand-ins included) forked as before. $$ is a
// fake pid above any real pid; kill of a fake pid stops that interpreter.
// Background jobs (`cmd &`) end with the command that started them. See
// interp.go. This is how a 10,000-host fleet fits on two cores.
//
// Rebooting: the stand-ins tell the fleet to reboot through a FIFO in the
// host directory and then sleep, as a real reboot never lets the command
// return normally. A simulated reboot drops every connection of the host at
// once, closes its listener (the port is kept and listened on again when the
// host is back), kills every process the host started (process groups, and
// any process carrying the host's DROVER_FLEET_ID environment marker), waits
// RebootDelay (plus the SlowReturn fault), and brings the host back with a
// new boot id. Each completed reboot is appended to <root>/reboots.log as
// `<unix-nanos-down> <unix-nanos-up> <old-boot-id> <new-boot-id>`;
// Fleet.Reboots reads it back.
//
// Faults (Options.Faults, or Fleet.SetFault at run time): NeverReturn,
// SlowReturn, Down and HealthFail; see Fault.
//
// Two ways in: the SSH servers (Fleet.Addr, the generated inventory.yml,
// known_hosts and id_ed25519), and Fleet.Dialer, a modules.Dialer that runs
// commands in process through the very same code path without SSH. With
// Options.NoSSH no listener is opened at all, which is how a 1,000-host
// fleet fits in one test process.
//
// Host names are host01..hostNN (zero-padded to at least two digits, more
// for larger fleets). Hosts are spread over racks r1..rK in contiguous
// blocks; each host has the inventory variable `rack` and belongs to the
// group rack_<rack>.
package fleet
