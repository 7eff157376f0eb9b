//! A check that `bootstrap` can run on this machine, so that an arm64 build on an x86_64 machine
//! fails with a clear message instead of a shell's "cannot execute binary file".

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// `Err(message)` when `path` is an ELF executable for another CPU architecture than this one.
/// Scripts (a `#!` line) and unreadable files are left to the kernel to judge.
pub(crate) fn check_runs_here(path: &Path) -> Result<(), String> {
    let mut header = [0u8; 20];
    let Ok(mut file) = File::open(path) else {
        return Ok(());
    };
    if file.read_exact(&mut header).is_err() || &header[..4] != b"\x7fELF" {
        return Ok(());
    }
    // e_machine is at offset 18, in the file's byte order (EI_DATA: 1 = little, 2 = big endian).
    let machine = if header[5] == 2 {
        u16::from_be_bytes([header[18], header[19]])
    } else {
        u16::from_le_bytes([header[18], header[19]])
    };
    let binary_arch = match machine {
        0x3e => "x86_64",
        0xb7 => "aarch64",
        other => {
            return Err(format!(
                "bootstrap is an ELF binary for machine type {other:#x}"
            ))
        }
    };
    let here = std::env::consts::ARCH;
    if binary_arch == here {
        Ok(())
    } else {
        Err(format!(
            "bootstrap is built for {binary_arch} but this machine is {here}: build the function \
             for the host (e.g. `cargo lambda build` without --arm64 on x86_64) to run it locally"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_this_test_binary_and_rejects_the_other_arch() {
        let me = std::env::current_exe().expect("current exe");
        assert_eq!(check_runs_here(&me), Ok(()));

        let mut bytes = std::fs::read(&me).expect("read exe");
        let other: u16 = if std::env::consts::ARCH == "x86_64" {
            0xb7
        } else {
            0x3e
        };
        bytes[18..20].copy_from_slice(&other.to_le_bytes());
        let dir = tempfile::tempdir().expect("temp dir");
        let foreign = dir.path().join("bootstrap");
        std::fs::write(&foreign, &bytes[..64]).expect("write");
        let message = check_runs_here(&foreign).expect_err("foreign arch");
        assert!(message.contains("this machine is"), "{message}");
    }
}
