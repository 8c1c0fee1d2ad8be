package lambda

import "syscall"

// sysProcAttr puts the bootstrap in its own process group (a timeout kills
// the group) and kills it if the engine's thread dies first.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
