//! The warm environments of every function. An invocation takes an idle environment with the same
//! configuration (warm start) or starts a new one (cold start); when a function's configuration
//! changes (memory, code, environment, timeout), its old environments are retired.

use std::collections::HashMap;

use tokio::sync::Mutex;

use super::environment::{EnvironmentKey, ExecutionEnvironment};

/// Idle environments beyond this many per function are shut down instead of kept warm.
const MAX_IDLE_PER_FUNCTION: usize = 64;

#[derive(Debug, Default)]
struct FunctionEnvironments {
    key: Option<EnvironmentKey>,
    idle: Vec<ExecutionEnvironment>,
}

/// Environments by function name.
#[derive(Debug, Default)]
pub(crate) struct Pool {
    functions: Mutex<HashMap<String, FunctionEnvironments>>,
}

impl Pool {
    /// An idle environment for `key`, if there is a live one. Retires environments of an older
    /// configuration of the same function.
    pub(crate) async fn take_idle(&self, key: &EnvironmentKey) -> Option<ExecutionEnvironment> {
        let retired;
        let found = {
            let mut functions = self.functions.lock().await;
            let entry = functions.entry(key.function_name.clone()).or_default();
            if entry.key.as_ref() != Some(key) {
                entry.key = Some(key.clone());
                retired = std::mem::take(&mut entry.idle);
            } else {
                retired = Vec::new();
            }
            let mut found = None;
            while let Some(mut environment) = entry.idle.pop() {
                if environment.reusable() {
                    found = Some(environment);
                    break;
                }
            }
            found
        };
        for environment in retired {
            environment.shutdown().await;
        }
        found
    }

    /// Returns an environment after an invocation: kept warm if it still matches the function's
    /// current configuration and is healthy, shut down otherwise.
    pub(crate) async fn give_back(&self, mut environment: ExecutionEnvironment) {
        if environment.reusable() {
            let mut functions = self.functions.lock().await;
            let entry = functions
                .entry(environment.key().function_name.clone())
                .or_default();
            let current = entry.key.as_ref() == Some(environment.key());
            if current && entry.idle.len() < MAX_IDLE_PER_FUNCTION {
                entry.idle.push(environment);
                return;
            }
        }
        environment.shutdown().await;
    }

    /// How many idle environments each function has.
    pub(crate) async fn idle_counts(&self) -> HashMap<String, usize> {
        let functions = self.functions.lock().await;
        functions
            .iter()
            .map(|(name, envs)| (name.clone(), envs.idle.len()))
            .collect()
    }

    /// Kills every idle environment now, without waiting (for `Drop`). Environments busy with an
    /// invocation die when their invocation task is dropped.
    pub(crate) fn kill_idle_now(&self) {
        if let Ok(mut functions) = self.functions.try_lock() {
            functions.clear();
        }
    }

    /// Shuts every idle environment down.
    pub(crate) async fn shutdown_all(&self) {
        let all: Vec<ExecutionEnvironment> = {
            let mut functions = self.functions.lock().await;
            functions.drain().flat_map(|(_, envs)| envs.idle).collect()
        };
        for environment in all {
            environment.shutdown().await;
        }
    }
}
