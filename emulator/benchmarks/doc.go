// Package benchmarks measures the emulator's download path against baselines
// measured in the same run, as ratios (run with `make bench`):
//
//   - one stream of a 1 GiB synthetic chunk, against http.ServeContent serving
//     a page-cached file of the same size;
//   - the same 1 GiB as 16 parallel ranged streams, against the same baseline;
//   - the peak resident memory of an acsemu process serving a 1.5 GB chunk.
//
// Signature verification is measured by BenchmarkVerify in emulator/auth.
package benchmarks
