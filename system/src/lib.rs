//! The operating-system pieces the workspace shares, each written once:
//!
//! - [`cgroup`]: CPU quotas for child processes (cgroup v1 and v2), as Lambda gives them.
//! - [`process`]: process groups that die with their owner, and child guards.
//! - [`signal`]: one future for "stop now" (Ctrl-C, SIGTERM, optionally EOF on stdin).
//! - [`time`]: UTC timestamps without a date crate.
//! - [`paths`]: the workspace root, for tests and development tools.

// unwrap() is fine in tests (the project's standard); the lint guards the shipped code.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod cgroup;
pub mod paths;
pub mod process;
pub mod signal;
pub mod time;
