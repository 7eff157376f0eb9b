// The reader against a real S3-compatible server (moto, started here): counting, finding,
// paging, the concurrency bound, kept connections, the memory size, ListFailed, the CLI and
// the bundle. Run: ./test.sh (or node --test test/ with MOTO_SERVER set).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { handler } from "../src/index.mjs";
import { countingProxy, startMoto } from "../test-support/moto.mjs";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BUCKET = "node-reader-test";
const NEEDLE = "needle-7f3a";
const objects = {};
for (let i = 0; i < 40; i++) {
  const body = Buffer.from(randomBytes(1000 + Math.floor(Math.random() * 4000)).toString("base64"));
  if (i === 17) body.write(NEEDLE, 500);
  objects[`bench/40/obj-${String(i).padStart(2, "0")}`] = body;
}
const bytes40 = Object.values(objects).reduce((sum, b) => sum + b.length, 0);
const paged = {};
for (let i = 0; i < 1001; i++) paged[`paged/p-${String(i).padStart(4, "0")}`] = "x";

// Exactly the fields of bench_types::reader::ReaderStats (camelCase).
const STATS_FIELDS = [
  "memoryMb", "vcpus", "arch", "mode", "concurrency", "objects", "listed", "bytes", "listMs", "readMs",
  "totalMs", "latencyMs", "retries", "errors", "coldStart", "reusedConnections", "client",
  "listRequests", "getRequests",
].sort();

let moto;
before(async () => {
  moto = await startMoto();
  await moto.put(BUCKET, { ...objects, "other/not-in-bench": `${NEEDLE} elsewhere` });
  await moto.put(BUCKET, paged);
});
after(() => moto?.stop());

const event = (extra = {}) => ({ s3_bucket_name: BUCKET, folder: "bench/40/", ...extra });

function assertConsistent(r, { mode, concurrency, objects: n }) {
  assert.equal(r.lang, "node");
  assert.match(r.detail, new RegExp(`^node ${process.versions.node}, @aws-sdk/client-s3 3\\.\\d+\\.\\d+, concurrency ${concurrency}$`));
  assert.deepEqual(Object.keys(r.stats).sort(), STATS_FIELDS);
  const s = r.stats;
  assert.equal(s.mode, mode);
  assert.equal(s.concurrency, concurrency);
  assert.equal(s.objects, n);
  assert.equal(s.listed, n);
  assert.equal(s.getRequests, n);
  assert.equal(s.listRequests, 1);
  assert.equal(s.errors, 0);
  assert.equal(s.retries, 0);
  assert.equal(s.client, "sdk");
  assert.equal(s.vcpus, os.availableParallelism());
  assert.ok(["x86_64", "aarch64"].includes(s.arch), s.arch);
  assert.ok(s.listMs > 0 && s.readMs > 0);
  assert.ok(Math.abs(s.listMs + s.readMs - s.totalMs) < 1e-6);
  assert.equal(r.time, s.totalMs / 1000); // not rounded
  const l = s.latencyMs;
  assert.ok(0 < l.p50 && l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.max && l.max <= s.totalMs, JSON.stringify(l));
}

test("the first invocation is the cold start; both modes count every object", async () => {
  const first = await handler(event(), undefined);
  assert.equal(first.result, "40");
  assert.equal(first.stats.coldStart, true);
  assert.equal(first.stats.bytes, bytes40);
  assertConsistent(first, { mode: "concurrent", concurrency: 64, objects: 40 });

  const second = await handler(event({ mode: "SEQUENTIAL", concurrency: 8 }), undefined);
  assert.equal(second.result, "40");
  assert.equal(second.stats.coldStart, false);
  assert.equal(second.stats.bytes, bytes40);
  assertConsistent(second, { mode: "sequential", concurrency: 1, objects: 40 });
});

test("find returns the key holding the string, or None, in both modes", async () => {
  for (const mode of ["concurrent", "sequential"]) {
    const found = await handler(event({ find: NEEDLE, mode }));
    assert.equal(found.result, "bench/40/obj-17", mode);
    assert.equal(found.stats.objects, 40);
    const missing = await handler(event({ find: "no-such-string-9q", mode }));
    assert.equal(missing.result, "None", mode);
  }
});

test("every listing page is read: 1001 keys, 2 LIST requests", async () => {
  for (const mode of ["concurrent", "sequential"]) {
    const r = await handler({ s3_bucket_name: BUCKET, folder: "paged/", mode, concurrency: 32 });
    assert.equal(r.result, "1001", mode);
    assert.equal(r.stats.listed, 1001);
    assert.equal(r.stats.objects, 1001);
    assert.equal(r.stats.listRequests, 2);
    assert.equal(r.stats.getRequests, 1001);
    assert.equal(r.stats.bytes, 1001);
    if (mode === "concurrent") assert.ok(r.stats.listMs < r.stats.totalMs);
  }
});

