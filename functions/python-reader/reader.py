"""The Python S3 reader: an AWS Lambda function (python3.13, handler `reader.lambda_handler`).

Contract 2 of docs/ARCHITECTURE.md: lists a prefix (every page) and reads every object to its
end with aioboto3 on asyncio, either one object after another (`sequential`) or with
`concurrency` objects in flight (`concurrent`, the default). Answers the seed's four fields
(`lang`, `detail`, `result`, `time`) plus `stats`, the camelCase fields of `ReaderStats` in
functions/bench-types/src/reader.rs.

Also a command line, which is how s3-bench runs its readers:

    python reader.py '<reader event JSON>'

prints one result JSON line on stdout (exit 0; 1 when a GET failed, or on ListFailed and
ClientSetup, with the message on stderr; 2 for a bad event). The endpoint comes from
AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, the memory size from AWS_LAMBDA_FUNCTION_MEMORY_SIZE.

Where the time goes: with aiobotocore, every GET costs about 1-2 ms of CPU in the SDK itself
(endpoint rules, signing, hooks, response parsing), so at a fraction of a vCPU the reader is
bound by its own CPU. Hence: one session and one event loop for the life of the process (the
Lambda init phase builds them, and a first client, so that no invocation pays for loading the
S3 model); `concurrency` worker coroutines pulling keys from one queue of keys (not a coroutine
per object behind a semaphore); no CRC over each body; timestamps left unparsed (the reader never
looks at them); the listing's later pages fetched while the first page's objects are read.
"""

import asyncio
import json
import os
import platform
import sys
import time

import aioboto3
import aiobotocore
from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession
from botocore.exceptions import BotoCoreError, ClientError

DEFAULT_CONCURRENCY = 64
MAX_CONCURRENCY = 4096
MAX_ATTEMPTS = 3  # as the Rust reader: the first try and two retries
MODES = ("concurrent", "sequential")
CLIENTS = ("sdk",)


class InvalidEvent(Exception):
    """The event cannot be read as asked; the message names the field and the fix."""


class ListFailed(Exception):
    """Listing the prefix failed after retries (no such bucket, access denied, ...)."""


class ClientSetup(Exception):
    """The S3 client could not be built (no region, bad endpoint, no credentials, ...)."""


# ---------------------------------------------------------------------------------------------
# The event.


def _show(value):
    """A value as it was in the event's JSON."""
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def parse_event(event):
    """The event as a dict of checked values; raises InvalidEvent naming the field."""
    if not isinstance(event, dict):
        raise InvalidEvent(
            f"the event is a {type(event).__name__}, not a JSON object; send a reader event "
            '(e.g. {"s3_bucket_name": "my-bucket", "folder": "bench/1000/"})'
        )
    bucket = event.get("s3_bucket_name")
    if not isinstance(bucket, str) or not bucket.strip():
        raise InvalidEvent(
            "s3_bucket_name is missing or empty; set it to the bucket that holds the objects"
        )
    folder = event.get("folder")
    if folder is None:
        folder = ""
    elif not isinstance(folder, str):
        raise InvalidEvent(f"folder is {_show(folder)}; give a key prefix as a string, or omit it")
    find = event.get("find")
    if find is not None:
        if not isinstance(find, str):
            raise InvalidEvent(f"find is {_show(find)}; give the string to search for, or omit it")
        if not find:
            raise InvalidEvent("find is empty; omit it, or give the string to search for")
    mode = event.get("mode")
    if mode is None or (isinstance(mode, str) and not mode.strip()):
        mode = "concurrent"
    elif isinstance(mode, str) and mode.strip().lower() in MODES:
        mode = mode.strip().lower()
    else:
        raise InvalidEvent(f'mode is {_show(mode)}; use "concurrent" or "sequential"')
    concurrency = event.get("concurrency")
    if concurrency is None:
        concurrency = DEFAULT_CONCURRENCY
    elif isinstance(concurrency, bool) or not isinstance(concurrency, int):
        raise InvalidEvent(
            f"concurrency is {_show(concurrency)}; give a whole number between 1 and "
            f"{MAX_CONCURRENCY}, or omit it ({DEFAULT_CONCURRENCY})"
        )
    elif not 1 <= concurrency <= MAX_CONCURRENCY:
        raise InvalidEvent(
            f"concurrency is {concurrency}; it must be between 1 and {MAX_CONCURRENCY}"
        )
    reuse = event.get("reuse_connections")
    if reuse is None:
        reuse = False
    elif not isinstance(reuse, bool):
        raise InvalidEvent(f"reuse_connections is {_show(reuse)}; give true or false, or omit it")
    client = event.get("client")
    if client is not None and not (isinstance(client, str) and client.strip().lower() in CLIENTS):
        raise InvalidEvent(
            f'client is {_show(client)}; this reader only has the SDK path: use "sdk" or omit it'
        )
    return {
        "bucket": bucket,
        "folder": folder,
        "find": find,
        "mode": mode,
        "concurrency": 1 if mode == "sequential" else concurrency,
        "reuse": reuse,
    }


