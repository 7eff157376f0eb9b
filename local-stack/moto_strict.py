"""Strict mode: AWS's timing and refusals for moto's control plane.

moto accepts at once what AWS refuses for a while, so code that works against moto can fail on AWS
(a role used seconds after it was created, a second Lambda update while the first is still in
progress, a tight DescribeExecution loop). With `--strict` the launcher calls `install(config)`
before the server starts, which wraps a few of moto's response handlers and models so that:

1. **IAM role propagation.** A role created (iam CreateRole) less than `role_propagation` seconds
   ago, or one whose trust policy does not let the service principal `sts:AssumeRole` (checked at
   any time), cannot be used by a service: Lambda CreateFunction / UpdateFunctionConfiguration
   (`Role`), Step Functions CreateStateMachine / UpdateStateMachine (`roleArn`) and EventBridge
   Scheduler CreateSchedule / UpdateSchedule (`Target.RoleArn`) answer with AWS's error.
2. **Lambda update latency.** CreateFunction leaves the function `Pending` for `update_latency`
   seconds (Invoke and updates answer 409 ResourceConflictException meanwhile, as on AWS);
   UpdateFunctionConfiguration / UpdateFunctionCode leave it `LastUpdateStatus: InProgress` for as
   long: invocations still run the previous configuration and code (`invocation_view`, used by the
   bridge) and another update or PublishVersion answers 409 ResourceConflictException.
3. **Throttling.** Step Functions DescribeExecution and GetExecutionHistory each have a token
   bucket (AWS's documented quotas for us-east-1 by default): above it, 400 ThrottlingException
   "Rate exceeded". Lambda Invoke can have one too (off by default): 429 TooManyRequestsException
   "Rate Exceeded." with Reason CallerRateLimitExceeded. Moto's Step Functions interpreter calls
   this server's Invoke API through boto3 (with retries off), so its invocations count and a
   throttled one fails the task with `Lambda.TooManyRequestsException`, as on AWS.

Everything is patched at the response layer (the HTTP handlers every client goes through, moto's
own Step Functions interpreter included), apart from `LambdaFunction.get_configuration` (the
status fields of every answer that shows a function), `LambdaBackend.create_function` (the Pending
window starts when the function exists) and `IAMBackend.create_role` (a monotonic creation time).
Each patched attribute is looked up first: if moto moved one, the launcher refuses to start.
"""

from __future__ import annotations

import argparse
import copy
import fnmatch
import json
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any, Callable

# The moto version whose internals these patches were written against (as for the bridge).
EXPECTED_MOTO_VERSION = "5.2.5"

LAMBDA_PRINCIPAL = "lambda.amazonaws.com"
STATES_PRINCIPAL = "states.amazonaws.com"
SCHEDULER_PRINCIPAL = "scheduler.amazonaws.com"

# AWS's messages, word for word.
LAMBDA_ROLE_MESSAGE = "The role defined for the function cannot be assumed by Lambda."
STATES_ROLE_MESSAGE = (
    "Neither the global service principal states.amazonaws.com, nor the regional one is "
    "authorized to assume the provided role."
)
SCHEDULER_ROLE_MESSAGE = (
    "The execution role you provide must allow AWS EventBridge Scheduler to assume the role."
)
UPDATE_IN_PROGRESS_MESSAGE = (
    "The operation cannot be performed at this time. An update is in progress for resource: {arn}"
)
PENDING_MESSAGE = (
    "The operation cannot be performed at this time. "
    "The function is currently in the following state: Pending"
)
CREATING_REASON = "The function is being created."
SFN_THROTTLE_MESSAGE = "Rate exceeded"
LAMBDA_THROTTLE_MESSAGE = "Rate Exceeded."

# Attributes strict mode keeps on moto's objects.
ROLE_CREATED_ATTR = "_strict_created_monotonic"
PENDING_ATTR = "_strict_pending_until"
UPDATE_ATTR = "_strict_update"

ROLE_ARN = re.compile(r"^arn:(aws[a-zA-Z-]*):iam::(\d{12}):role/.+$")


