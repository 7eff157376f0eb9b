//! What the collector answers a state machine's input check (`{"action": "validate"}`), for the
//! moto tests whose functions run no code (moto's simple backend answers with queued
//! responses): the collector's own check, run on the defaults and limits the definition bakes in.

use bench_types::validation::{ValidateAnswer, ValidateRequest};
use serde_json::Value;

/// The answer to the execution input `given` (an object) of `definition`: `given` merged over
/// the definition's defaults (shallow, as its `MergeInput` does), checked against the limits of
/// its `ValidateRun` state. Panics when the definition lacks either.
pub fn collector_answer(definition: &Value, given: &Value) -> String {
    let states = &definition["States"];
    let mut input = states["Defaults"]["Parameters"]["defaults"].clone();
    let (Some(merged), Some(fields)) = (input.as_object_mut(), given.as_object()) else {
        panic!("the definition's Defaults and the given input must be objects");
    };
    for (name, value) in fields {
        merged.insert(name.clone(), value.clone());
    }
    let limits =
        serde_json::from_value(states["ValidateRun"]["Parameters"]["Payload"]["limits"].clone())
            .expect("the definition's ValidateRun passes the limits");
    let request = ValidateRequest {
        input,
        given: given.clone(),
        limits,
    };
    serde_json::to_string(&ValidateAnswer::for_request(&request)).expect("an answer serializes")
}

/// [`collector_answer`] for the deployed state machine `state_machine_arn`.
pub async fn collector_answer_of(
    sfn: &aws_sdk_sfn::Client,
    state_machine_arn: &str,
    given: &Value,
) -> String {
    let described = sfn
        .describe_state_machine()
        .state_machine_arn(state_machine_arn)
        .send()
        .await
        .unwrap_or_else(|e| panic!("DescribeStateMachine {state_machine_arn}: {e:?}"));
    let definition: Value =
        serde_json::from_str(described.definition()).expect("the definition is JSON");
    collector_answer(&definition, given)
}
