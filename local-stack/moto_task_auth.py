"""Step Functions tasks run as the state machine's role (strict mode, with a bridge).

On AWS every service call a task makes is signed with the state machine's role, so a call the
role's policies do not allow fails the task. moto's interpreter signs with fixed test keys and
checks nothing; this patch asks the local runtime (`POST {bridge}/authorize`, which evaluates the
role's policies from moto IAM) before each `lambda:invoke` and `aws-sdk:lambda:*` /
`aws-sdk:sfn:*` task, and fails a denied one with the error AWS gives that integration:
`Lambda.AWSLambdaException` for the optimised `lambda:invoke`, the SDK integration's generic
`Lambda.LambdaException` / `Sfn.SfnException` for an error the service's API model does not
list (Lambda's and Step Functions' models have no `AccessDeniedException`), each with AWS's
"is not authorized to perform" cause.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from typing import Any

# The IAM prefix of each aws-sdk service name, and the error name of a denied call.
SDK_SERVICES = {"lambda": ("lambda", "Lambda.LambdaException"), "sfn": ("states", "Sfn.SfnException")}


class TaskAccessDenied(Exception):
    def __init__(self, error: str, cause: str) -> None:
        super().__init__(cause)
        self.error = error
        self.cause = cause


def install(bridge_url: str) -> None:
    from moto.stepfunctions.responses import get_backend
    from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import (
        CustomErrorName,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEvent
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_aws_sdk as sdk_module,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_lambda as lambda_module,
    )
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

    endpoint = bridge_url.rstrip("/") + "/authorize"
    lambda_cls = lambda_module.StateTaskServiceLambda
    sdk_cls = sdk_module.StateTaskServiceAwsSdk
    for cls in (lambda_cls, sdk_cls):
        for attribute in ("_eval_service_task", "_from_error", "_get_sfn_resource", "_get_sfn_resource_type"):
            if not hasattr(cls, attribute):
                raise SystemExit(f"{cls.__name__} has no {attribute}: moto_task_auth needs updating")

    def role_of(env: Any) -> tuple[str, str, str]:
        machine_arn = env.states.context_object.context_object_data["StateMachine"]["Id"]
        parts = machine_arn.split(":")
        account, region = parts[4], parts[3]
        machine = get_backend(account, region).describe_state_machine(machine_arn)
        return str(machine.roleArn), account, region

    def function_arn(name: str, account: str, region: str) -> str:
        if name.startswith("arn:"):
            return name
        return f"arn:aws:lambda:{region}:{account}:function:{name}"

    def allowed(role_arn: str, action: str, resource: str) -> bool:
        body = json.dumps({"roleArn": role_arn, "action": action, "resource": resource}).encode()
        request = urllib.request.Request(
            endpoint, data=body, method="POST", headers={"content-type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return bool(json.loads(response.read().decode()).get("allowed"))
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def check(env: Any, action: str, resource_of: Any, error: str, service: str) -> None:
        role_arn, account, region = role_of(env)
        resource = resource_of(account, region)
        if allowed(role_arn, action, resource):
            return
        session = role_arn.rsplit("/", 1)[-1]
        cause = (
            f"User: arn:aws:sts::{account}:assumed-role/{session}/states-execution is not authorized "
            f"to perform: {action} on resource: {resource} because no identity-based policy allows "
            f"the {action} action (Service: {service}; Status Code: 403; Error Code: "
            f"AccessDeniedException; Request ID: {uuid.uuid4()}; Proxy: null)"
        )
        raise TaskAccessDenied(error, cause)

    def failure(self: Any, env: Any, ex: TaskAccessDenied) -> Any:
        return FailureEvent(
            env=env,
            error_name=CustomErrorName(ex.error),
            event_type=HistoryEventType.TaskFailed,
            event_details=EventDetails(
                taskFailedEventDetails=TaskFailedEventDetails(
                    error=ex.error,
                    cause=ex.cause,
                    resource=self._get_sfn_resource(),
                    resourceType=self._get_sfn_resource_type(),
                )
            ),
        )

    original_lambda_eval = lambda_cls._eval_service_task
    original_lambda_error = lambda_cls._from_error
    original_sdk_eval = sdk_cls._eval_service_task
    original_sdk_error = sdk_cls._from_error

    def lambda_eval(self, env, resource_runtime_part, normalised_parameters, state_credentials):  # type: ignore[no-untyped-def]
        name = str(normalised_parameters.get("FunctionName", ""))
        check(
            env,
            "lambda:InvokeFunction",
            lambda account, region: function_arn(name, account, region),
            "Lambda.AWSLambdaException",
            "AWSLambda",
        )
        return original_lambda_eval(self, env, resource_runtime_part, normalised_parameters, state_credentials)

    def sdk_eval(self, env, resource_runtime_part, normalised_parameters, state_credentials):  # type: ignore[no-untyped-def]
        service = self.resource.api_name
        if service in SDK_SERVICES:
            prefix, error = SDK_SERVICES[service]
            action = f"{prefix}:{self.resource.api_action[:1].upper()}{self.resource.api_action[1:]}"
            if service == "lambda":
                name = str(normalised_parameters.get("FunctionName", ""))

                def resource_of(account: str, region: str) -> str:
                    return function_arn(name, account, region)
            else:
                machine = str(
                    normalised_parameters.get("stateMachineArn")
                    or normalised_parameters.get("StateMachineArn")
                    or ""
                )

                def resource_of(account: str, region: str) -> str:
                    return machine

            check(env, action, resource_of, error, service)
        return original_sdk_eval(self, env, resource_runtime_part, normalised_parameters, state_credentials)

    def lambda_from_error(self, env, ex):  # type: ignore[no-untyped-def]
        if isinstance(ex, TaskAccessDenied):
            return failure(self, env, ex)
        return original_lambda_error(self, env, ex)

    def sdk_from_error(self, env, ex):  # type: ignore[no-untyped-def]
        if isinstance(ex, TaskAccessDenied):
            return failure(self, env, ex)
        return original_sdk_error(self, env, ex)

    lambda_cls._eval_service_task = lambda_eval
    lambda_cls._from_error = lambda_from_error
    sdk_cls._eval_service_task = sdk_eval
    sdk_cls._from_error = sdk_from_error