@dataclass(frozen=True)
class BucketSpec:
    """A token bucket as AWS documents API quotas: `capacity` at once, `refill_per_second` after."""

    capacity: float
    refill_per_second: float


@dataclass(frozen=True)
class StrictConfig:
    role_propagation: float
    update_latency: float
    describe_execution: BucketSpec
    execution_history: BucketSpec
    invoke: BucketSpec | None


# Defaults: AWS's. Role propagation is not a documented number (IAM is eventually consistent;
# new roles usually become usable for Lambda within seconds); 8 s is what deploys here see.
DEFAULT_ROLE_PROPAGATION = 8.0
DEFAULT_UPDATE_LATENCY = 2.0
# AWS Step Functions quotas, "API action throttling", us-east-1 / us-west-2 / eu-west-1:
# DescribeExecution bucket 300, refill 15/s; GetExecutionHistory bucket 400, refill 20/s.
DEFAULT_DESCRIBE_EXECUTION = BucketSpec(300, 15)
DEFAULT_EXECUTION_HISTORY = BucketSpec(400, 20)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The launcher's strict-mode flags (values only count with --strict)."""
    group = parser.add_argument_group("strict mode (AWS's timing; see moto_strict.py)")
    group.add_argument("--strict", action="store_true", help="enforce AWS's timing and refusals")
    group.add_argument(
        "--role-propagation",
        type=float,
        metavar="SECONDS",
        help="a new role cannot be used by a service for this long "
        f"(default {DEFAULT_ROLE_PROPAGATION})",
    )
    group.add_argument(
        "--update-latency",
        type=float,
        metavar="SECONDS",
        help=f"Lambda Pending / InProgress window (default {DEFAULT_UPDATE_LATENCY})",
    )
    for name, default in (
        ("describe-execution", DEFAULT_DESCRIBE_EXECUTION),
        ("execution-history", DEFAULT_EXECUTION_HISTORY),
        ("invoke", None),
    ):
        shown = "off" if default is None else f"{default.capacity:g}"
        group.add_argument(
            f"--{name}-bucket", type=float, metavar="N", help=f"bucket size (default {shown})"
        )
        shown = "off" if default is None else f"{default.refill_per_second:g}"
        group.add_argument(
            f"--{name}-refill",
            type=float,
            metavar="PER_SECOND",
            help=f"tokens added per second (default {shown})",
        )


