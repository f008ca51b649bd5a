// Package memlimit says how much memory a run may use: the machine's (the
// smaller of /proc/meminfo's MemTotal and the cgroup's memory.max) or a
// limit given, and refuses, before anything is allocated, a job whose sizes
// need more, naming the flag that sets them.
package memlimit
