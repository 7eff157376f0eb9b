//! The tokio runtime the reader runs on, chosen once at start-up from the CPU the function has.
//!
//! Lambda gives a function CPU in proportion to its memory: 1769 MB is one vCPU, 128 MB about
//! 7% of one, yet the sandbox shows two or more vCPUs at every size (the seed's vCPU table). A
//! multi-thread runtime there runs its tasks on worker threads that the main thread and the I/O
//! driver wake through futexes and an eventfd: measured on this reader (1000 GETs over TLS, C =
//! 64, one core), 1,662 futex calls, and 15% more CPU on the direct path (98 ms against 85) and
//! 22% more on the SDK path (230 ms against 188) than one thread running everything. So: one thread up to one
//! vCPU's worth of memory, worker threads above it, as many as the memory pays for (at most the
//! cores the process may use).

use std::num::NonZeroUsize;

/// Lambda's memory size that buys one full vCPU (AWS: "at 1,769 MB, a function has the
/// equivalent of one vCPU").
const MB_PER_VCPU: f64 = 1769.0;

/// The kind of runtime for a function with `memory_mb` of memory (`None`: not known, e.g. the
/// CLI outside Lambda) on a machine where the process may use `cores` cores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuntimeKind {
    /// One thread runs every task and the I/O driver: no cross-thread wake-ups.
    CurrentThread,
    /// Worker threads, this many.
    MultiThread(usize),
}

impl RuntimeKind {
    /// One thread when the memory buys at most one vCPU (or, memory unknown, when the process
    /// may use one core); otherwise one worker per vCPU the memory buys, at most `cores`.
    pub fn for_function(memory_mb: Option<u32>, cores: NonZeroUsize) -> Self {
        let cores = cores.get();
        let vcpus = match memory_mb.filter(|&m| m > 0) {
            Some(memory) => (f64::from(memory) / MB_PER_VCPU).ceil() as usize,
            None => cores,
        };
        match vcpus.min(cores) {
            0 | 1 => Self::CurrentThread,
            workers => Self::MultiThread(workers),
        }
    }

    /// From `AWS_LAMBDA_FUNCTION_MEMORY_SIZE` (Lambda sets it; `s3-read` takes `--memory-mb`)
    /// and the cores this process may use.
    pub fn from_env(memory_mb: Option<u32>) -> Self {
        let memory = memory_mb.or_else(|| {
            std::env::var("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
                .ok()
                .and_then(|v| v.trim().parse().ok())
        });
        let cores = std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN);
        Self::for_function(memory, cores)
    }

    /// Builds the runtime, I/O and timers enabled.
    pub fn build(self) -> std::io::Result<tokio::runtime::Runtime> {
        let mut builder = match self {
            Self::CurrentThread => tokio::runtime::Builder::new_current_thread(),
            Self::MultiThread(workers) => {
                let mut builder = tokio::runtime::Builder::new_multi_thread();
                builder.worker_threads(workers);
                builder
            }
        };
        builder.enable_all().build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cores(n: usize) -> NonZeroUsize {
        NonZeroUsize::new(n).unwrap()
    }

    #[test]
    fn one_thread_up_to_one_vcpu_of_memory() {
        for memory in [128, 256, 512, 1024, 1769] {
            assert_eq!(
                RuntimeKind::for_function(Some(memory), cores(2)),
                RuntimeKind::CurrentThread,
                "{memory} MB"
            );
        }
        assert_eq!(
            RuntimeKind::for_function(Some(1770), cores(2)),
            RuntimeKind::MultiThread(2)
        );
        // 10240 MB buys 6 vCPUs (Lambda's maximum), but no more workers than cores.
        assert_eq!(
            RuntimeKind::for_function(Some(10240), cores(6)),
            RuntimeKind::MultiThread(6)
        );
        assert_eq!(
            RuntimeKind::for_function(Some(10240), cores(4)),
            RuntimeKind::MultiThread(4)
        );
        assert_eq!(
            RuntimeKind::for_function(Some(10240), cores(1)),
            RuntimeKind::CurrentThread
        );
    }

    #[test]
    fn without_a_memory_size_the_cores_decide() {
        assert_eq!(
            RuntimeKind::for_function(None, cores(1)),
            RuntimeKind::CurrentThread
        );
        assert_eq!(
            RuntimeKind::for_function(Some(0), cores(3)),
            RuntimeKind::MultiThread(3)
        );
    }

    #[test]
    fn each_kind_builds_its_runtime() -> std::io::Result<()> {
        use tokio::runtime::RuntimeFlavor;
        for (kind, flavor, workers) in [
            (RuntimeKind::CurrentThread, RuntimeFlavor::CurrentThread, 1),
            (RuntimeKind::MultiThread(2), RuntimeFlavor::MultiThread, 2),
        ] {
            let runtime = kind.build()?;
            assert_eq!(runtime.handle().runtime_flavor(), flavor);
            assert_eq!(runtime.metrics().num_workers(), workers);
            let answer =
                runtime.block_on(async { tokio::spawn(async { 6 * 7 }).await.unwrap_or_default() });
            assert_eq!(answer, 42, "{kind:?}");
        }
        Ok(())
    }
}