def config_from_args(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> StrictConfig | None:
    """The strict configuration the flags ask for; None without --strict."""
    values = {
        "role_propagation": args.role_propagation,
        "update_latency": args.update_latency,
        "describe_execution_bucket": args.describe_execution_bucket,
        "describe_execution_refill": args.describe_execution_refill,
        "execution_history_bucket": args.execution_history_bucket,
        "execution_history_refill": args.execution_history_refill,
        "invoke_bucket": args.invoke_bucket,
        "invoke_refill": args.invoke_refill,
    }
    if not args.strict:
        given = [name for name, value in values.items() if value is not None]
        if given:
            parser.error(f"strict-mode flags without --strict: {', '.join(given)}")
        return None

    def seconds(value: float | None, default: float, flag: str) -> float:
        chosen = default if value is None else value
        if chosen < 0:
            parser.error(f"--{flag} must be >= 0")
        return chosen

    def bucket(name: str, default: BucketSpec) -> BucketSpec:
        capacity = values[f"{name}_bucket"]
        refill = values[f"{name}_refill"]
        spec = BucketSpec(
            default.capacity if capacity is None else capacity,
            default.refill_per_second if refill is None else refill,
        )
        if spec.capacity < 1 or spec.refill_per_second <= 0:
            flag = name.replace("_", "-")
            parser.error(f"--{flag}-bucket must be >= 1 and --{flag}-refill > 0")
        return spec

    invoke: BucketSpec | None = None
    if args.invoke_bucket is not None or args.invoke_refill is not None:
        if args.invoke_bucket is None or args.invoke_refill is None:
            parser.error("--invoke-bucket and --invoke-refill go together")
        invoke = bucket("invoke", BucketSpec(args.invoke_bucket, args.invoke_refill))

    return StrictConfig(
        role_propagation=seconds(
            args.role_propagation, DEFAULT_ROLE_PROPAGATION, "role-propagation"
        ),
        update_latency=seconds(args.update_latency, DEFAULT_UPDATE_LATENCY, "update-latency"),
        describe_execution=bucket("describe_execution", DEFAULT_DESCRIBE_EXECUTION),
        execution_history=bucket("execution_history", DEFAULT_EXECUTION_HISTORY),
        invoke=invoke,
    )


# --- errors -----------------------------------------------------------------------------------

try:  # werkzeug comes with moto[server]; imported lazily so `--help` works without it.
    from werkzeug.exceptions import HTTPException as _HTTPException
except ImportError:  # pragma: no cover - only without moto installed
    _HTTPException = Exception  # type: ignore[misc,assignment]


class AwsError(_HTTPException):  # type: ignore[misc,valid-type]
    """An error answer with AWS's exact status, headers and body.

    moto's `BaseResponse.call_action` turns any werkzeug HTTPException a handler raises into the
    answer (`code`, `get_headers()`, `description`), so raising this from a wrapped handler
    answers exactly this, whatever the protocol.
    """

    def __init__(self, status: int, error_type: str, body: dict[str, Any]) -> None:
        super().__init__(description=json.dumps(body))
        self.code = status
        self.error_type = error_type

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        return [("X-Amzn-ErrorType", self.error_type), ("Content-Type", "application/json")]

    def get_body(self, *args: Any, **kwargs: Any) -> str:
        return self.description or ""


def lambda_error(status: int, code: str, message: str, **extra: str) -> AwsError:
    """Lambda (REST-JSON): the code in x-amzn-ErrorType, `{"Type": "User", "message": ...}`."""
    return AwsError(status, code, {"Type": "User", "message": message, **extra})


def states_access_denied() -> AwsError:
    """Step Functions (JSON 1.0): the code in `__type` and x-amzn-ErrorType, HTTP 400."""
    return AwsError(
        400,
        "AccessDeniedException",
        {"__type": "AccessDeniedException", "message": STATES_ROLE_MESSAGE},
    )


def states_throttled() -> AwsError:
    """The throttling answer of AWS's JSON services (Coral's availability layer), HTTP 400."""
    return AwsError(
        400,
        "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/",
        {
            "__type": "com.amazon.coral.availability#ThrottlingException",
            "message": SFN_THROTTLE_MESSAGE,
        },
    )


def scheduler_role_refused() -> AwsError:
    """EventBridge Scheduler (REST-JSON): its errors carry `Message`, capitalised."""
    return AwsError(400, "ValidationException", {"Message": SCHEDULER_ROLE_MESSAGE})


# --- pieces -----------------------------------------------------------------------------------


class TokenBucket:
    """A thread-safe token bucket: `take()` is False when the caller is over the rate."""

    def __init__(self, spec: BucketSpec) -> None:
        self.spec = spec
        self.tokens = float(spec.capacity)
        self.stamp = time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(
                float(self.spec.capacity),
                self.tokens + (now - self.stamp) * self.spec.refill_per_second,
            )
            self.stamp = now
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return True
            return False


class Buckets:
    """One bucket per (account, region), as AWS counts its quotas."""

    def __init__(self, spec: BucketSpec) -> None:
        self.spec = spec
        self.buckets: dict[tuple[str, str], TokenBucket] = {}
        self.lock = threading.Lock()

    def take(self, account: str, region: str) -> bool:
        with self.lock:
            bucket = self.buckets.setdefault((account, region), TokenBucket(self.spec))
        return bucket.take()


@dataclass
class UpdateWindow:
    """A Lambda update in progress: until `until` (monotonic), `previous` is what runs."""

    until: float
    previous: Any


def invocation_view(function: Any) -> Any:
    """The function as an invocation sees it: during an update, the configuration before it.

    Used by the launcher's bridge; without strict mode no function has a window, so this is the
    function itself.
    """
    window = getattr(function, UPDATE_ATTR, None)
    if window is not None and window.until > time.monotonic():
        return window.previous
    return function


# Credentials of the functions' execution roles, issued as Lambda issues them (strict mode only):
# (function ARN, role ARN) -> (monotonic expiry, the variables). Reused until 5 minutes before
# they expire, as Lambda refreshes them.
_ROLE_CREDENTIALS: dict[tuple[str, str], tuple[float, dict[str, str]]] = {}
_ISSUE_ROLE_CREDENTIALS = False
ROLE_CREDENTIALS_SECONDS = 3600


def function_credentials(function: Any) -> dict[str, str] | None:
    """Temporary credentials of the function's execution role (moto STS AssumeRole), as the
    variables Lambda gives the runtime: `AWS_ACCESS_KEY_ID` (an `ASIA...` key),
    `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`. `None` without strict mode (the runtime's test
    keys stay) or when the function has no role."""
    if not _ISSUE_ROLE_CREDENTIALS:
        return None
    role_arn = str(getattr(function, "role", "") or "")
    if not role_arn:
        return None
    key = (str(function.function_arn), role_arn)
    now = time.monotonic()
    cached = _ROLE_CREDENTIALS.get(key)
    if cached is not None and cached[0] - 300 > now:
        return cached[1]
    from moto.sts.models import sts_backends
    from moto.utilities.utils import get_partition

    account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else str(function.account_id)
    backend = sts_backends[account][get_partition(function.region)]
    assumed = backend.assume_role(
        region_name=function.region,
        role_session_name=str(function.function_name)[:64],
        role_arn=role_arn,
        policy=None,
        duration=ROLE_CREDENTIALS_SECONDS,
        external_id=None,
    )
    variables = {
        "AWS_ACCESS_KEY_ID": assumed.access_key_id,
        "AWS_SECRET_ACCESS_KEY": assumed.secret_access_key,
        "AWS_SESSION_TOKEN": assumed.session_token,
    }
    _ROLE_CREDENTIALS[key] = (now + ROLE_CREDENTIALS_SECONDS, variables)
    return variables


def snapshot(function: Any) -> Any:
    """A shallow copy of a LambdaFunction as it is now (updates replace its fields, never mutate
    them, apart from the `code` dict, which is copied too)."""
    previous = copy.copy(function)
    previous.__dict__.pop(UPDATE_ATTR, None)
    previous.__dict__.pop(PENDING_ATTR, None)
    if isinstance(getattr(function, "code", None), dict):
        previous.code = dict(function.code)
    return previous


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def parse_policy(document: Any) -> dict[str, Any] | None:
    """A trust policy as moto stored it (a JSON string, sometimes still URL-encoded, or a dict)."""
    if isinstance(document, dict):
        return document
    if not isinstance(document, str):
        return None
    for text in (document, urllib.parse.unquote(document)):
        try:
            parsed = json.loads(text)
        except ValueError:
            continue
        return parsed if isinstance(parsed, dict) else None
    return None


def trust_allows(document: Any, principal: str, region: str) -> bool:
    """True when the trust policy lets the service principal (global or regional) sts:AssumeRole.

    Conditions (e.g. `aws:SourceAccount`, which the deployer sets for Step Functions and
    Scheduler) are not evaluated: the services send the values that satisfy them. An explicit
    Deny wins over an Allow, as in IAM.
    """
    policy = parse_policy(document)
    if policy is None:
        return False
    service = principal.split(".", 1)[0]
    accepted = {principal, f"{service}.{region}.amazonaws.com"}
    allowed = False
    for statement in as_list(policy.get("Statement")):
        if not isinstance(statement, dict):
            continue
        actions = [str(a).lower() for a in as_list(statement.get("Action"))]
        if not any(fnmatch.fnmatchcase("sts:assumerole", action) for action in actions):
            continue
        if not principal_matches(statement.get("Principal"), accepted):
            continue
        effect = str(statement.get("Effect", ""))
        if effect == "Deny":
            return False
        if effect == "Allow":
            allowed = True
    return allowed


def principal_matches(principal: Any, accepted: set[str]) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    if "*" in as_list(principal.get("AWS")):
        return True
    return any(service in accepted for service in as_list(principal.get("Service")))


def require(owner: Any, name: str) -> Callable[..., Any]:
    """The attribute to wrap; refuses to start when moto no longer has it."""
    attribute = getattr(owner, name, None)
    if attribute is None or not callable(attribute):
        raise SystemExit(
            f"{owner.__module__}.{owner.__name__}.{name} is gone: strict mode (moto_strict.py) "
            "needs updating for this moto version"
        )
    return attribute


def log(message: str) -> None:
    import sys

    print(f"moto_strict: {message}", file=sys.stderr, flush=True)


# --- installation -----------------------------------------------------------------------------


def install(config: StrictConfig) -> None:
    """Patches moto's handlers and models; call before the server starts."""
    import moto
    from moto.awslambda import models as lambda_models
    from moto.awslambda import responses as lambda_responses
    from moto.awslambda.exceptions import UnknownFunctionException
    from moto.core.utils import utcnow
    from moto.iam import models as iam_models
    from moto.iam.exceptions import NotFoundException as IAMNotFoundException
    from moto.scheduler import responses as scheduler_responses
    from moto.stepfunctions import responses as sfn_responses

    if moto.__version__ != EXPECTED_MOTO_VERSION:
        raise SystemExit(
            f"moto {moto.__version__} is installed but strict mode was written for moto "
            f"{EXPECTED_MOTO_VERSION}: pin it in scripts/requirements.txt and run scripts/setup"
        )

    LambdaResponse = lambda_responses.LambdaResponse
    LambdaFunction = lambda_models.LambdaFunction
    LambdaBackend = lambda_models.LambdaBackend
    IAMBackend = iam_models.IAMBackend
    SfnResponse = sfn_responses.StepFunctionResponse
    SchedulerResponse = scheduler_responses.EventBridgeSchedulerResponse

    # Look everything up before patching anything: all or nothing.
    originals = {
        (LambdaResponse, name): require(LambdaResponse, name)
        for name in (
            "create_function",
            "update_function_configuration",
            "update_function_code",
            "publish_version",
            "invoke",
        )
    }
    originals.update(
        {
            (LambdaFunction, "get_configuration"): require(LambdaFunction, "get_configuration"),
            (LambdaBackend, "create_function"): require(LambdaBackend, "create_function"),
            (LambdaBackend, "get_function"): require(LambdaBackend, "get_function"),
            (IAMBackend, "create_role"): require(IAMBackend, "create_role"),
            (IAMBackend, "get_role_by_arn"): require(IAMBackend, "get_role_by_arn"),
        }
    )
    for name in (
        "create_state_machine",
        "update_state_machine",
        "describe_execution",
        "get_execution_history",
    ):
        originals[(SfnResponse, name)] = require(SfnResponse, name)
    for name in ("create_schedule", "update_schedule"):
        originals[(SchedulerResponse, name)] = require(SchedulerResponse, name)
    if not hasattr(iam_models, "iam_backends"):
        raise SystemExit("moto.iam.models.iam_backends is gone: strict mode needs updating")
    for attribute in ("create_date", "assume_role_policy_document"):
        if f"self.{attribute} =" not in _source(iam_models.Role):
            raise SystemExit(
                f"moto's IAM Role no longer sets `{attribute}`: strict mode needs updating"
            )

    global _ISSUE_ROLE_CREDENTIALS
    _ISSUE_ROLE_CREDENTIALS = True

    def original(owner: Any, name: str) -> Callable[..., Any]:
        return originals[(owner, name)]

    def patch(owner: Any, name: str, replacement: Callable[..., Any]) -> None:
        replacement.__name__ = name
        replacement.__qualname__ = f"{owner.__name__}.{name}"
        replacement.__doc__ = f"strict mode around moto's {owner.__name__}.{name}"
        setattr(owner, name, replacement)

    # -- IAM: when each role was created, on a clock that does not jump -------------------------

    def create_role(self: Any, *args: Any, **kwargs: Any) -> Any:
        role = original(IAMBackend, "create_role")(self, *args, **kwargs)
        setattr(role, ROLE_CREATED_ATTR, time.monotonic())
        return role

    patch(IAMBackend, "create_role", create_role)

    def role_usable(role_arn: Any, principal: str, region: str) -> bool | None:
        """True / False whether `principal` may assume the role now; None for a malformed ARN,
        which the service's own validation answers."""
        if not isinstance(role_arn, str):
            return None
        match = ROLE_ARN.match(role_arn)
        if match is None:
            return None
        partition, account = match.group(1), match.group(2)
        try:
            role = iam_models.iam_backends[account][partition].get_role_by_arn(role_arn)
        except (IAMNotFoundException, KeyError):
            return False
        created = getattr(role, ROLE_CREATED_ATTR, None)
        if created is not None:
            age = time.monotonic() - created
        else:  # created some other way (e.g. CloudFormation): moto's naive-UTC timestamp
            age = (utcnow() - role.create_date).total_seconds()
        if age < config.role_propagation:
            return False
        return trust_allows(role.assume_role_policy_document, principal, region)

    # -- Lambda -----------------------------------------------------------------------------

    lock = threading.RLock()  # serialises check-and-start of updates

    def function_or_none(response: Any, name: str, qualifier: str | None) -> Any:
        try:
            return response.backend.get_function(name, qualifier)
        except UnknownFunctionException:
            return None  # moto's own handler answers the 404

    def refuse_if_busy(function: Any) -> None:
        now = time.monotonic()
        if getattr(function, PENDING_ATTR, 0.0) > now:
            raise lambda_error(409, "ResourceConflictException", PENDING_MESSAGE)
        window = getattr(function, UPDATE_ATTR, None)
        if window is not None and window.until > now:
            raise lambda_error(
                409,
                "ResourceConflictException",
                UPDATE_IN_PROGRESS_MESSAGE.format(arn=function.function_arn),
            )

    def check_lambda_role(response: Any, role_arn: Any) -> None:
        if role_usable(role_arn, LAMBDA_PRINCIPAL, response.region) is False:
            raise lambda_error(400, "InvalidParameterValueException", LAMBDA_ROLE_MESSAGE)

    def create_function(self: Any) -> Any:
        check_lambda_role(self, self.json_body.get("Role"))
        return original(LambdaResponse, "create_function")(self)

    def backend_create_function(self: Any, spec: dict[str, Any]) -> Any:
        function = original(LambdaBackend, "create_function")(self, spec)
        until = time.monotonic() + config.update_latency
        setattr(function, PENDING_ATTR, until)
        try:  # with Publish, moto answers a copy: the stored $LATEST is the one that counts
            stored = original(LambdaBackend, "get_function")(self, function.function_name, None)
            setattr(stored, PENDING_ATTR, until)
        except UnknownFunctionException:
            pass
        return function

    def updating(handler_name: str, checks_role: bool) -> Callable[[Any], Any]:
        def handler(self: Any) -> Any:
            name = urllib.parse.unquote(self.path.rsplit("/", 2)[-2])
            qualifier = self._get_param("Qualifier", None)
            if checks_role and "Role" in self.json_body:
                check_lambda_role(self, self.json_body["Role"])
            function = function_or_none(self, name, qualifier)
            if function is None:
                return original(LambdaResponse, handler_name)(self)
            with lock:
                refuse_if_busy(function)
                previous = snapshot(function)
                window = UpdateWindow(time.monotonic() + config.update_latency, previous)
                # Set before the update runs, so its own answer already says InProgress.
                setattr(function, UPDATE_ATTR, window)
                try:
                    return original(LambdaResponse, handler_name)(self)
                except BaseException:
                    # The update did not happen: no window (moto validates before it assigns).
                    function.__dict__.pop(UPDATE_ATTR, None)
                    raise

        return handler

    def publish_version(self: Any) -> Any:
        function = function_or_none(self, urllib.parse.unquote(self.path.split("/")[-2]), None)
        if function is not None:
            refuse_if_busy(function)
        return original(LambdaResponse, "publish_version")(self)

    invoke_buckets = Buckets(config.invoke) if config.invoke is not None else None

    def invoke(self: Any) -> Any:
        throttled = invoke_buckets is not None and not invoke_buckets.take(
            self.current_account, self.region
        )
        if throttled:
            raise lambda_error(
                429,
                "TooManyRequestsException",
                LAMBDA_THROTTLE_MESSAGE,
                Reason="CallerRateLimitExceeded",
            )
        name = urllib.parse.unquote(self.path.rsplit("/", 2)[-2])
        function = function_or_none(self, name, self._get_param("qualifier"))
        if function is not None and getattr(function, PENDING_ATTR, 0.0) > time.monotonic():
            raise lambda_error(409, "ResourceConflictException", PENDING_MESSAGE)
        return original(LambdaResponse, "invoke")(self)

    def get_configuration(self: Any, on_create: bool = False) -> dict[str, Any]:
        config_out = original(LambdaFunction, "get_configuration")(self, on_create)
        now = time.monotonic()
        if getattr(self, PENDING_ATTR, 0.0) > now:
            config_out["State"] = "Pending"
            config_out["StateReason"] = CREATING_REASON
            config_out["StateReasonCode"] = "Creating"
            config_out.pop("LastUpdateStatus", None)
            return config_out
        window = getattr(self, UPDATE_ATTR, None)
        if window is not None and window.until > now:
            config_out["LastUpdateStatus"] = "InProgress"
            config_out["LastUpdateStatusReason"] = CREATING_REASON
            config_out["LastUpdateStatusReasonCode"] = "Creating"
        return config_out

    patch(LambdaResponse, "create_function", create_function)
    patch(LambdaBackend, "create_function", backend_create_function)
    patch(
        LambdaResponse,
        "update_function_configuration",
        updating("update_function_configuration", True),
    )
    patch(LambdaResponse, "update_function_code", updating("update_function_code", False))
    patch(LambdaResponse, "publish_version", publish_version)
    patch(LambdaResponse, "invoke", invoke)
    patch(LambdaFunction, "get_configuration", get_configuration)

    # -- Step Functions ----------------------------------------------------------------------

    def states_role_gate(handler_name: str) -> Callable[[Any], Any]:
        def handler(self: Any) -> Any:
            role_arn = self._get_param("roleArn")
            if role_usable(role_arn, STATES_PRINCIPAL, self.region) is False:
                raise states_access_denied()
            return original(SfnResponse, handler_name)(self)

        return handler

    def throttled(handler_name: str, spec: BucketSpec) -> Callable[[Any], Any]:
        buckets = Buckets(spec)

        def handler(self: Any) -> Any:
            if not buckets.take(self.current_account, self.region):
                raise states_throttled()
            return original(SfnResponse, handler_name)(self)

        return handler

    patch(SfnResponse, "create_state_machine", states_role_gate("create_state_machine"))
    patch(SfnResponse, "update_state_machine", states_role_gate("update_state_machine"))
    patch(
        SfnResponse,
        "describe_execution",
        throttled("describe_execution", config.describe_execution),
    )
    patch(
        SfnResponse,
        "get_execution_history",
        throttled("get_execution_history", config.execution_history),
    )

    # -- EventBridge Scheduler ---------------------------------------------------------------

    def scheduler_role_gate(handler_name: str) -> Callable[[Any], Any]:
        def handler(self: Any) -> Any:
            target = self._get_param("Target") or {}
            role_arn = target.get("RoleArn") if isinstance(target, dict) else None
            if role_usable(role_arn, SCHEDULER_PRINCIPAL, self.region) is False:
                raise scheduler_role_refused()
            return original(SchedulerResponse, handler_name)(self)

        return handler

    patch(SchedulerResponse, "create_schedule", scheduler_role_gate("create_schedule"))
    patch(SchedulerResponse, "update_schedule", scheduler_role_gate("update_schedule"))

    def rate(spec: BucketSpec | None) -> str:
        return "off" if spec is None else f"{spec.capacity:g} then {spec.refill_per_second:g}/s"

    log(
        f"strict mode: role propagation {config.role_propagation:g} s, Lambda update latency "
        f"{config.update_latency:g} s, DescribeExecution {rate(config.describe_execution)}, "
        f"GetExecutionHistory {rate(config.execution_history)}, Invoke {rate(config.invoke)}"
    )


def _source(cls: Any) -> str:
    import inspect

    return inspect.getsource(cls)
