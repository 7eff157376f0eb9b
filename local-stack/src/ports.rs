//! Free loopback ports.

use std::net::{Ipv4Addr, TcpListener};

use crate::Error;

/// Asks the kernel for a free port on 127.0.0.1. The port is released before it is returned, so
/// a server started on it can race with another process; callers retry with a new port.
pub fn free_loopback_port() -> Result<u16, Error> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|e| Error::io("binding 127.0.0.1:0 to find a free port", e))?;
    let port = listener
        .local_addr()
        .map_err(|e| Error::io("reading the free port", e))?
        .port();
    Ok(port)
}