# ---------------------------------------------------------------------------------------------
# The process-wide state: one session, one event loop, the kept client.


def _endpoint_url():
    return os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or None


def _new_session():
    core = AioSession()
    # The reader never looks at LastModified & co.: keep S3's timestamps as the strings they
    # are instead of parsing each with dateutil (a tenth of the SDK's CPU per GET).
    core.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=str)
    return aioboto3.Session(botocore_session=core)


def _config(pool):
    options = {}
    if _endpoint_url():
        # A custom endpoint (127.0.0.1, moto, the project's local S3) has no per-bucket host
        # names; on AWS, virtual-hosted style (botocore's default) is the normal one.
        options["s3"] = {"addressing_style": "path"}
    return AioConfig(
        max_pool_connections=pool,
        retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS},
        # As the Rust SDK reader: no CRC over every body (GetObject's default asks for one).
        response_checksum_validation="when_required",
        request_checksum_calculation="when_required",
        # Idle connections stay in the pool between warm invocations (reuse_connections).
        connector_args={"keepalive_timeout": 60},
        **options,
    )


class _Counter:
    """Requests sent, retries included, by operation (a `before-send` hook on the client)."""

    def __init__(self):
        self.sent = {"ListObjectsV2": 0, "GetObject": 0}

    def __call__(self, event_name="", **_):
        # Called for every attempt (`before-send.s3.GetObject`); returns None so that the
        # request goes out.
        name = event_name.rpartition(".")[2]
        if name in self.sent:
            self.sent[name] += 1

    def reset(self):
        for name in self.sent:
            self.sent[name] = 0


class _Client:
    """An open aioboto3 S3 client, its pool size and its request counter."""

    def __init__(self, pool):
        self.pool = pool
        self.used = False
        self.counter = _Counter()
        self._context = None
        self.s3 = None

    async def open(self):
        try:
            self._context = _SESSION.client("s3", endpoint_url=_endpoint_url(), config=_config(self.pool))
            self.s3 = await self._context.__aenter__()
        except (BotoCoreError, ClientError, ValueError) as err:
            self._context = None
            raise ClientSetup(
                f"could not build the S3 client: {err} (check AWS_REGION, the credentials and "
                "AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)"
            ) from err
        self.s3.meta.events.register("before-send.s3", self.counter)
        return self

    async def close(self):
        if self._context is not None:
            context, self._context = self._context, None
            await context.__aexit__(None, None, None)


_SESSION = _new_session()
_LOOP = asyncio.new_event_loop()
_KEPT = None  # the client kept for reuse_connections (built at init with the default pool)
_INVOCATIONS = 0

try:
    # Init phase: load the S3 model and build a first client now, not in an invocation. It
    # opens no connection. If it fails, the invocation tries again and reports ClientSetup.
    _KEPT = _LOOP.run_until_complete(_Client(DEFAULT_CONCURRENCY).open())
except ClientSetup:
    _KEPT = None


