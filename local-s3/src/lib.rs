//! A local S3-compatible server with injectable latency and faults, for tests and the local stack
