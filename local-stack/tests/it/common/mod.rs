//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use local_stack::runtime::protocol::InvokeRequest;
use local_stack::runtime::{LocalRuntime, RuntimeOptions};
pub(crate) use test_support::iam::lambda_role;

mod bridged;
pub(crate) use bridged::{create_test_function, Bridged};

/// The test function binary cargo built for these tests.
pub(crate) fn test_function_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_local-stack-test-function"))
}

/// A code directory holding the test function as `bootstrap`, as the bridge unpacks a zip.
pub(crate) fn code_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(test_function_binary(), dir.path().join("bootstrap")).expect("copy bootstrap");
    dir
}

/// A local runtime with the default options, and a code directory holding the test function.
pub(crate) async fn runtime_and_code() -> (LocalRuntime, tempfile::TempDir) {
    let runtime = LocalRuntime::start(RuntimeOptions::default())
        .await
        .expect("runtime");
    (runtime, code_dir())
}

/// A function zip whose executable `bootstrap` is a two-line script that execs the test function
/// binary where cargo built it. The debug binary itself is ~50 MB, and moto needs ~20 s to take a
/// zip of that size through CreateFunction; the script keeps the zip tiny while the runtime still
/// unpacks it, checks its mode, and runs the real lambda_runtime binary through the Runtime API.
pub(crate) fn function_zip() -> Vec<u8> {
    use std::io::Write;
    let script = format!(
        "#!/bin/sh\nexec '{}' \"$@\"\n",
        test_function_binary().display()
    );
    let mut buffer = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buffer);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(0o755);
        zip.start_file("bootstrap", options).expect("zip entry");
        zip.write_all(script.as_bytes()).expect("zip write");
        zip.finish().expect("zip finish");
    }
    buffer.into_inner()
}

/// An invoke request for the test function in `code`.
pub(crate) fn request(
    code: &Path,
    name: &str,
    memory: u32,
    timeout: u32,
    payload: serde_json::Value,
) -> InvokeRequest {
    InvokeRequest {
        function_name: name.to_string(),
        function_arn: format!("arn:aws:lambda:us-east-1:123456789012:function:{name}"),
        version: "$LATEST".to_string(),
        memory_size: memory,
        timeout,
        environment: BTreeMap::from([("TEST_COLOUR".to_string(), "blue".to_string())]),
        runtime: "provided.al2023".to_string(),
        handler: "bootstrap".to_string(),
        code_dir: code.to_path_buf(),
        code_sha256: "test-code".to_string(),
        revision: 0,
        region: "us-east-1".to_string(),
        payload: payload.to_string(),
        credentials: None,
    }
}

/// The answer's payload as JSON.
pub(crate) fn json_of(payload: &str) -> serde_json::Value {
    serde_json::from_str(payload).unwrap_or_else(|e| panic!("payload {payload:?} is not JSON: {e}"))
}
