//! MotoServer: starts on a free port, answers the AWS APIs, and is gone after drop.

use std::net::TcpStream;
use std::path::Path;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

use aws_sdk_lambda::primitives::Blob;
use local_stack::moto::{MotoOptions, MotoServer};

use crate::common;

/// True while something accepts connections on the port.
fn port_open(port: u16) -> bool {
    TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(200)).is_ok()
}

/// Waits (bounded) until `/proc/PID` is gone or a zombie was reaped.
fn wait_gone(pid: u32) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        if status.is_empty() || status.contains("State:\tZ") {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

#[tokio::test]
async fn starts_answers_and_is_gone_after_drop() {
    let moto = MotoServer::start(MotoOptions::default())
        .await
        .expect("moto starts");
    let port = moto.port();
    assert_eq!(moto.endpoint(), format!("http://127.0.0.1:{port}"));
    assert!(port_open(port));

    let config = moto.sdk_config().await;
    let sfn = aws_sdk_sfn::Client::new(&config);
    let machines = sfn
        .list_state_machines()
        .send()
        .await
        .expect("ListStateMachines");
    assert!(machines.state_machines().is_empty());

    let pid = moto.pid().expect("moto has a pid");
    assert!(Path::new(&format!("/proc/{pid}")).exists());
    drop(moto);
    assert!(wait_gone(pid), "moto (pid {pid}) still runs after drop");
    // A killed multi-threaded process closes its sockets when its last thread exits, which can be
    // a moment after the leader is a zombie: poll, bounded.
    let started = Instant::now();
    while port_open(port) && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !port_open(port),
        "port {port} still answers 10 s after drop"
    );
}

#[tokio::test]
async fn simple_lambda_answers_queued_responses() {
    let moto = MotoServer::start(MotoOptions::simple_lambda())
        .await
        .expect("moto starts");
    let config = moto.sdk_config().await;
    let role = common::lambda_role(&config, "simple-role").await;
    let lambda = aws_sdk_lambda::Client::new(&config);
    lambda
        .create_function()
        .function_name("simple")
        .role(role)
        .runtime(aws_sdk_lambda::types::Runtime::Providedal2023)
        .handler("bootstrap")
        .code(
            aws_sdk_lambda::types::FunctionCode::builder()
                .zip_file(Blob::new(b"not run by the simple backend".to_vec()))
                .build(),
        )
        .send()
        .await
        .expect("CreateFunction");
    moto.queue_simple_lambda_responses(&[r#"{"answer":42}"#.to_string()])
        .await
        .expect("queue a response");
    let out = lambda
        .invoke()
        .function_name("simple")
        .send()
        .await
        .expect("Invoke");
    let payload = out.payload().expect("payload").as_ref().to_vec();
    assert_eq!(
        String::from_utf8(payload).expect("utf-8"),
        r#"{"answer":42}"#
    );
}

/// Waits (bounded, 20 s) until the pid is gone.
fn wait_gone_long(pid: u32) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        if wait_gone(pid) {
            return true;
        }
    }
    false
}

/// The launcher on `port`, its stdin a pipe held by the test, its stdout discarded.
fn launcher_command(port: u16) -> std::process::Command {
    let python = local_stack::paths::venv_python().expect("run scripts/setup");
    let launcher = local_stack::paths::moto_launcher().expect("launcher");
    let mut command = std::process::Command::new(python);
    command
        .arg(launcher)
        .arg("--port")
        .arg(port.to_string())
        .env("MOTO_PORT", port.to_string())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null());
    command
}

/// The child's exit status once it exits, or `None` (and the child killed) after `limit`.
fn exit_within(child: &mut std::process::Child, limit: Duration) -> Option<ExitStatus> {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Some(status);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn launcher_exits_when_its_stdin_closes() {
    let port = local_stack::ports::free_loopback_port().expect("port");
    let mut child = launcher_command(port)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn launcher");
    std::thread::sleep(Duration::from_millis(500));
    drop(child.stdin.take());
    assert!(
        exit_within(&mut child, Duration::from_secs(20)).is_some(),
        "launcher still runs 20 s after its stdin closed"
    );
}

#[test]
fn launcher_exits_when_its_parent_is_killed() {
    let python = local_stack::paths::venv_python().expect("run scripts/setup");
    let launcher = local_stack::paths::moto_launcher().expect("launcher");
    let port = local_stack::ports::free_loopback_port().expect("port");
    // A shell parent that starts the launcher in the background, prints its pid, and waits. The
    // shell's stdin (and so the launcher's) stays open here: only the parent-pid watch can notice.
    let mut shell = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(r#"MOTO_PORT="$3" "$1" "$2" --port "$3" >/dev/null 2>&1 & echo $!; wait"#)
        .arg("parent")
        .arg(python)
        .arg(launcher)
        .arg(port.to_string())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn shell");
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(shell.stdout.take().expect("stdout")),
        &mut line,
    )
    .expect("read pid");
    let launcher_pid: u32 = line.trim().parse().expect("launcher pid");
    std::thread::sleep(Duration::from_millis(500));
    shell.kill().expect("kill the parent");
    let _ = shell.wait();
    let gone = wait_gone_long(launcher_pid);
    if !gone {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(launcher_pid as i32),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    assert!(gone, "launcher {launcher_pid} outlived its killed parent");
}

/// Two tests may be given the same free port; the one that binds second must exit without
/// signalling ready, or its parent's probes would reach (and share) the other's moto.
#[test]
fn a_launcher_whose_port_is_taken_exits_without_signalling_ready() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let port = taken.local_addr().expect("local addr").port();
    let dir = tempfile::tempdir().expect("temp dir");
    let ready = dir.path().join("ready");
    let mut child = launcher_command(port)
        .arg("--ready-file")
        .arg(&ready)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn launcher");
    let status = exit_within(&mut child, Duration::from_secs(90));
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
    }
    let status = status.expect("the launcher exits when its port is taken");
    assert!(!status.success(), "{status}: {stderr}");
    assert!(
        stderr.contains("already in use"),
        "the launcher says why it exits: {stderr}"
    );
    assert!(
        !ready.exists(),
        "the ready file is written only after a bind"
    );
    drop(taken);
}

#[tokio::test]
async fn simple_lambda_and_bridge_together_are_refused() {
    let opts = MotoOptions {
        simple_lambda: true,
        lambda_bridge: Some("http://127.0.0.1:9".to_string()),
        ..MotoOptions::default()
    };
    let error = MotoServer::start(opts)
        .await
        .expect_err("conflicting options");
    assert!(error.to_string().contains("set only one"), "{error}");
}
