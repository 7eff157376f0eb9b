"""Starts moto's server for the local stack, optionally with a Lambda bridge.

moto cannot run Lambda code without Docker and offers no hook for another executor, so with
`--bridge URL` this launcher replaces one method, `moto.awslambda.models.LambdaFunction.invoke`,
before the server starts. Every path that runs a function reaches that method: the Invoke API
(`responses.invoke` -> `LambdaBackend.invoke` -> `LambdaFunction.invoke`) and the Step Functions
`arn:aws:states:::lambda:invoke` and `aws-sdk:lambda:invoke` tasks (moto's interpreter calls the
Invoke API of this same server through boto3 at localhost:$MOTO_PORT). The replacement forwards the
invocation to the local Lambda runtime (`local-stack/src/runtime`, POST {bridge}/invoke) with the
function's current configuration and code, and answers as Lambda does: the payload, and on failure
the `X-Amz-Function-Error: Unhandled` header with the error JSON as the payload.

With `--strict` (module `moto_strict`, beside this file) moto also gets AWS's timing: new IAM roles
cannot be used by services for a while, Lambda updates stay InProgress for a while (the bridge then
runs the configuration from before the update, see `moto_strict.invocation_view`), and Step
Functions' DescribeExecution / GetExecutionHistory (and optionally Lambda Invoke) are throttled.

The launcher dies with its parent: it exits when its stdin reaches EOF (the parent holds the write
end; the kernel closes it when the parent dies, whatever the cause) or when its parent pid changes.

With `--ready-file PATH` the launcher writes its pid to PATH once moto's server holds the port.
Until then the port may answer from another process (a second launcher given the same free port
binds second and exits, but its parent's probe would reach the first one's moto): the parent
probes only after this file appears.

Usage: python moto_launcher.py --port P [--ready-file PATH] [--bridge http://127.0.0.1:Q]
                               [--code-cache DIR]
                               [--strict [--role-propagation S] [--update-latency S] ...]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import inspect
import io
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zipfile

import moto_sdk_params
import moto_strict
import moto_task_auth

# The moto version whose internals the bridge patch was written against. Another version may have
# moved `LambdaFunction.invoke`; the launcher refuses to start rather than silently not bridging.
EXPECTED_MOTO_VERSION = "5.2.5"

# Extra seconds the bridge waits for the runtime beyond the function's own timeout (cold start,
# process spawn and the runtime's own timeout answer).
BRIDGE_GRACE_SECONDS = 30


def log(message: str) -> None:
    print(f"moto_launcher: {message}", file=sys.stderr, flush=True)


def die_with_parent() -> None:
    """Exits this process when the parent dies or closes our stdin."""
    parent = os.getppid()

    def watch_stdin() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except Exception:  # noqa: BLE001 - any failure to read means the parent is gone
            pass
        log("stdin closed: parent gone, exiting")
        os._exit(0)

    def watch_ppid() -> None:
        while True:
            time.sleep(1)
            if os.getppid() != parent:
                log("parent changed: exiting")
                os._exit(0)

    threading.Thread(target=watch_stdin, name="stdin-watch", daemon=True).start()
    threading.Thread(target=watch_ppid, name="ppid-watch", daemon=True).start()


def signal_ready_when_bound(path: str) -> None:
    """Writes this pid to `path` once werkzeug's server has bound its port.

    moto's `main` binds inside werkzeug's `run_simple`, which calls `werkzeug.serving.make_server`
    (binding in its constructor, exiting with "Address already in use" if another process holds
    the port); wrapping that function is the one point between the bind and `serve_forever`.
    """
    import werkzeug.serving

    make_server = werkzeug.serving.make_server

    def make_server_then_signal(*args, **kwargs):  # type: ignore[no-untyped-def]
        server = make_server(*args, **kwargs)
        partial = path + ".partial"
        with open(partial, "w", encoding="utf-8") as f:
            f.write(str(os.getpid()))
        os.replace(partial, path)
        return server

    werkzeug.serving.make_server = make_server_then_signal


class CodeCache:
    """Extracts function zips once per code hash, so the runtime gets a directory with `bootstrap`."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.lock = threading.Lock()
        os.makedirs(root, exist_ok=True)

    def directory_for(self, code_bytes: bytes, sha: str | None) -> tuple[str, str]:
        if not sha or not all(c in "0123456789abcdef" for c in sha):
            sha = hashlib.sha256(code_bytes).hexdigest()
        target = os.path.join(self.root, sha)
        with self.lock:
            if not os.path.isdir(target):
                staging = tempfile.mkdtemp(dir=self.root, prefix=".staging-")
                try:
                    with zipfile.ZipFile(io.BytesIO(code_bytes)) as archive:
                        for info in archive.infolist():
                            path = archive.extract(info, staging)
                            # Zip files carry the Unix mode in the high 16 bits of external_attr.
                            mode = (info.external_attr >> 16) & 0o777
                            if mode and not info.is_dir():
                                os.chmod(path, mode)
                    bootstrap = os.path.join(staging, "bootstrap")
                    if os.path.isfile(bootstrap):
                        os.chmod(bootstrap, os.stat(bootstrap).st_mode | 0o755)
                    os.rename(staging, target)
                except Exception:
                    shutil.rmtree(staging, ignore_errors=True)
                    raise
        return target, sha


