//go:build !linux

package download

import "os"

const writebackEvery = 8 << 20

func writeback(*os.File, int64, int64) {}
