//go:build linux

package faults

import (
	"net"
	"syscall"
	"unsafe"
)

// unacked returns the bytes written to tc that the peer has not acknowledged
// yet (SIOCOUTQ), and whether the platform could tell.
func unacked(tc *net.TCPConn) (int, bool) {
	raw, err := tc.SyscallConn()
	if err != nil {
		return 0, false
	}
	var n int32
	var errno syscall.Errno
	err = raw.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCOUTQ, uintptr(unsafe.Pointer(&n)))
	})
	if err != nil || errno != 0 {
		return 0, false
	}
	return int(n), true
}