# The attribute counting a function's updates (see `install_bridge`).
REVISION_ATTR = "_local_stack_revision"


def install_bridge(bridge_url: str, cache: CodeCache) -> None:
    import moto
    from moto.awslambda import models

    if moto.__version__ != EXPECTED_MOTO_VERSION:
        raise SystemExit(
            f"moto {moto.__version__} is installed but the Lambda bridge was written for moto "
            f"{EXPECTED_MOTO_VERSION}: pin it in scripts/requirements.txt and run scripts/setup"
        )
    original = getattr(models.LambdaFunction, "invoke", None)
    if original is None or not callable(original):
        raise SystemExit("moto.awslambda.models.LambdaFunction.invoke is gone: the bridge needs updating")
    source = inspect.getsource(models.LambdaFunction)
    for attribute in ("code_bytes", "memory_size", "timeout", "environment_vars", "function_arn"):
        if f"self.{attribute} =" not in source:
            raise SystemExit(f"LambdaFunction no longer sets `{attribute}`: the bridge needs updating")

    endpoint = bridge_url.rstrip("/") + "/invoke"

    # Each configuration or code update makes a new revision of the function: as on Lambda, its
    # invocations never reuse a sandbox of an earlier revision, even when the values went back
    # (512 -> 1024 -> 512 MB). The runtime keys its environments by this number too.
    for method in ("update_configuration", "update_function_code"):
        updater = getattr(models.LambdaFunction, method, None)
        if updater is None or not callable(updater):
            raise SystemExit(f"LambdaFunction.{method} is gone: the bridge needs updating")

        def counted(self, *args, _updater=updater, **kwargs):  # type: ignore[no-untyped-def]
            result = _updater(self, *args, **kwargs)
            setattr(self, REVISION_ATTR, getattr(self, REVISION_ATTR, 0) + 1)
            return result

        setattr(models.LambdaFunction, method, counted)

    def bridged_invoke(self, body, request_headers, response_headers):  # type: ignore[no-untyped-def]
        """Replacement of LambdaFunction.invoke: runs the function in the local runtime."""
        # While a strict-mode update is in progress, invocations run the previous configuration
        # and code, as on AWS; otherwise (and without strict mode) this is the function itself.
        function = moto_strict.invocation_view(self)
        if isinstance(body, bytes):
            body = body.decode("utf-8")
        payload = body if body else "{}"
        code_bytes = getattr(function, "code_bytes", b"") or b""
        if not code_bytes:
            return error_answer(
                response_headers,
                "Runtime.InvalidEntrypoint",
                f"function {function.function_name} has no zip code (image functions are not bridged)",
            )
        try:
            code_dir, code_sha = cache.directory_for(code_bytes, getattr(function, "code_digest", None))
        except zipfile.BadZipFile as error:
            return error_answer(response_headers, "Runtime.InvalidEntrypoint", f"bad code zip: {error}")
        request = {
            "functionName": function.function_name,
            "functionArn": function.function_arn,
            "version": str(function.version),
            "memorySize": int(function.memory_size),
            "timeout": int(function.timeout),
            "environment": {str(k): str(v) for k, v in (function.environment_vars or {}).items()},
            "runtime": str(function.run_time or "provided.al2023"),
            "handler": str(function.handler or "bootstrap"),
            "codeDir": code_dir,
            "codeSha256": code_sha,
            "revision": int(getattr(function, REVISION_ATTR, 0)),
            "region": function.region,
            "payload": payload,
        }
        credentials = moto_strict.function_credentials(function)
        if credentials is not None:
            request["credentials"] = credentials
        data = json.dumps(request).encode("utf-8")
        http_request = urllib.request.Request(
            endpoint, data=data, method="POST", headers={"content-type": "application/json"}
        )
        try:
            with urllib.request.urlopen(
                http_request, timeout=int(function.timeout) + BRIDGE_GRACE_SECONDS
            ) as response:
                answer = json.loads(response.read().decode("utf-8"))
        except (urllib.error.URLError, OSError, ValueError) as error:
            log(f"bridge call to {endpoint} failed: {error}")
            return error_answer(
                response_headers,
                "Runtime.BridgeUnavailable",
                f"the local Lambda runtime at {endpoint} did not answer: {error}",
            )
        if answer.get("functionError"):
            response_headers["x-amz-function-error"] = answer["functionError"]
        logs = answer.get("logTail") or ""
        inv_type = (request_headers or {}).get("x-amz-invocation-type", "RequestResponse")
        if inv_type == "RequestResponse":
            response_headers["x-amz-log-result"] = base64.b64encode(logs.encode("utf-8")).decode(
                "utf-8"
            )
        return (answer.get("payload") or "").encode("utf-8")

    models.LambdaFunction.invoke = bridged_invoke
    log(f"Lambda invoke bridged to {endpoint}")


