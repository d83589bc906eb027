"""What `make bench` runs: load and speed measurements, reported in docs/benchmarks.md."""
