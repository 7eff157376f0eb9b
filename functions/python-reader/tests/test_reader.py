"""The reader against a real S3-compatible server: moto's, started on 127.0.0.1 by the tests."""

import asyncio
import importlib.util
import json
import os
import socket
import subprocess
import sys
import types
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

HERE = Path(__file__).resolve().parent.parent
READER = HERE / "reader.py"
BUCKET = "bench"
PREFIX = "data/"
# Sizes vary so that a wrong byte count shows; two objects hold the needle.
SIZES = [1000 + 997 * i for i in range(40)]
NEEDLE = b"needle-in-s3"
NEEDLE_KEYS = ["data/obj-017", "data/obj-033"]
MANY = 1003  # more than one page of ListObjectsV2 (1000 keys)

STATS_FIELDS = {
    "memoryMb", "vcpus", "arch", "mode", "concurrency", "objects", "listed", "bytes", "listMs",
    "readMs", "totalMs", "latencyMs", "retries", "errors", "coldStart", "reusedConnections",
    "client", "listRequests", "getRequests",
}


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def endpoint():
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    saved = dict(os.environ)
    os.environ.update(
        AWS_ENDPOINT_URL=url,
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE="128",
    )
    os.environ.pop("AWS_ENDPOINT_URL_S3", None)
    _seed(url)
    try:
        yield url
    finally:
        server.stop()
        os.environ.clear()
        os.environ.update(saved)


def _seed(url):
    s3 = boto3.client(
        "s3", endpoint_url=url, config=Config(s3={"addressing_style": "path"}, max_pool_connections=16)
    )
    s3.create_bucket(Bucket=BUCKET)
    for i, size in enumerate(SIZES):
        key = f"{PREFIX}obj-{i:03d}"
        body = bytearray(b"x" * size)
        if key in NEEDLE_KEYS:
            body[size // 2 : size // 2 + len(NEEDLE)] = NEEDLE
        s3.put_object(Bucket=BUCKET, Key=key, Body=bytes(body))
    s3.put_object(Bucket=BUCKET, Key="other/outside", Body=NEEDLE)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda i: s3.put_object(Bucket=BUCKET, Key=f"many/{i:05d}", Body=b"ab"), range(MANY)))


