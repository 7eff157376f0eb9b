//! The AWS side: one configuration, the clients, the call log, error mapping, retries.

mod call_log;
mod clients;
pub(crate) mod retry;
pub(crate) mod role_propagation;
pub(crate) mod sdk_error;

pub use call_log::{Call, CallLog};
pub(crate) use clients::check_credentials;
pub use clients::{load_sdk_config, Clients};