async def _client_for(request):
    """The client of this invocation and whether to close it afterwards."""
    global _KEPT
    if not request["reuse"]:
        if _KEPT is not None and not _KEPT.used and _KEPT.pool == request["concurrency"]:
            # The init-time client has never sent a request: its pool is as cold as a new
            # one's, so use it (and close it) instead of building a second client.
            client, _KEPT = _KEPT, None
            client.used = True
            return client, True
        client = await _Client(request["concurrency"]).open()
        client.used = True
        return client, True
    if _KEPT is not None and _KEPT.pool != request["concurrency"]:
        await _KEPT.close()
        _KEPT = None
    if _KEPT is None:
        _KEPT = await _Client(request["concurrency"]).open()
    _KEPT.used = True
    return _KEPT, False


# ---------------------------------------------------------------------------------------------
# Reading.


class _Tally:
    """What the reads found."""

    def __init__(self, find):
        self.find = find.encode() if find is not None else None
        self.found = None
        self.objects = 0
        self.bytes = 0
        self.errors = 0
        self.latencies_ms = []
        self.failed = []
        self.pages = 0

    async def read(self, s3, bucket, key):
        started = time.perf_counter()
        try:
            response = await s3.get_object(Bucket=bucket, Key=key)
            async with response["Body"] as stream:
                body = await stream.read()
        except (ClientError, BotoCoreError, OSError, asyncio.TimeoutError) as err:
            self.latencies_ms.append((time.perf_counter() - started) * 1000.0)
            self.errors += 1
            if len(self.failed) < 10:
                self.failed.append(f"GET s3://{bucket}/{key} failed: {err}")
            return
        self.latencies_ms.append((time.perf_counter() - started) * 1000.0)
        self.objects += 1
        self.bytes += len(body)
        if self.find is not None and self.find in body:
            # Deterministic when several objects match: the smallest key wins.
            if self.found is None or key < self.found:
                self.found = key


async def _list_pages(s3, bucket, folder, tally):
    """Yields each page's keys; raises ListFailed naming the bucket, prefix and S3's code."""
    token = None
    while True:
        args = {"Bucket": bucket, "Prefix": folder}
        if token:
            args["ContinuationToken"] = token
        try:
            page = await s3.list_objects_v2(**args)
        except ClientError as err:
            error = err.response.get("Error", {})
            attempts = 1 + err.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
            raise ListFailed(
                f"listing s3://{bucket}/{folder} failed: {error.get('Code', 'unknown')} "
                f"({error.get('Message', err)}) after {attempts} attempt(s); check the bucket "
                "name, the folder and the function's s3:ListBucket permission"
            ) from err
        except (BotoCoreError, OSError, asyncio.TimeoutError) as err:
            raise ListFailed(
                f"listing s3://{bucket}/{folder} failed: {type(err).__name__} ({err}); check "
                "the endpoint and the network"
            ) from err
        tally.pages += 1
        yield [item["Key"] for item in page.get("Contents", ())]
        token = page.get("NextContinuationToken") if page.get("IsTruncated") else None
        if not token:
            return


async def _read_sequential(s3, request, tally, _started):
    list_ms = 0.0
    listed = 0
    pages = _list_pages(s3, request["bucket"], request["folder"], tally)
    while True:
        page_started = time.perf_counter()
        try:
            keys = await anext(pages)
        except StopAsyncIteration:
            break
        finally:
            list_ms += (time.perf_counter() - page_started) * 1000.0
        listed += len(keys)
        for key in keys:
            await tally.read(s3, request["bucket"], key)
    return listed, list_ms


async def _read_concurrent(s3, request, tally, started):
    """`concurrency` workers take keys from one queue; the lister fills it page by page."""
    bucket = request["bucket"]
    queue = asyncio.Queue()
    done = object()
    workers_n = request["concurrency"]
    listed = 0
    list_ms = None

    async def worker():
        read = tally.read
        while True:
            key = await queue.get()
            if key is done:
                return
            await read(s3, bucket, key)

    workers = []
    try:
        async for keys in _list_pages(s3, bucket, request["folder"], tally):
            if list_ms is None:
                list_ms = (time.perf_counter() - started) * 1000.0
            listed += len(keys)
            for key in keys:
                queue.put_nowait(key)
            # Workers start with the first page (no more than there are keys to read), and
            # read it while the next page is listed.
            while len(workers) < workers_n and len(workers) < listed:
                workers.append(asyncio.ensure_future(worker()))
        for _ in workers:
            queue.put_nowait(done)
        await asyncio.gather(*workers)
    except BaseException:
        for task in workers:
            task.cancel()
        raise
    return listed, list_ms or 0.0