def _load(name):
    """A fresh copy of reader.py: its own loop, kept client and invocation count."""
    spec = importlib.util.spec_from_file_location(name, READER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def reader(endpoint):
    return _load("reader_under_test")


@pytest.fixture()
def fresh(endpoint, request):
    return _load(f"reader_fresh_{request.node.name}".replace("[", "_").replace("]", "_"))


def _event(**fields):
    return {"s3_bucket_name": BUCKET, "folder": PREFIX, **fields}


def _check_consistent(out, objects, total_bytes):
    stats = out["stats"]
    assert set(stats) == STATS_FIELDS
    assert out["lang"] == "python"
    assert stats["objects"] == objects
    assert stats["listed"] == objects
    assert stats["bytes"] == total_bytes
    assert stats["errors"] == 0
    assert stats["retries"] == 0
    assert stats["getRequests"] == objects
    assert stats["client"] == "sdk"
    lat = stats["latencyMs"]
    assert 0 < lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["max"]
    assert stats["totalMs"] == pytest.approx(out["time"] * 1000.0)
    assert stats["listMs"] + stats["readMs"] == pytest.approx(stats["totalMs"])
    assert 0 < stats["listMs"] < stats["totalMs"]
    assert isinstance(out["time"], float) and out["time"] > 0
    assert stats["vcpus"] == os.cpu_count()
    assert stats["arch"]
    json.dumps(out)  # what Lambda sends back


@pytest.mark.parametrize("mode", ["concurrent", "Sequential", "SEQUENTIAL", None])
def test_reads_every_object_and_reports_it(reader, mode):
    event = _event() if mode is None else _event(mode=mode)
    out = reader.lambda_handler(event, None)
    assert out["result"] == str(len(SIZES))
    _check_consistent(out, len(SIZES), sum(SIZES))
    stats = out["stats"]
    assert stats["listRequests"] == 1
    if mode and mode.lower() == "sequential":
        assert stats["mode"] == "sequential" and stats["concurrency"] == 1
        assert "sequential" in out["detail"]
    else:
        assert stats["mode"] == "concurrent" and stats["concurrency"] == 64
    assert "aioboto3" in out["detail"] and sys.version.split()[0] in out["detail"]


@pytest.mark.parametrize("mode", ["concurrent", "sequential"])
def test_lists_every_page(reader, mode):
    out = reader.lambda_handler(_event(folder="many/", mode=mode, concurrency=32), None)
    assert out["result"] == str(MANY)
    stats = out["stats"]
    assert stats["listed"] == stats["objects"] == stats["getRequests"] == MANY
    assert stats["bytes"] == 2 * MANY
    assert stats["listRequests"] == 2


@pytest.mark.parametrize("mode", ["concurrent", "sequential"])
def test_find_returns_the_smallest_key_holding_the_string(reader, mode):
    out = reader.lambda_handler(_event(find=NEEDLE.decode(), mode=mode), None)
    assert out["result"] == min(NEEDLE_KEYS)
    assert out["stats"]["objects"] == len(SIZES)
    out = reader.lambda_handler(_event(find="not-in-any-object", mode=mode), None)
    assert out["result"] == "None"


def test_whole_bucket_without_folder(reader):
    out = reader.lambda_handler({"s3_bucket_name": BUCKET, "find": NEEDLE.decode()}, None)
    assert out["stats"]["listed"] == len(SIZES) + 1 + MANY
    assert out["result"] == min(NEEDLE_KEYS)


@pytest.mark.parametrize("concurrency,mode,expected", [(4, "concurrent", 4), (1, "concurrent", 1), (16, "sequential", 1)])
def test_concurrency_bound_is_honoured(reader, monkeypatch, concurrency, mode, expected):
    in_flight = {"now": 0, "max": 0}
    original = reader._Tally.read

    async def counted(self, s3, bucket, key):
        in_flight["now"] += 1
        in_flight["max"] = max(in_flight["max"], in_flight["now"])
        try:
            await original(self, s3, bucket, key)
            await asyncio.sleep(0.002)  # hold the slot a little so that overlap shows
        finally:
            in_flight["now"] -= 1

    monkeypatch.setattr(reader._Tally, "read", counted)
    out = reader.lambda_handler(_event(mode=mode, concurrency=concurrency), None)
    assert out["result"] == str(len(SIZES))
    assert in_flight["max"] == expected
    assert out["stats"]["concurrency"] == expected


def test_memory_comes_from_the_context_then_the_environment(reader):
    context = types.SimpleNamespace(memory_limit_in_mb="1769")
    assert reader.lambda_handler(_event(), context)["stats"]["memoryMb"] == 1769
    assert reader.lambda_handler(_event(), None)["stats"]["memoryMb"] == 128


def test_cold_start_only_on_the_first_invocation(fresh):
    init_client = fresh._KEPT
    assert init_client is not None and init_client.pool == 64 and not init_client.used
    first = fresh.lambda_handler(_event(), None)
    # Its pool never used, the init-time client served that invocation and was closed.
    assert init_client.used and fresh._KEPT is None
    second = fresh.lambda_handler(_event(), None)
    assert first["stats"]["coldStart"] is True
    assert second["stats"]["coldStart"] is False


def test_reuse_connections_keeps_the_client(fresh):
    out = fresh.lambda_handler(_event(reuse_connections=True, concurrency=8), None)
    kept = fresh._KEPT
    assert kept is not None and kept.pool == 8
    again = fresh.lambda_handler(_event(reuse_connections=True, concurrency=8, client="SDK"), None)
    assert fresh._KEPT is kept
    for result in (out, again):
        assert result["stats"]["reusedConnections"] is True
        assert result["result"] == str(len(SIZES))
        assert result["stats"]["getRequests"] == len(SIZES)  # counted per invocation
    # Without reuse, the invocation's own client is used and the kept one stays as it was.
    cold = fresh.lambda_handler(_event(concurrency=8), None)
    assert cold["stats"]["reusedConnections"] is False
    assert fresh._KEPT is kept
    # Another pool size builds another kept client.
    fresh.lambda_handler(_event(reuse_connections=True, concurrency=3), None)
    assert fresh._KEPT is not kept and fresh._KEPT.pool == 3


def test_failed_get_is_counted_not_raised(reader, monkeypatch):
    original = reader._list_pages

    async def with_a_missing_key(s3, bucket, folder, tally):
        async for keys in original(s3, bucket, folder, tally):
            yield keys + [f"{PREFIX}does-not-exist"]

    monkeypatch.setattr(reader, "_list_pages", with_a_missing_key)
    out = reader.lambda_handler(_event(concurrency=8), None)
    stats = out["stats"]
    assert stats["errors"] == 1
    assert stats["objects"] == len(SIZES) and out["result"] == str(len(SIZES))
    assert stats["listed"] == len(SIZES) + 1
    assert stats["getRequests"] == len(SIZES) + 1  # NoSuchKey is not retried


@pytest.mark.parametrize(
    "event,field",
    [
        ({"folder": PREFIX}, "s3_bucket_name"),
        ({"s3_bucket_name": ""}, "s3_bucket_name"),
        ({"s3_bucket_name": "   "}, "s3_bucket_name"),
        ({"s3_bucket_name": 7}, "s3_bucket_name"),
        (_event(mode="parallel"), "mode"),
        (_event(concurrency=0), "concurrency"),
        (_event(concurrency=5000), "concurrency"),
        (_event(concurrency=-3), "concurrency"),
        (_event(concurrency="8"), "concurrency"),
        (_event(concurrency=True), "concurrency"),
        (_event(concurrency=8.0), "concurrency"),
        (_event(client="direct"), "client"),
        (_event(client=""), "client"),
        (_event(reuse_connections="yes"), "reuse_connections"),
        (_event(find=""), "find"),
        (_event(folder=3), "folder"),
        ([], "JSON object"),
    ],
)
def test_bad_events_raise_invalid_event_naming_the_field(reader, event, field):
    with pytest.raises(reader.InvalidEvent) as raised:
        reader.lambda_handler(event, None)
    assert type(raised.value).__name__ == "InvalidEvent"  # the errorType Lambda reports
    assert field in str(raised.value)


def test_the_bounds_of_concurrency_are_accepted(reader):
    for concurrency in (1, 4096):
        out = reader.lambda_handler(_event(concurrency=concurrency, folder="other/"), None)
        assert out["stats"]["concurrency"] == concurrency and out["result"] == "1"


def test_listing_a_missing_bucket_raises_list_failed(reader):
    with pytest.raises(reader.ListFailed) as raised:
        reader.lambda_handler({"s3_bucket_name": "no-such-bucket", "folder": "x/"}, None)
    assert type(raised.value).__name__ == "ListFailed"
    message = str(raised.value)
    assert "s3://no-such-bucket/x/" in message and "NoSuchBucket" in message


def test_client_setup_failure_is_named(endpoint, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "not a url")
    broken = _load("reader_broken_endpoint")  # the init-time client fails quietly
    assert broken._KEPT is None
    with pytest.raises(broken.ClientSetup) as raised:
        broken.lambda_handler(_event(), None)
    assert type(raised.value).__name__ == "ClientSetup"
    assert "AWS_ENDPOINT_URL" in str(raised.value)


def _cli(*args, env=None):
    return subprocess.run(
        [sys.executable, str(READER), *args], capture_output=True, text=True, timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_cli_prints_one_result_line(endpoint):
    run = _cli(json.dumps(_event(find=NEEDLE.decode(), concurrency=5)), env={"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024"})
    assert run.returncode == 0, run.stderr
    lines = run.stdout.strip().splitlines()
    assert len(lines) == 1
    out = json.loads(lines[0])
    assert out["result"] == min(NEEDLE_KEYS)
    assert out["stats"]["memoryMb"] == 1024 and out["stats"]["coldStart"] is True
    _check_consistent(out, len(SIZES), sum(SIZES))


def test_cli_reads_the_s3_endpoint_variable(endpoint):
    run = _cli(json.dumps(_event()), env={"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_ENDPOINT_URL_S3": endpoint})
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["result"] == str(len(SIZES))


@pytest.mark.parametrize("arg", ['{"s3_bucket_name": "b", "mode": "parallel"}', "not json"])
def test_cli_refuses_a_bad_event_with_exit_2(endpoint, arg):
    run = _cli(arg)
    assert run.returncode == 2
    assert run.stdout == ""
    assert "InvalidEvent" in run.stderr
