//! The error names a rendered definition retries or catches on, per Lambda invoke: what the
//! functions' stable error names (their `errorType`) must agree with. The functions' own tests
//! check their names against these, so a renamed variant or a template edit cannot drift apart
//! unnoticed.

use serde_json::Value;

use crate::definition_check::{nested_scopes, scope_states};

/// Which function a `lambda:invoke` Task calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invoked {
    /// A fixed function (`FunctionName`), e.g. the collector.
    Function(String),
    /// A function taken from the state (`FunctionName.$`), e.g. `$.target.functionName`.
    Path(String),
}

/// One `lambda:invoke` Task and the names in its `Retry` and `Catch` `ErrorEquals`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorMatch {
    /// The Task state's name, e.g. `TimedInvoke`.
    pub state: String,
    /// The function it invokes.
    pub invoked: Invoked,
    /// Every name in its retriers' `ErrorEquals`, in order.
    pub retried: Vec<String>,
    /// Every name in its catchers' `ErrorEquals`, in order.
    pub caught: Vec<String>,
}

impl ErrorMatch {
    /// The names that are a function's own error types: neither Step Functions' `States.*`
    /// nor an integration's `Service.Exception` (every such name has a dot).
    pub fn function_error_names(&self) -> impl Iterator<Item = &str> {
        self.retried
            .iter()
            .chain(&self.caught)
            .map(String::as_str)
            .filter(|name| !name.contains('.'))
    }
}

/// Every `lambda:invoke` Task of the definition, in every scope (Map processors, branches).
pub fn error_matches(definition: &Value) -> Vec<ErrorMatch> {
    let mut found = Vec::new();
    collect("top level", definition, &mut found);
    found
}

fn collect(scope_name: &str, scope: &Value, found: &mut Vec<ErrorMatch>) {
    let Ok((_, states)) = scope_states(scope_name, scope) else {
        return;
    };
    for (name, state) in states {
        if let Some(invoked) = invoked(state) {
            found.push(ErrorMatch {
                state: name.clone(),
                invoked,
                retried: names(state, "Retry"),
                caught: names(state, "Catch"),
            });
        }
        for nested in nested_scopes(state) {
            collect(name, nested, found);
        }
    }
}

fn invoked(state: &Value) -> Option<Invoked> {
    let is_invoke = state.get("Type").and_then(Value::as_str) == Some("Task")
        && state
            .get("Resource")
            .and_then(Value::as_str)
            .is_some_and(|r| r.ends_with(":states:::lambda:invoke"));
    if !is_invoke {
        return None;
    }
    let parameters = state.get("Parameters")?;
    let text = |key: &str| {
        parameters
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    text("FunctionName")
        .map(Invoked::Function)
        .or_else(|| text("FunctionName.$").map(Invoked::Path))
}

fn names(state: &Value, field: &str) -> Vec<String> {
    state
        .get(field)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.get("ErrorEquals").and_then(Value::as_array))
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::render_definition_value;
    use crate::BenchmarkPlan;

    #[test]
    fn the_collector_and_reader_invokes_are_found_with_their_error_names() {
        let plan = BenchmarkPlan::default();
        let definition = render_definition_value(&plan).expect("the default plan renders");
        let matches = error_matches(&definition);
        let collector: Vec<&ErrorMatch> = matches
            .iter()
            .filter(|m| m.invoked == Invoked::Function(plan.collector_function.clone()))
            .collect();
        let readers: Vec<&ErrorMatch> = matches
            .iter()
            .filter(|m| {
                matches!(&m.invoked, Invoked::Path(p)
                    if p == "$.target.functionName" || p == "$.function.functionName")
            })
            .collect();
        // validate, record, record failure (two), report; warm-up and timed, once in the path
        // of one function's steps and once in the path of several functions' sizes.
        assert!(collector.len() >= 4, "{matches:#?}");
        assert_eq!(readers.len(), 4, "{matches:#?}");
        assert_eq!(collector.len() + readers.len(), matches.len());
        let timed = readers
            .iter()
            .find(|m| m.state == "TimedInvoke")
            .expect("TimedInvoke");
        assert!(timed.retried.iter().any(|n| n == "Lambda.ServiceException"));
        assert!(timed.caught.iter().any(|n| n == "States.ALL"));
        assert_eq!(timed.function_error_names().count(), 0);
    }

    #[test]
    fn a_function_error_name_is_one_without_a_dot() {
        let m = ErrorMatch {
            state: "S".into(),
            invoked: Invoked::Function("f".into()),
            retried: vec!["StorageFailed".into(), "Lambda.ServiceException".into()],
            caught: vec!["States.ALL".into(), "NoRecords".into()],
        };
        assert_eq!(
            m.function_error_names().collect::<Vec<_>>(),
            ["StorageFailed", "NoRecords"]
        );
    }
}
