"""The Python peer of the S3 reader: asyncio + aioboto3, written the way a Python expert would.

Lists a prefix (every page) and reads every object to its end, either one after another
(sequential) or concurrently: one aioboto3 client, one aiohttp connection pool of size C
(`max_pool_connections`), and at most C requests in flight (an asyncio.Semaphore).

Usage: python reader.py '<reader event JSON>'   (contract 2 in docs/ARCHITECTURE.md)
The endpoint comes from the standard AWS variables (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL).
Prints one result JSON line on stdout, the same shape as the Rust reader's.
"""

import asyncio
import json
import os
import platform
import sys
import time

import aioboto3
from aiobotocore.config import AioConfig
from botocore.exceptions import BotoCoreError, ClientError


class BadEvent(Exception):
    """The event names a field the reader cannot use; the message says which and how to fix it."""


def parse_event(raw):
    try:
        event = json.loads(raw)
    except json.JSONDecodeError as err:
        raise BadEvent(f"the event is not JSON ({err}); pass one JSON object") from err
    if not isinstance(event, dict):
        raise BadEvent("the event must be a JSON object")
    bucket = event.get("s3_bucket_name")
    if not bucket:
        raise BadEvent("s3_bucket_name is missing; set it to the bucket holding the objects")
    mode = event.get("mode") or "concurrent"
    if mode not in ("concurrent", "sequential"):
        raise BadEvent(f"mode '{mode}' is unknown; use 'concurrent' or 'sequential'")
    concurrency = event.get("concurrency", 64)
    if not isinstance(concurrency, int) or concurrency < 1:
        raise BadEvent(f"concurrency {concurrency!r} must be a whole number >= 1")
    if mode == "sequential":
        concurrency = 1
    return {
        "bucket": bucket,
        "folder": event.get("folder") or "",
        "find": event.get("find"),
        "mode": mode,
        "concurrency": concurrency,
    }


def percentile(sorted_values, fraction):
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


async def list_keys(s3, bucket, folder):
    keys = []
    paginator = s3.get_paginator("list_objects_v2")
    pages = 0
    async for page in paginator.paginate(Bucket=bucket, Prefix=folder):
        pages += 1
        keys.extend(item["Key"] for item in page.get("Contents", []))
    return keys, pages


class Tally:
    """What the reads found: bytes, per-GET latency, errors, the key holding `find`."""

    def __init__(self, find):
        self.find = find.encode() if find else None
        self.found = None
        self.bytes = 0
        self.errors = 0
        self.latencies_ms = []

    async def read_one(self, s3, bucket, key):
        started = time.perf_counter()
        try:
            response = await s3.get_object(Bucket=bucket, Key=key)
            async with response["Body"] as stream:
                body = await stream.read()
        except (ClientError, BotoCoreError, OSError, asyncio.TimeoutError) as err:
            self.errors += 1
            print(f"GET {key} failed: {err}", file=sys.stderr)
            return
        self.latencies_ms.append((time.perf_counter() - started) * 1000.0)
        self.bytes += len(body)
        if self.find is not None and self.found is None and self.find in body:
            self.found = key


async def read_sequential(s3, bucket, keys, tally):
    for key in keys:
        await tally.read_one(s3, bucket, key)


async def read_concurrent(s3, bucket, keys, tally, concurrency):
    semaphore = asyncio.Semaphore(concurrency)

    async def bounded(key):
        async with semaphore:
            await tally.read_one(s3, bucket, key)

    await asyncio.gather(*(bounded(key) for key in keys))


async def run(event):
    session = aioboto3.Session()
    config = AioConfig(
        max_pool_connections=event["concurrency"],
        s3={"addressing_style": "path"},
        retries={"mode": "standard", "max_attempts": 3},
        # As the Rust SDK reader: no CRC over every body (GetObject's default asks for one).
        response_checksum_validation="when_required",
    )
    # One client for the whole run, built before the timer (a cold pool, as the Rust reader does).
    async with session.client("s3", config=config) as s3:
        started = time.perf_counter()
        keys, pages = await list_keys(s3, event["bucket"], event["folder"])
        listed = time.perf_counter()
        tally = Tally(event["find"])
        if event["mode"] == "sequential":
            await read_sequential(s3, event["bucket"], keys, tally)
        else:
            await read_concurrent(s3, event["bucket"], keys, tally, event["concurrency"])
        finished = time.perf_counter()
    return result_json(event, keys, pages, tally, started, listed, finished)


def result_json(event, keys, pages, tally, started, listed, finished):
    if event["find"]:
        result = tally.found or "None"
    else:
        result = str(len(keys) - tally.errors)
    latencies = sorted(tally.latencies_ms)
    return {
        "lang": "python",
        "detail": f"python {platform.python_version()}, asyncio, aioboto3 {aioboto3.__version__}, "
        f"semaphore {event['concurrency']}, pool {event['concurrency']}",
        "result": result,
        "time": finished - started,
        "stats": {
            "memoryMb": int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "0") or 0),
            "vcpus": len(os.sched_getaffinity(0)),
            "arch": platform.machine(),
            "mode": event["mode"],
            "concurrency": event["concurrency"],
            "objects": len(keys),
            "bytes": tally.bytes,
            "listMs": (listed - started) * 1000.0,
            "readMs": (finished - listed) * 1000.0,
            "totalMs": (finished - started) * 1000.0,
            "latencyMs": {
                "p50": percentile(latencies, 0.50),
                "p90": percentile(latencies, 0.90),
                "p99": percentile(latencies, 0.99),
                "max": latencies[-1] if latencies else 0.0,
            },
            "retries": 0,
            "errors": tally.errors,
            "coldStart": True,
            "reusedConnections": False,
            "listRequests": pages,
            "getRequests": len(keys),
        },
    }


def main():
    if len(sys.argv) != 2:
        print("usage: reader.py '<reader event JSON>'", file=sys.stderr)
        return 2
    try:
        event = parse_event(sys.argv[1])
    except BadEvent as err:
        print(f"InvalidEvent: {err}", file=sys.stderr)
        return 2
    try:
        result = asyncio.run(run(event))
    except (ClientError, BotoCoreError, OSError) as err:
        print(f"S3Error: {err}", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0 if result["stats"]["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