def _percentile(values, fraction):
    if not values:
        return 0.0
    index = min(len(values) - 1, max(0, round(fraction * (len(values) - 1))))
    return values[index]


async def _invoke(request, memory_mb, cold_start):
    client, close = await _client_for(request)
    try:
        counter = client.counter
        counter.reset()
        tally = _Tally(request["find"])
        read = _read_sequential if request["mode"] == "sequential" else _read_concurrent
        started = time.perf_counter()
        listed, list_ms = await read(client.s3, request, tally, started)
        elapsed = time.perf_counter() - started
    finally:
        if close:
            await client.close()
    for line in tally.failed:
        print(line, file=sys.stderr)
    total_ms = elapsed * 1000.0
    latencies = sorted(tally.latencies_ms)
    list_requests = counter.sent["ListObjectsV2"]
    get_requests = counter.sent["GetObject"]
    if request["find"] is not None:
        result = tally.found or "None"
    else:
        result = str(tally.objects)
    mode = request["mode"]
    how = "sequential" if mode == "sequential" else f"{request['concurrency']} workers"
    return {
        "lang": "python",
        "detail": (
            f"python {platform.python_version()}, aioboto3 {aioboto3.__version__} "
            f"(aiobotocore {aiobotocore.__version__}), asyncio, {how}, "
            f"pool {request['concurrency']}"
        ),
        "result": result,
        "time": elapsed,
        "stats": {
            "memoryMb": memory_mb,
            "vcpus": os.cpu_count() or 1,
            "arch": platform.machine(),
            "mode": mode,
            "concurrency": request["concurrency"],
            "objects": tally.objects,
            "listed": listed,
            "bytes": tally.bytes,
            "listMs": list_ms,
            "readMs": total_ms - list_ms,
            "totalMs": total_ms,
            "latencyMs": {
                "p50": _percentile(latencies, 0.50),
                "p90": _percentile(latencies, 0.90),
                "p99": _percentile(latencies, 0.99),
                "max": latencies[-1] if latencies else 0.0,
            },
            # Requests sent again: every send beyond the first of each LIST page and GET
            # (the sum of botocore's RetryAttempts, counting GETs that failed for good too).
            "retries": max(0, list_requests - tally.pages) + max(0, get_requests - len(latencies)),
            "errors": tally.errors,
            "coldStart": cold_start,
            "reusedConnections": request["reuse"],
            "client": "sdk",
            "listRequests": list_requests,
            "getRequests": get_requests,
        },
    }


def _memory_mb(context):
    for value in (
        getattr(context, "memory_limit_in_mb", None),
        os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"),
    ):
        try:
            memory = int(str(value).strip())
        except (TypeError, ValueError):
            continue
        if memory > 0:
            return memory
    return 0


def lambda_handler(event, context):
    """The Lambda entry point: reads as the event says and returns the result object."""
    global _INVOCATIONS
    _INVOCATIONS += 1
    cold_start = _INVOCATIONS == 1
    request = parse_event(event)
    return _LOOP.run_until_complete(_invoke(request, _memory_mb(context), cold_start))


def main(argv):
    if len(argv) != 2:
        print("usage: reader.py '<reader event JSON>'", file=sys.stderr)
        return 2
    try:
        event = json.loads(argv[1])
    except json.JSONDecodeError as err:
        print(f"InvalidEvent: the event is not JSON ({err}); pass one JSON object", file=sys.stderr)
        return 2
    try:
        result = lambda_handler(event, None)
    except InvalidEvent as err:
        print(f"InvalidEvent: {err}", file=sys.stderr)
        return 2
    except (ListFailed, ClientSetup) as err:
        print(f"{type(err).__name__}: {err}", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0 if result["stats"]["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