/** Points the SDK at a counting proxy in front of the S3 server for the rest of test `t`. */
async function proxiedEndpoint(t) {
  const proxy = await countingProxy(moto.port);
  const endpoint = process.env.AWS_ENDPOINT_URL_S3;
  process.env.AWS_ENDPOINT_URL_S3 = proxy.url;
  t.after(() => {
    process.env.AWS_ENDPOINT_URL_S3 = endpoint;
    return proxy.close();
  });
  return proxy;
}

test("at most `concurrency` GETs are in flight at once", async (t) => {
  const proxy = await proxiedEndpoint(t);
  for (const c of [1, 3]) {
    proxy.reset();
    const r = await handler(event({ concurrency: c }));
    assert.equal(r.result, "40");
    assert.equal(r.stats.concurrency, c);
    assert.ok(proxy.stats.maxActive <= c, `C = ${c}: ${proxy.stats.maxActive} requests in flight at once`);
    assert.ok(proxy.stats.connections <= c, `C = ${c}: ${proxy.stats.connections} connections`);
    // and the bound is used, not just respected
    assert.equal(proxy.stats.maxActive, c, `C = ${c}: only ${proxy.stats.maxActive} requests at once`);
  }
});

test("reuse_connections keeps the client and its sockets; false starts cold", async (t) => {
  const proxy = await proxiedEndpoint(t);
  const warm = await handler(event({ reuse_connections: true, concurrency: 4 }));
  assert.equal(warm.stats.reusedConnections, true);
  assert.ok(proxy.stats.connections >= 1);
  proxy.reset();
  const again = await handler(event({ reuse_connections: true, concurrency: 4 }));
  assert.equal(again.result, "40");
  assert.equal(proxy.stats.connections, 0, "the kept sockets served the second invocation");
  proxy.reset();
  const cold = await handler(event({ reuse_connections: false, concurrency: 4 }));
  assert.equal(cold.stats.reusedConnections, false);
  assert.ok(proxy.stats.connections >= 1, "a fresh client opens its own connections");
});

test("memoryMb comes from the context, else AWS_LAMBDA_FUNCTION_MEMORY_SIZE", async (t) => {
  t.after(() => delete process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE = "1769";
  assert.equal((await handler(event(), { memoryLimitInMB: "512" })).stats.memoryMb, 512);
  assert.equal((await handler(event())).stats.memoryMb, 1769);
});

test("a bucket that does not exist is ListFailed naming the bucket, prefix and S3's error", async () => {
  await assert.rejects(handler({ s3_bucket_name: "no-such-bucket-42", folder: "bench/" }), (err) => {
    assert.equal(err.name, "ListFailed");
    assert.match(err.message, /s3:\/\/no-such-bucket-42\/bench\//);
    assert.match(err.message, /NoSuchBucket/);
    return true;
  });
});

test("the CLI prints one result line (exit 0), or a bad event on stderr (exit 2)", () => {
  const run = (arg) => spawnSync(process.execPath, ["cli.mjs", arg], { cwd: packageDir, encoding: "utf8", env: { ...process.env, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "1024" } });
  const ok = run(JSON.stringify(event({ concurrency: 5 })));
  assert.equal(ok.status, 0, ok.stderr);
  const lines = ok.stdout.trim().split("\n");
  assert.equal(lines.length, 1);
  const r = JSON.parse(lines[0]);
  assert.equal(r.result, "40");
  assert.equal(r.stats.memoryMb, 1024);
  assert.equal(r.stats.coldStart, true);
  const bad = run(JSON.stringify(event({ mode: "parallel" })));
  assert.equal(bad.status, 2);
  assert.equal(bad.stdout, "");
  assert.match(bad.stderr, /InvalidEvent: mode is "parallel"/);
});

test("the bundle dist/index.js (npm run build) exports a working handler", async () => {
  const bundle = path.join(packageDir, "dist/index.js");
  assert.ok(existsSync(bundle), "no dist/index.js: run npm run build (test.sh does)");
  const { handler: bundled } = createRequire(import.meta.url)(bundle);
  const r = await bundled(event({ concurrency: 4 }), { memoryLimitInMB: "2048" });
  assert.equal(r.result, "40");
  assert.equal(r.stats.memoryMb, 2048);
  assert.equal(r.stats.coldStart, true, "the bundle is a module of its own, with its own first invocation");
  await assert.rejects(bundled({ s3_bucket_name: BUCKET, client: "direct" }), { name: "InvalidEvent" });
});
