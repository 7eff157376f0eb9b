//! The AWS side: one configuration, the clients, the call log, error mapping, retries.

pub mod call_log;
pub mod clients;
pub mod retry;
pub mod role_propagation;
pub mod sdk_error;

pub use call_log::{Call, CallLog};
pub use clients::{check_credentials, load_sdk_config, Clients};
