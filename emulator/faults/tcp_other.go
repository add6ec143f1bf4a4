//go:build !linux

package faults

import "net"

// unacked cannot tell on this platform: the reset does not wait.
func unacked(*net.TCPConn) (int, bool) { return 0, false }