def error_answer(response_headers, error_type: str, message: str) -> bytes:  # type: ignore[no-untyped-def]
    response_headers["x-amz-function-error"] = "Unhandled"
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--ready-file", help="written (with this pid) once the port is bound")
    parser.add_argument("--bridge", help="URL of the local Lambda runtime")
    parser.add_argument("--code-cache", help="where function zips are extracted (default: a temp dir)")
    moto_strict.add_arguments(parser)
    args = parser.parse_args()
    strict = moto_strict.config_from_args(parser, args)

    if os.environ.get("MOTO_PORT") != str(args.port):
        raise SystemExit("MOTO_PORT must equal --port: moto's Step Functions interpreter calls it back")

    die_with_parent()
    moto_sdk_params.install()
    moto_sdk_params.install_history_paging()
    moto_sdk_params.install_session_lookup()
    if args.bridge:
        cache_root = args.code_cache or os.path.join(tempfile.gettempdir(), "local-stack-code")
        install_bridge(args.bridge, CodeCache(cache_root))
    if strict is not None:
        moto_strict.install(strict)
        if args.bridge:
            moto_task_auth.install(args.bridge)

    if args.ready_file:
        signal_ready_when_bound(args.ready_file)
    from moto.server import main as moto_main

    try:
        moto_main(["--host", args.host, "--port", str(args.port)])
    except SystemExit as stop:
        # werkzeug exits this way when the port is taken. A plain exit would abort in Python's
        # shutdown (the stdin watch thread holds stdin's lock): leave at once, with the code.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(stop.code if isinstance(stop.code, int) else 1)


if __name__ == "__main__":
    main()
