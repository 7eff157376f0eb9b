//! The local AWS stack for tests and for running the benchmark without an AWS account:
//!
//! - [`moto::MotoServer`]: moto's server (control plane and Step Functions interpreter) as a child
//!   process on a free loopback port, optionally with a Lambda bridge (see `moto_launcher.py`).
//! - [`runtime::LocalRuntime`]: the local Lambda runtime the bridge forwards to; it runs real
//!   `bootstrap` binaries through the Lambda Runtime API with the function's memory size, timeout,
//!   environment and a CPU quota in proportion to memory (cgroup v1 or v2).
//!
//! - [`LambdaStack`]: both, wired together.
//!
//! Every process started here is killed when its owner is dropped.

mod error;
pub mod http;
pub mod moto;
pub mod paths;
pub mod ports;
pub mod runtime;
mod serve;
mod stack;

pub use error::Error;
pub use stack::LambdaStack;
