package memlimit

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// ErrTooMuchMemory: a job's sizes need more memory than it may use.
var ErrTooMuchMemory = errors.New("needs more memory than allowed")

// Unknown is what Machine returns where the system does not say: 1 TiB.
const Unknown uint64 = 1 << 40

// Machine returns the memory this process may use: the smaller of the
// machine's total and its cgroup's limit, or Unknown.
func Machine() uint64 {
	m := Unknown
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == "MemTotal:" {
				if kb, err := strconv.ParseUint(f[1], 10, 64); err == nil && kb > 0 {
					m = kb << 10
				}
			}
		}
	}
	for _, p := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		if b, err := os.ReadFile(p); err == nil {
			if v, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil && v > 0 && v < m {
				m = v
			}
		}
	}
	return m
}

// Limit is the memory a run may use: max if positive, else the machine's.
func Limit(max int64) uint64 {
	if max > 0 {
		return uint64(max)
	}
	return Machine()
}

// Check refuses need bytes (for what) over limit bytes, saying what to
// lower (a flag, a manifest field).
func Check(need float64, limit uint64, what, flags string) error {
	if need <= float64(limit) && !math.IsNaN(need) {
		return nil
	}
	return fmt.Errorf("%w: %s need about %s, more than the %s this run may use; lower %s",
		ErrTooMuchMemory, what, Bytes(need), Bytes(float64(limit)), flags)
}

// Bytes formats a byte count: "512 MiB", "2.3 GiB", "8.9e+15 bytes".
func Bytes(b float64) string {
	switch {
	case b >= 1<<50 || math.IsInf(b, 0) || math.IsNaN(b):
		return fmt.Sprintf("%.2g bytes", b)
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GiB", b/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.0f MiB", b/(1<<20))
	}
	return fmt.Sprintf("%.0f KiB", b/(1<<10))
}
