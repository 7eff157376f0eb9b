//! What the deployer reports while it works, as typed events; the library never prints.
//!
//! Every step that a user waits for (a deploy's changes, the test objects' upload, an
//! execution's records, the local stack coming up) reports an [`Event`] to the [`Reporter`] its
//! caller chose: the `deploy` binary renders them on the terminal (lines, and progress bars where
//! a step waits), the tests keep them in a [`Recorder`] to assert on, or drop them ([`Silent`],
//! the default of a [`crate::Deployer`]).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[cfg(feature = "local")]
use local_stack::moto::StrictOptions;

use crate::config::Architecture;
use crate::diff::ResourceChange;

/// Receives the deployer's events as they happen, in order. Called from async code: it must
/// not block for long.
pub trait Reporter: std::fmt::Debug + Send + Sync {
    /// Takes one event, as it happens.
    fn report(&self, event: Event);
}

/// A reporter shared by the parts of a command (a [`crate::Deployer`] keeps one).
pub type SharedReporter = Arc<dyn Reporter>;

/// One step of a command, with the facts a user is shown about it.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A tool is missing; `script` (the project's setup) runs now to install it (minutes, once).
    SetupStarted {
        /// What is missing, e.g. `cargo-lambda` or the path of moto's server.
        missing: Vec<String>,
        /// The setup script that installs it (`scripts/setup`).
        script: PathBuf,
    },
    /// The functions are being built for this machine with `cargo <command>`.
    FunctionsBuilding {
        /// cargo's arguments, e.g. `build -p lambda-bench -p s3-reader ...`.
        command: String,
    },
    /// Deploy is about to apply this change (never a `NoChange`).
    Changing(ResourceChange),
    /// The upload of `objects` test objects to `location` (`s3://bucket/prefix`) begins.
    UploadStarted {
        /// `s3://BUCKET/PREFIX`.
        location: String,
        /// How many objects will be uploaded.
        objects: u64,
    },
    /// One more test object is uploaded.
    ObjectUploaded,
    /// Every test object of the upload is there.
    UploadFinished,
    /// Destroy removed a resource that existed, e.g. `IAM role lambda-bench-reader`.
    Deleted {
        /// The resource's kind and name, as the diff names it.
        what: String,
    },
    /// An execution started; it sweeps `configurations_per_round` configurations in each of
    /// `rounds` rounds.
    ExecutionStarted {
        /// The execution's name, e.g. `run-2026-11-27T06-15-51Z`.
        name: String,
        /// The execution's ARN.
        arn: String,
        /// How many times the execution sweeps every configuration.
        rounds: u32,
        /// Memory sizes times targets: the records each round gives.
        configurations_per_round: u64,
    },
    /// A configuration of the running execution finished: its mean time in seconds, or `None`
    /// when it failed.
    RecordReceived {
        /// The round, from 1.
        round: u32,
        /// The memory size, in MB.
        memory_mb: u32,
        /// The target's name, e.g. `rust`.
        target: String,
        /// The timed section's seconds (`None` when it failed).
        seconds: Option<f64>,
    },
    /// The execution is no longer running (`SUCCEEDED`, `FAILED`, ...).
    ExecutionEnded {
        /// Step Functions' status, e.g. `SUCCEEDED`.
        status: String,
    },
    /// `deploy local`: the local stack is up.
    #[cfg(feature = "local")]
    LocalStackStarted(LocalStackInfo),
    /// `deploy local`: the deploy to the local stack begins.
    LocalDeployStarted {
        /// The stack name.
        stack: String,
        /// How many test objects the stack has.
        objects: u64,
        /// The functions' architecture (the host's).
        architecture: Architecture,
    },
    /// `deploy local`: the deploy ended after `elapsed`.
    LocalDeployed {
        /// How long the deploy took.
        elapsed: Duration,
    },
    /// `deploy local`: the benchmark run begins with this sweep.
    LocalRunStarting {
        /// The memory sizes swept, in MB.
        memory_sizes: Vec<u32>,
        /// How many times the sweep repeats.
        rounds: u32,
        /// The targets' names, as the table's columns show them.
        targets: Vec<String>,
    },
    /// `deploy local` received `signal` (`Ctrl-C`, `SIGTERM`) and stops the local stack.
    Interrupted {
        /// What stopped it.
        signal: system::signal::StopReason,
    },
    /// The selftest deploys its throwaway stack `stack` (with a schedule).
    SelftestDeploying {
        /// The throwaway stack's name, `selftest-...`.
        stack: String,
    },
    /// The selftest destroys its throwaway stack `stack`.
    SelftestDestroying {
        /// The throwaway stack's name, `selftest-...`.
        stack: String,
    },
}

/// Where the local stack listens and how it behaves.
#[cfg(feature = "local")]
#[derive(Debug, Clone, PartialEq)]
pub struct LocalStackInfo {
    /// local-s3's endpoint.
    pub s3: String,
    /// How local-s3 speaks TLS; `None`: plain HTTP.
    pub s3_tls: Option<local_s3::TlsSettings>,
    /// The latency local-s3 adds to each request.
    pub s3_latency: Duration,
    /// moto's endpoint (Lambda, Step Functions, IAM, STS).
    pub moto: String,
    /// The AWS behaviour moto imitates; `None` when lenient.
    pub strict: Option<StrictOptions>,
    /// The local Lambda runtime's endpoint.
    pub lambda: String,
    /// How the functions' CPU follows their memory, or why it cannot.
    pub cpu_quota: Result<String, String>,
}

/// Drops every event.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Reporter for Silent {
    fn report(&self, _event: Event) {}
}

/// Keeps every event, for tests to assert on.
#[derive(Debug, Default)]
pub struct Recorder {
    events: Mutex<Vec<Event>>,
}

impl Recorder {
    /// The events so far, oldest first.
    pub fn events(&self) -> Vec<Event> {
        self.lock().clone()
    }

    /// Forgets the events so far.
    pub fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Event>> {
        // A panic while holding the lock cannot leave the list half-changed: keep using it.
        self.events
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Reporter for Recorder {
    fn report(&self, event: Event) {
        self.lock().push(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recorder_keeps_the_events_in_order_and_a_shared_one_is_the_same() {
        let recorder = Arc::new(Recorder::default());
        let shared: SharedReporter = recorder.clone();
        shared.report(Event::ObjectUploaded);
        shared.report(Event::UploadFinished);
        assert_eq!(
            recorder.events(),
            vec![Event::ObjectUploaded, Event::UploadFinished]
        );
        recorder.clear();
        Silent.report(Event::UploadFinished);
        assert!(recorder.events().is_empty());
    }
}
