// Command droverbench measures drover against ansible-playbook on the same
// real hosts, and drover alone at fleet scale (issue 10, `make bench`).
//
// Workloads (playbooks in bench/workloads):
//
//   - throughput: 10 tasks a host, no reboot, on a fresh fleet of OpenSSH sshd
//     hosts (internal/sshdtest) at each -throughput-hosts size;
//   - rolling-reboot: pre-reboot tasks, reboot, post-reboot checks with
//     serial: 25% and a simulated reboot of -reboot-delay, at each
//     -reboot-hosts size, with its physical floor (batches × (delay +
//     0.2 s)) and the floor as the hosts measured it (each batch's longest
//     down-to-up window from the hosts' reboots.log, plus 0.2 s);
//   - scale: drover only, the throughput playbook on the in-process fleet
//     (runner/fleet): over its SSH servers with the drover binary at
//     -scale-ssh-hosts, and through runner.RunPlay with the fleet's
//     in-process Dialer at -scale-hosts (the program re-executes itself, so
//     each size is measured in a process of its own).
//
// For the A/B workloads ansible-playbook and drover alternate (A B A B ...,
// -runs each; -executors drover runs drover alone). Every run gets a cgroup v2 of its own (found through
// /proc/self/mountinfo), so the controller's CPU time (cpu.stat usage_usec)
// covers every process it started, ssh ControlMaster processes included;
// the cgroup is killed after the run, which also reaps ControlPersist
// masters. Peak memory is the cgroup's memory.peak (v2), else the v1 memory
// controller's memory.max_usage_in_bytes, else the largest RSS among the
// processes the executor waited for (getrusage). The hosts' CPU is the
// delta of the fleet's per-host cgroups. Host state written by the playbooks
// (<HostDir>/bench) is removed before every run so that every run does the
// same work.
//
// The program prints Markdown tables on stdout (and -json writes the raw
// measurements); bench/run.sh puts them into bench/RESULTS.md. Only
// 127.0.0.0/8 addresses are ever used.
package main
