//go:build linux

package faults

import (
	"net"

	"golang.org/x/sys/unix"
)

// unacked returns the bytes written to tc that the peer has not acknowledged
// yet (SIOCOUTQ), and whether the platform could tell.
func unacked(tc *net.TCPConn) (int, bool) {
	raw, err := tc.SyscallConn()
	if err != nil {
		return 0, false
	}
	var n int
	var ioErr error
	err = raw.Control(func(fd uintptr) {
		n, ioErr = unix.IoctlGetInt(int(fd), unix.SIOCOUTQ)
	})
	if err != nil || ioErr != nil {
		return 0, false
	}
	return n, true
}
