// The Node.js peer of the S3 reader: AWS SDK for JavaScript v3, written the way a Node expert would.
//
// Lists a prefix (every page) and reads every object to its end, either one after another
// (sequential) or concurrently: one S3Client whose keep-alive agent holds at most C sockets
// (`maxSockets` = C), and C async workers pulling keys from one shared queue, so at most C
// requests are in flight and no promise is created per object up front.
//
// Usage: node reader.mjs '<reader event JSON>'   (contract 2 in docs/ARCHITECTURE.md)
// The endpoint comes from the standard AWS variables (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL).
// Prints one result JSON line on stdout, the same shape as the Rust reader's.

import http from "node:http";
import https from "node:https";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { S3Client, GetObjectCommand, paginateListObjectsV2 } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";

class BadEvent extends Error {}

function parseEvent(raw) {
  let event;
  try {
    event = JSON.parse(raw);
  } catch (err) {
    throw new BadEvent(`the event is not JSON (${err.message}); pass one JSON object`);
  }
  if (event === null || typeof event !== "object" || Array.isArray(event)) {
    throw new BadEvent("the event must be a JSON object");
  }
  if (!event.s3_bucket_name) {
    throw new BadEvent("s3_bucket_name is missing; set it to the bucket holding the objects");
  }
  const mode = event.mode ?? "concurrent";
  if (mode !== "concurrent" && mode !== "sequential") {
    throw new BadEvent(`mode '${mode}' is unknown; use 'concurrent' or 'sequential'`);
  }
  let concurrency = event.concurrency ?? 64;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new BadEvent(`concurrency ${JSON.stringify(concurrency)} must be a whole number >= 1`);
  }
  if (mode === "sequential") concurrency = 1;
  return {
    bucket: event.s3_bucket_name,
    folder: event.folder ?? "",
    find: event.find ?? null,
    mode,
    concurrency,
  };
}

function percentile(sorted, fraction) {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.round(fraction * (sorted.length - 1))));
  return sorted[index];
}

async function listKeys(s3, bucket, folder) {
  const keys = [];
  let pages = 0;
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: folder })) {
    pages += 1;
    for (const item of page.Contents ?? []) keys.push(item.Key);
  }
  return { keys, pages };
}

function newTally(find) {
  return { find: find ? Buffer.from(find) : null, found: null, bytes: 0, errors: 0, latenciesMs: [] };
}

async function readOne(s3, bucket, key, tally) {
  const started = performance.now();
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = Buffer.from(await response.Body.transformToByteArray());
    tally.latenciesMs.push(performance.now() - started);
    tally.bytes += body.length;
    if (tally.find !== null && tally.found === null && body.includes(tally.find)) tally.found = key;
  } catch (err) {
    tally.errors += 1;
    process.stderr.write(`GET ${key} failed: ${err.name}: ${err.message}\n`);
  }
}

async function readSequential(s3, bucket, keys, tally) {
  for (const key of keys) await readOne(s3, bucket, key, tally);
}

async function readConcurrent(s3, bucket, keys, tally, concurrency) {
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next];
      next += 1;
      await readOne(s3, bucket, key, tally);
    }
  };
  const workers = Math.min(concurrency, keys.length);
  await Promise.all(Array.from({ length: workers }, worker));
}

function newClient(concurrency) {
  const agentOptions = { keepAlive: true, maxSockets: concurrency };
  return new S3Client({
    forcePathStyle: true,
    maxAttempts: 3,
    // As the Rust SDK reader: no CRC over every body (GetObject's default asks for one).
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: new NodeHttpHandler({
      httpAgent: new http.Agent(agentOptions),
      httpsAgent: new https.Agent(agentOptions),
    }),
  });
}

async function run(event) {
  // One client for the whole run, built before the timer (a cold pool, as the Rust reader does).
  const s3 = newClient(event.concurrency);
  const started = performance.now();
  const { keys, pages } = await listKeys(s3, event.bucket, event.folder);
  const listed = performance.now();
  const tally = newTally(event.find);
  if (event.mode === "sequential") await readSequential(s3, event.bucket, keys, tally);
  else await readConcurrent(s3, event.bucket, keys, tally, event.concurrency);
  const finished = performance.now();
  s3.destroy();
  const latencies = tally.latenciesMs.sort((a, b) => a - b);
  const result = event.find ? (tally.found ?? "None") : String(keys.length - tally.errors);
  return {
    lang: "node",
    detail: `node ${process.versions.node}, @aws-sdk/client-s3 v3, keep-alive maxSockets ${event.concurrency}, ${event.concurrency} workers`,
    result,
    time: (finished - started) / 1000,
    stats: {
      memoryMb: Number(process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? 0) || 0,
      vcpus: os.availableParallelism(),
      arch: os.arch(),
      mode: event.mode,
      concurrency: event.concurrency,
      objects: keys.length,
      bytes: tally.bytes,
      listMs: listed - started,
      readMs: finished - listed,
      totalMs: finished - started,
      latencyMs: {
        p50: percentile(latencies, 0.5),
        p90: percentile(latencies, 0.9),
        p99: percentile(latencies, 0.99),
        max: latencies.length ? latencies[latencies.length - 1] : 0,
      },
      retries: 0,
      errors: tally.errors,
      coldStart: true,
      reusedConnections: false,
      listRequests: pages,
      getRequests: keys.length,
    },
  };
}

async function main() {
  if (process.argv.length !== 3) {
    process.stderr.write("usage: node reader.mjs '<reader event JSON>'\n");
    return 2;
  }
  let event;
  try {
    event = parseEvent(process.argv[2]);
  } catch (err) {
    if (err instanceof BadEvent) {
      process.stderr.write(`InvalidEvent: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  try {
    const result = await run(event);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return result.stats.errors === 0 ? 0 : 1;
  } catch (err) {
    process.stderr.write(`S3Error: ${err.name}: ${err.message}\n`);
    return 1;
  }
}

process.exitCode = await main();
