package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// An owner tag names the process that made a temporary file or a stage:
// host, pid and the process's start time (so that a recycled pid is not
// taken for the owner). A name without a tag, or with another host's, is
// never removed.
func ownerTag() string { return OwnerTag() }

// OwnerTag is this process's tag, "host-pid-start", for names of
// temporary files and directories that OwnerDead can later judge.
func OwnerTag() string {
	host, _ := os.Hostname()
	host = strings.NewReplacer("-", "_", "/", "_", ".", "_").Replace(host)
	return fmt.Sprintf("%s-%d-%d", host, os.Getpid(), startTime(os.Getpid()))
}

// startTime is the start time of process pid in clock ticks since boot
// (field 22 of /proc/PID/stat), 0 where the system does not say.
func startTime(pid int) uint64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')') // the command name may hold spaces
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return 0
	}
	v, _ := strconv.ParseUint(f[19], 10, 64)
	return v
}

func deadOwner(tag string) bool { return OwnerDead(tag) }

// OwnerDead reports whether tag (see OwnerTag) names a process of this
// host that no longer runs. False when unsure (another host's, or a
// malformed tag).
func OwnerDead(tag string) bool {
	f := strings.Split(tag, "-")
	if len(f) != 3 {
		return false
	}
	host, _ := os.Hostname()
	if f[0] != strings.NewReplacer("-", "_", "/", "_", ".", "_").Replace(host) {
		return false
	}
	pid, err1 := strconv.Atoi(f[1])
	start, err2 := strconv.ParseUint(f[2], 10, 64)
	if err1 != nil || err2 != nil || pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	// Alive: the owner only if it started when the tag says.
	if now := startTime(pid); now != 0 && start != 0 && now != start {
		return true
	}
	return false
}
