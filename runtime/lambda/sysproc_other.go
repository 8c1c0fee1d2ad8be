//go:build unix && !linux

package lambda

import "syscall"

// sysProcAttr puts the bootstrap in its own process group (a timeout kills
// the group).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
