//! The per-request decisions: how long to wait, and whether (and how) to fail.

use std::time::Duration;

use crate::{FaultKind, ServerConfig};

/// Latency and random-fault policy, shared by every connection.
#[derive(Debug, Clone)]
pub(crate) struct FaultPlan {
    latency: Duration,
    jitter: Duration,
    fault_rate: f64,
    kinds: Vec<FaultKind>,
}

impl FaultPlan {
    pub(crate) fn new(config: &ServerConfig) -> Self {
        Self {
            latency: config.latency,
            jitter: config.jitter,
            fault_rate: config.fault_rate,
            kinds: config.effective_fault_kinds(),
        }
    }

    /// The delay of one request: `latency` plus uniform `0..=jitter`.
    pub(crate) fn delay(&self) -> Duration {
        if self.jitter.is_zero() {
            return self.latency;
        }
        let jitter_ns = u64::try_from(self.jitter.as_nanos()).unwrap_or(u64::MAX);
        self.latency + Duration::from_nanos(fastrand::u64(0..=jitter_ns))
    }

    /// Whether this request fails, and how.
    pub(crate) fn draw_fault(&self) -> Option<FaultKind> {
        if self.fault_rate <= 0.0 || self.kinds.is_empty() {
            return None;
        }
        if fastrand::f64() >= self.fault_rate {
            return None;
        }
        Some(self.kinds[fastrand::usize(..self.kinds.len())])
    }

    /// True when some requests will be answered by a TCP reset.
    pub(crate) fn may_reset(&self) -> bool {
        self.fault_rate > 0.0 && self.kinds.contains(&FaultKind::ConnectionReset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_faults_by_default_and_all_at_rate_one() {
        let plain = FaultPlan::new(&ServerConfig::default());
        assert!((0..1000).all(|_| plain.draw_fault().is_none()));
        assert_eq!(plain.delay(), Duration::ZERO);

        let always = FaultPlan::new(&ServerConfig {
            fault_rate: 1.0,
            fault_kinds: vec![FaultKind::SlowDown],
            ..ServerConfig::default()
        });
        assert!((0..1000).all(|_| always.draw_fault() == Some(FaultKind::SlowDown)));
        assert!(!always.may_reset());
    }

    #[test]
    fn rate_is_roughly_honoured_and_jitter_bounded() {
        let plan = FaultPlan::new(&ServerConfig {
            fault_rate: 0.05,
            latency: Duration::from_millis(20),
            jitter: Duration::from_millis(5),
            ..ServerConfig::default()
        });
        let faults = (0..20_000).filter(|_| plan.draw_fault().is_some()).count();
        assert!(
            (600..1400).contains(&faults),
            "faults {faults} of 20000 at 5%"
        );
        for _ in 0..1000 {
            let d = plan.delay();
            assert!(
                d >= Duration::from_millis(20) && d <= Duration::from_millis(25),
                "{d:?}"
            );
        }
    }
}
