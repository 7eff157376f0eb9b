//! The deployer's progress on the terminal: a line for each step, progress bars (indicatif)
//! while the test objects upload and while an execution runs. Lines go to stderr, except the
//! local stack's endpoints, which are part of the command's output (stdout).

use std::sync::{Mutex, MutexGuard, PoisonError};

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use crate::diff::{Change, ResourceChange};
#[cfg(feature = "local")]
use crate::progress::LocalStackInfo;
use crate::progress::{Event, Reporter};

/// Renders [`Event`]s as they come.
#[derive(Debug, Default)]
pub(crate) struct Terminal {
    bars: Mutex<Bars>,
}

/// The bars being drawn.
#[derive(Debug, Default)]
struct Bars {
    upload: Option<ProgressBar>,
    /// One bar per round of the running execution.
    rounds: Option<(MultiProgress, Vec<ProgressBar>)>,
}

impl Bars {
    /// Prints `text` on stderr without tearing a bar being drawn.
    fn line(&self, text: &str) {
        match (&self.rounds, &self.upload) {
            (Some((multi, _)), _) => multi.suspend(|| eprintln!("{text}")),
            (None, Some(bar)) => bar.suspend(|| eprintln!("{text}")),
            (None, None) => eprintln!("{text}"),
        }
    }
}

impl Terminal {
    fn bars(&self) -> MutexGuard<'_, Bars> {
        // Bars left by a panicking thread are still bars: keep drawing them.
        self.bars.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Reporter for Terminal {
    fn report(&self, event: Event) {
        let mut bars = self.bars();
        match event {
            Event::SetupStarted { missing, script } => bars.line(&format!(
                "missing {}: running {} (minutes, once)",
                missing.join(" and "),
                script.display()
            )),
            Event::FunctionsBuilding { command } => bars.line(&format!(
                "building the functions for this machine (cargo {command})"
            )),
            Event::Changing(change) => bars.line(&changing(&change)),
            Event::UploadStarted { location, objects } => {
                bars.upload = Some(upload_bar(location, objects));
            }
            Event::ObjectUploaded => {
                if let Some(bar) = &bars.upload {
                    bar.inc(1);
                }
            }
            Event::UploadFinished => {
                if let Some(bar) = bars.upload.take() {
                    bar.finish_and_clear();
                }
            }
            Event::Deleted { what } => bars.line(&format!("  deleted {what}")),
            Event::ExecutionStarted {
                name,
                arn,
                rounds,
                configurations_per_round,
            } => {
                bars.line(&format!("started execution {name}\n  {arn}"));
                bars.rounds = Some(round_bars(rounds, configurations_per_round));
            }
            Event::RecordReceived {
                round,
                memory_mb,
                target,
                seconds,
            } => {
                let bar = bars.rounds.as_ref().and_then(|(_, bars)| {
                    usize::try_from(round)
                        .ok()
                        .and_then(|r| r.checked_sub(1))
                        .and_then(|i| bars.get(i))
                });
                if let Some(bar) = bar {
                    bar.inc(1);
                    bar.set_message(match seconds {
                        Some(t) => format!("{memory_mb} MB {target}: {t:.3} s"),
                        None => format!("{memory_mb} MB {target}: failed"),
                    });
                }
            }
            Event::ExecutionEnded { .. } => {
                if let Some((_, rounds)) = bars.rounds.take() {
                    for bar in rounds {
                        bar.finish();
                    }
                }
            }
            #[cfg(feature = "local")]
            Event::LocalStackStarted(info) => print_local_stack(&info),
            Event::LocalDeployStarted {
                stack,
                objects,
                architecture,
            } => bars.line(&format!(
                "deploying stack {stack} ({objects} objects, functions for {architecture})"
            )),
            Event::LocalDeployed { elapsed } => {
                bars.line(&format!("deployed in {:.1} s", elapsed.as_secs_f64()));
            }
            Event::LocalRunStarting {
                memory_sizes,
                rounds,
                targets,
            } => bars.line(&format!(
                "running: memory sizes {memory_sizes:?} MB, {rounds} round(s), targets {}",
                targets.join(", ")
            )),
            Event::Interrupted { signal } => {
                bars.line(&format!("\n{signal}: stopping the local stack"));
            }
            Event::SelftestDeploying { stack } => {
                bars.line(&format!(
                    "selftest: deploying stack {stack} (with a schedule)"
                ));
            }
            Event::SelftestDestroying { stack } => {
                bars.line(&format!("selftest: destroying stack {stack}"));
            }
        }
    }
}

/// `  IAM role NAME: updating trust, policies`.
fn changing(change: &ResourceChange) -> String {
    let verb = match &change.change {
        Change::Create => "creating".into(),
        Change::Update(fields) => format!(
            "updating {}",
            fields
                .iter()
                .map(|f| f.field.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Change::Delete => "deleting".into(),
        Change::NoChange => "unchanged".into(),
    };
    format!("  {} {}: {verb}", change.kind, change.name)
}

fn upload_bar(location: String, objects: u64) -> ProgressBar {
    let bar = ProgressBar::new(objects).with_style(
        ProgressStyle::with_template(
            "  uploading {prefix} {bar:30} {pos}/{len} objects ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_prefix(location);
    bar
}

/// One bar per round, each as long as a round's configurations.
fn round_bars(rounds: u32, per_round: u64) -> (MultiProgress, Vec<ProgressBar>) {
    let multi = MultiProgress::new();
    let style = ProgressStyle::with_template("  round {prefix} {bar:30} {pos}/{len} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    let bars = (1..=rounds)
        .map(|r| {
            let bar = multi.add(ProgressBar::new(per_round).with_style(style.clone()));
            bar.set_prefix(r.to_string());
            bar
        })
        .collect();
    (multi, bars)
}

/// The local stack's endpoints and behaviour (the tests read the ports from these lines).
#[cfg(feature = "local")]
fn print_local_stack(info: &LocalStackInfo) {
    println!("local stack:");
    println!(
        "  S3     {} (local-s3, {} ms per request, {})",
        info.s3,
        info.s3_latency.as_millis(),
        match &info.s3_tls {
            Some(tls) => format!("{tls}, a CA made for this run"),
            None => "plain HTTP (--plain-http)".to_owned(),
        }
    );
    println!(
        "  AWS    {} (moto: Lambda, Step Functions, IAM, STS; {})",
        info.moto,
        match &info.strict {
            Some(strict) => format!(
                "strict: new roles usable after {} s, updates in progress {} s, Step Functions read quotas",
                strict.role_propagation.as_secs_f64(),
                strict.update_latency.as_secs_f64()
            ),
            None => "lenient (--lenient): no AWS timing".to_string(),
        }
    );
    println!("  Lambda {} (local runtime)", info.lambda);
    match &info.cpu_quota {
        Ok(how) => println!("  CPU    {how}"),
        Err(reason) => println!(
            "  CPU    WARNING: no CPU quota could be applied ({reason}); every memory size gets the whole machine, so times do not follow memory as on Lambda"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::FieldChange;

    #[test]
    fn a_change_reads_as_what_deploy_does() {
        let update = ResourceChange {
            kind: "IAM role",
            name: "reader".into(),
            change: Change::Update(vec![
                FieldChange::new("trust", "a", "b"),
                FieldChange::new("policies", "c", "d"),
            ]),
        };
        assert_eq!(
            changing(&update),
            "  IAM role reader: updating trust, policies"
        );
        let create = ResourceChange {
            kind: "S3 bucket",
            name: "data".into(),
            change: Change::Create,
        };
        assert_eq!(changing(&create), "  S3 bucket data: creating");
    }
}
