package faults

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"time"
)

// cutPoint says where in the body a fault strikes: after AfterBytes bytes,
// or after AfterPercent % of the Content-Length (0 for both: right after
// the header).
type cutPoint struct {
	AfterBytes   int64   `json:"afterBytes,omitempty"`
	AfterPercent float64 `json:"afterPercent,omitempty"`
}

func (p cutPoint) validate() error {
	switch {
	case p.AfterBytes < 0:
		return fieldErr("afterBytes", "must not be negative")
	case math.IsNaN(p.AfterPercent) || p.AfterPercent < 0 || p.AfterPercent >= 100:
		return fieldErr("afterPercent", "must be at least 0 and below 100")
	case p.AfterBytes > 0 && p.AfterPercent > 0:
		return fieldErr("afterPercent", "give afterBytes or afterPercent, not both")
	}
	return nil
}

// resolve turns the point into a byte count for a body of length bytes (-1: unknown).
func (p cutPoint) resolve(length int64) int64 {
	if p.AfterPercent > 0 {
		if length < 0 {
			return 0
		}
		return int64(float64(length) * p.AfterPercent / 100)
	}
	return p.AfterBytes
}

// cutError stops the body after a fault; httprange.Serve reports it and the
// journal's Error field shows it.
type cutError struct{ msg string }

func (e *cutError) Error() string { return e.msg }

// bodyWriter sits between httprange.Serve and the connection. It can stop
// at a cut point to do something (reset, truncate, stall) and can pace the
// body (bandwidth).
type bodyWriter struct {
	w      http.ResponseWriter
	c      *Call
	rc     *http.ResponseController
	status int
	length int64 // the Content-Length sent, -1 if none
	sent   int64
	err    error

	// Set by the effect.
	cut      *cutPoint
	onCut    func(bw *bodyWriter) error // a non-nil error ends the body
	onFinish func(bw *bodyWriter)
	rate     float64 // bytes per second; 0: unlimited

	cutAt   int64
	cutDone bool
	quantum int
	t0      time.Time
}

func newBodyWriter(c *Call, w http.ResponseWriter) *bodyWriter {
	return &bodyWriter{w: w, c: c, rc: http.NewResponseController(w), length: -1, cutAt: -1}
}

func (bw *bodyWriter) Header() http.Header { return bw.w.Header() }

// Unwrap lets http.ResponseController reach the connection.
func (bw *bodyWriter) Unwrap() http.ResponseWriter { return bw.w }

func (bw *bodyWriter) WriteHeader(code int) {
	if bw.status == 0 {
		bw.status = code
		if n, err := strconv.ParseInt(bw.w.Header().Get("Content-Length"), 10, 64); err == nil && n >= 0 {
			bw.length = n
		}
		if bw.cut != nil {
			bw.cutAt = bw.cut.resolve(bw.length)
		}
	}
	bw.w.WriteHeader(code)
	if bw.rate > 0 && bw.t0.IsZero() {
		_ = bw.rc.Flush()
		bw.t0 = time.Now()
		bw.quantum = int(max(1, min(64<<10, bw.rate/100)))
	}
}

func (bw *bodyWriter) Write(p []byte) (int, error) {
	if bw.err != nil {
		return 0, bw.err
	}
	if bw.status == 0 {
		bw.WriteHeader(http.StatusOK)
	}
	written := 0
	for len(p) > 0 {
		chunk := p
		if bw.cutAt >= 0 && !bw.cutDone {
			room := bw.cutAt - bw.sent
			if room <= 0 {
				bw.cutDone = true
				if err := bw.onCut(bw); err != nil {
					bw.err = err
					return written, err
				}
				continue
			}
			chunk = chunk[:min(int64(len(chunk)), room)]
		}
		if bw.rate > 0 {
			chunk = chunk[:min(len(chunk), bw.quantum)]
			due := bw.t0.Add(time.Duration(float64(bw.sent+int64(len(chunk))) / bw.rate * float64(time.Second)))
			if err := bw.c.sleep(time.Until(due)); err != nil {
				bw.err = &cutError{fmt.Sprintf("acsemu fault %s: bandwidth wait ended: %v", bw.c.rule.ID, err)}
				return written, bw.err
			}
		}
		n, err := bw.w.Write(chunk)
		written += n
		bw.sent += int64(n)
		p = p[n:]
		if err != nil {
			bw.err = err
			return written, err
		}
		if bw.rate > 0 {
			_ = bw.rc.Flush()
		}
	}
	return written, nil
}

// finish runs when the handler is done.
func (bw *bodyWriter) finish() {
	if bw.onFinish != nil {
		bw.onFinish(bw)
		return
	}
	if bw.cut != nil && !bw.cutDone {
		bw.c.note("not reached: the body ended at %d bytes, the fault was due after %d", bw.sent, max(bw.cutAt, 0))
	}
}

// of says "N of M body bytes" (M only when known).
func (bw *bodyWriter) of() string {
	if bw.length < 0 {
		return fmt.Sprintf("%d body bytes", bw.sent)
	}
	return fmt.Sprintf("%d of %d body bytes", bw.sent, bw.length)
}

// hijack sends everything written so far and takes over the connection.
func (bw *bodyWriter) hijack() (net.Conn, error) {
	if err := bw.rc.Flush(); err != nil {
		return nil, err
	}
	conn, _, err := bw.rc.Hijack()
	return conn, err
}

// tcpConn finds the TCP connection under c (through TLS).
func tcpConn(c net.Conn) *net.TCPConn {
	for {
		switch v := c.(type) {
		case *net.TCPConn:
			return v
		case interface{ NetConn() net.Conn }:
			c = v.NetConn()
		default:
			return nil
		}
	}
}
