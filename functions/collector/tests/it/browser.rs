//! The report in a real browser: headless Chromium (installed by scripts/setup) renders
//! report.html to a PNG, which must exist, have the window's size and not be blank.
//! Set COLLECTOR_SCREENSHOT_DIR to keep the page and the screenshot for a look.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bench_types::ExecutionRef;
use collector::{write_report, DirStore};
use common::*;
use system::process::KillOnDrop;

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 2400;
/// Chromium renders a page in a few seconds; a hung browser is killed after this.
const RENDER_TIMEOUT: Duration = Duration::from_secs(120);

fn chromium() -> PathBuf {
    for name in ["chromium", "chromium-browser"] {
        if let Ok(out) = Command::new("sh")
            .arg("-c")
            .arg(format!("command -v {name}"))
            .output()
        {
            let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
            if out.status.success() && !path.is_empty() {
                return PathBuf::from(path);
            }
        }
    }
    panic!(
        "chromium is not installed: run scripts/setup (it installs the Debian package chromium)"
    );
}

fn screenshot(html: &Path, png: &Path) {
    let profile = tempfile::tempdir().unwrap();
    let child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("--window-size={WIDTH},{HEIGHT}"))
        .arg(format!("file://{}", html.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let started = Instant::now();
    loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            assert!(status.success(), "chromium failed: {status}");
            return;
        }
        assert!(
            started.elapsed() < RENDER_TIMEOUT,
            "chromium did not finish in {RENDER_TIMEOUT:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test]
async fn the_report_renders_in_headless_chromium() {
    let out = tempfile::tempdir().unwrap();
    let store = DirStore::new(out.path());
    let execution = ExecutionRef {
        id: "arn:aws:states:us-east-1:123456789012:execution:bench:browser".into(),
        name: "browser".into(),
        start_time: "2026-11-20T06:00:00.000Z".into(),
    };
    write_report(
        &store,
        "runs/",
        &execution,
        &input("results"),
        Some(&nested_runs()),
    )
    .await
    .unwrap();
    let html = out.path().join("runs/browser/report.html");
    let png = out.path().join("report.png");
    screenshot(&html, &png);

    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    assert_eq!((frame.width, frame.height), (WIDTH, HEIGHT));
    let channels = frame.color_type.samples();
    let bytes = &pixels[..frame.buffer_size()];
    let total = (frame.width * frame.height) as usize;
    let mut not_white = 0usize;
    let mut colored = 0usize;
    for px in bytes.chunks(channels) {
        let (r, g, b) = (px[0], px[1], px[2]);
        if r < 240 || g < 240 || b < 240 {
            not_white += 1;
        }
        // Chart lines and NaN cells are in color, not grey.
        if r.max(g).max(b) - r.min(g).min(b) > 60 {
            colored += 1;
        }
    }
    if let Some(dir) = std::env::var_os("COLLECTOR_SCREENSHOT_DIR") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(&png, Path::new(&dir).join("report.png")).unwrap();
        std::fs::copy(&html, Path::new(&dir).join("report.html")).unwrap();
    }
    let ink = not_white as f64 / total as f64;
    println!(
        "report.png: {WIDTH}x{HEIGHT}, {:.1}% non-white pixels, {colored} colored pixels",
        ink * 100.0
    );
    assert!(
        ink > 0.02,
        "the page looks blank: only {:.2}% non-white pixels",
        ink * 100.0
    );
    assert!(
        colored > 2000,
        "no charts or highlighted cells visible: {colored} colored pixels"
    );
}
