"""Makes moto's `aws-sdk:*` Step Functions tasks take and give the field names AWS does.

In an AWS SDK integration task, Step Functions takes the API's parameters in PascalCase
(`"StateMachineArn"`, `"StatusFilter"`) whatever the casing of the service's own API, and
answers in PascalCase too (`$.Executions[0].ExecutionArn`). moto 5.2.5's interpreter passes the
parameters to boto3 as written and returns boto3's answer as it is, which works for services
whose API is PascalCase already (Lambda) and fails for the others (Step Functions' own API is
camelCase: `aws-sdk:sfn:listExecutions` fails with a KeyError, and answers `executions`).
This patch maps both through the operation's shapes, with the interpreter's own
`_to_boto_request` / `_from_boto_response` (which its optimised integrations already use).
"""

from __future__ import annotations

import botocore.session


def install() -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_aws_sdk as aws_sdk,
    )

    cls = aws_sdk.StateTaskServiceAwsSdk
    for attribute in (
        "_to_boto_request",
        "_from_boto_response",
        "_normalise_response",
        "_get_boto_service_name",
    ):
        if not hasattr(cls, attribute):
            raise SystemExit(f"StateTaskServiceAwsSdk has no {attribute}: moto_sdk_params needs updating")
    session = botocore.session.get_session()
    original_parameters = cls._normalise_parameters
    original_response = cls._normalise_response

    def operation_model(self, boto_service_name, service_action_name):  # type: ignore[no-untyped-def]
        model = session.get_service_model(self._get_boto_service_name(boto_service_name))
        action = service_action_name or self.resource.api_action
        operation = action[:1].upper() + action[1:]
        return model.operation_model(operation) if operation in model.operation_names else None

    def normalise_parameters(self, parameters, boto_service_name=None, service_action_name=None):  # type: ignore[no-untyped-def]
        operation = operation_model(self, boto_service_name, service_action_name)
        if operation is not None and operation.input_shape is not None:
            self._to_boto_request(parameters, operation.input_shape)
        original_parameters(self, parameters, boto_service_name, service_action_name)

    def normalise_response(self, response, boto_service_name=None, service_action_name=None):  # type: ignore[no-untyped-def]
        operation = operation_model(self, boto_service_name, service_action_name)
        if operation is not None and operation.output_shape is not None:
            self._from_boto_response(response, operation.output_shape)
        original_response(self, response, boto_service_name, service_action_name)

    cls._normalise_parameters = normalise_parameters
    cls._normalise_response = normalise_response


def install_history_paging() -> None:
    """GetExecutionHistory as AWS pages it: `reverseOrder` (newest first), `maxResults` (default
    100, at most 1000) and `nextToken`. moto 5.2.5 ignores all three and returns every event
    oldest first, which hides a client that reads the whole history on every poll."""
    import base64

    from moto.core.responses import ActionResult
    from moto.stepfunctions import responses

    cls = responses.StepFunctionResponse
    original = getattr(cls, "get_execution_history", None)
    if original is None:
        raise SystemExit("StepFunctionResponse.get_execution_history is gone: moto_sdk_params needs updating")

    def get_execution_history(self):  # type: ignore[no-untyped-def]
        result = original(self)
        history = getattr(result, "result", None)
        if not isinstance(history, dict) or not isinstance(history.get("events"), list):
            return result
        events = list(history["events"])
        if self._get_param("reverseOrder"):
            events.reverse()
        size = int(self._get_param("maxResults") or 0)
        size = 100 if size <= 0 else min(size, 1000)
        token = self._get_param("nextToken")
        start = int(base64.b64decode(token).decode()) if token else 0
        page: dict = {"events": events[start : start + size]}
        if start + size < len(events):
            page["nextToken"] = base64.b64encode(str(start + size).encode()).decode()
        return ActionResult(page)

    cls.get_execution_history = get_execution_history


SESSION_PATH = "/moto-api/local-stack/session"


def install_session_lookup() -> None:
    """`POST /moto-api/local-stack/session {"accessKeyId": ...}`: the session STS issued for a
    temporary key (`secretAccessKey`, `sessionToken`, `roleArn`), 404 for an unknown one. It is
    how local-s3 verifies a function's signature and finds its role, as S3 asks STS and IAM; an
    endpoint of the local stack's own, not an AWS API."""
    import json as json_module

    from moto.moto_api._internal import urls
    from moto.sts.models import sts_backends

    def session(request, full_url, headers):  # type: ignore[no-untyped-def]
        try:
            body = request.data if hasattr(request, "data") else request.body
            key = json_module.loads(body or b"{}").get("accessKeyId", "")
        except ValueError:
            return 400, {}, json_module.dumps({"error": "the body is not JSON"})
        for account in list(sts_backends.keys()):
            for partition in list(sts_backends[account].keys()):
                backend = sts_backends[account][partition]
                for assumed in list(getattr(backend, "assumed_roles", [])):
                    if assumed.access_key_id == key:
                        return 200, {"content-type": "application/json"}, json_module.dumps(
                            {
                                "secretAccessKey": assumed.secret_access_key,
                                "sessionToken": assumed.session_token,
                                "roleArn": assumed.role_arn,
                                "expiration": assumed.expiration.isoformat(),
                            }
                        )
        return 404, {}, json_module.dumps({"error": f"no session for {key}"})

    urls.url_paths["{0}" + SESSION_PATH + "$"] = session
