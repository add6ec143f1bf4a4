package download

import (
	"os"

	"golang.org/x/sys/unix"
)

// writebackEvery is how many written bytes trigger a writeback hint.
const writebackEvery = 8 << 20

// writeback starts (without waiting for) the writing of a file range to disk.
func writeback(f *os.File, off, n int64) {
	unix.SyncFileRange(int(f.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
}
