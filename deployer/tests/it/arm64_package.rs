//! The arm64 packages build on this machine (cargo-lambda + zig from `.venv`, a release cross
//! build: minutes the first time, then cached by cargo under `target/lambda-packages/arm64`)
//! and their `bootstrap` is an aarch64 ELF executable.

use deployer::config::Architecture;
use deployer::package::{self, elf_machine, COLLECTOR_BIN, EM_AARCH64, READER_BIN};

#[test]
fn arm64_packages_hold_aarch64_bootstraps() {
    let root = system::paths::workspace_root();
    assert!(
        root.join(".venv/bin/cargo-lambda").exists() || root.join("scripts/setup").exists(),
        "cargo-lambda is missing: run scripts/setup"
    );
    let dir = package::build(&root, Architecture::Arm64, &deployer::progress::Silent)
        .unwrap_or_else(|e| panic!("{e} (run scripts/setup if cargo-lambda or zig is missing)"));
    for bin in [READER_BIN, COLLECTOR_BIN] {
        let path = dir.join(bin).join("bootstrap");
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            elf_machine(&bytes),
            Some(EM_AARCH64),
            "{} is not an aarch64 ELF executable",
            path.display()
        );
        assert_eq!(bytes[4], 2, "{}: 64-bit ELF", path.display());
        println!("{}: aarch64 ELF, {} bytes", path.display(), bytes.len());
    }
    let packages = package::load(&dir).expect("packages");
    for p in [&packages.reader, &packages.collector] {
        println!(
            "{}: zip {} bytes, CodeSha256 {}",
            p.bin,
            p.zip.len(),
            p.sha256
        );
    }
    // The zip is deterministic: loading again gives the same digest (no needless code update).
    let again = package::load(&dir).expect("packages");
    assert_eq!(again.reader.sha256, packages.reader.sha256);
}
