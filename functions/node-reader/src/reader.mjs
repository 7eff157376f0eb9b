// The project's Node.js S3 reader (contract 2 in docs/ARCHITECTURE.md): lists a prefix, every
// page, and reads every object to its end with the AWS SDK for JavaScript v3, one at a time
// (sequential) or with up to `concurrency` GETs in flight (concurrent).
//
// Concurrent mode and speed: one S3Client whose keep-alive agent holds at most C sockets, and a
// dispatcher that keeps at most C GETs started. It refills free slots in batches (at least
// `refillBatch(C)` free, or nothing left in flight), because the SDK's per-request pipeline
// (middleware stack, endpoint rules, signing) costs about a fifth less CPU when several requests
// go through it together than when each one goes through it alone between two responses: the
// one-by-one refill of a plain worker pool used ~0.5 ms more CPU per GET (README, "Speed").

import http from "node:http";
import https from "node:https";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { S3Client, GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
// The installed (and bundled) SDK's own version: the client's built-in user-agent string lags it.
import sdkPackage from "@aws-sdk/client-s3/package.json" with { type: "json" };

/** The largest `concurrency` accepted (as the Rust reader). */
export const MAX_CONCURRENCY = 4096;
/** `concurrency` when the event has none. */
export const DEFAULT_CONCURRENCY = 64;

// Errors: the Lambda runtime reports `name` as errorType, and the state machine catches on these
// exact names (functions/s3-reader/src/error.rs). The class names match too.
export class InvalidEvent extends Error {
  constructor(message) {
    super(message);
    this.name = "InvalidEvent";
  }
}
export class ListFailed extends Error {
  constructor(message) {
    super(message);
    this.name = "ListFailed";
  }
}
export class ClientSetup extends Error {
  constructor(message) {
    super(message);
    this.name = "ClientSetup";
  }
}

const given = (value) => JSON.stringify(value);
const absent = (value) => value === undefined || value === null;

/** Checks a contract-2 event; returns the request or throws InvalidEvent naming the field. */
export function parseEvent(event) {
  if (event === null || typeof event !== "object" || Array.isArray(event)) {
    throw new InvalidEvent(`the event is not a reader event: it is ${given(event)}; send a JSON object with s3_bucket_name`);
  }
  const bucket = event.s3_bucket_name;
  if (typeof bucket !== "string" || bucket.trim() === "") {
    throw new InvalidEvent(
      absent(bucket) || bucket === ""
        ? "s3_bucket_name is missing or empty; set it to the bucket that holds the objects"
        : `s3_bucket_name is ${given(bucket)}; set it to the bucket name, a string`,
    );
  }
  const folder = event.folder ?? "";
  if (typeof folder !== "string") {
    throw new InvalidEvent(`folder is ${given(folder)}; give the key prefix as a string, or omit it to read the whole bucket`);
  }
  const find = event.find ?? null;
  if (find !== null && typeof find !== "string") {
    throw new InvalidEvent(`find is ${given(find)}; give the string to search for, or omit it to count the objects`);
  }
  if (find === "") throw new InvalidEvent("find is empty; omit it, or give the string to search for");

  let mode = "concurrent";
  if (!absent(event.mode)) {
    const text = typeof event.mode === "string" ? event.mode.trim().toLowerCase() : null;
    if (text !== "concurrent" && text !== "sequential") {
      throw new InvalidEvent(`mode is ${given(event.mode)}; use "concurrent" or "sequential"`);
    }
    mode = text;
  }
  let concurrency = DEFAULT_CONCURRENCY;
  if (!absent(event.concurrency)) {
    const c = event.concurrency;
    if (typeof c !== "number" || !Number.isInteger(c)) {
      throw new InvalidEvent(
        `concurrency is ${given(c)}; it must be a whole number (a JSON number, not a string or boolean) between 1 and ${MAX_CONCURRENCY}, or omitted (${DEFAULT_CONCURRENCY})`,
      );
    }
    if (c < 1 || c > MAX_CONCURRENCY) {
      throw new InvalidEvent(`concurrency is ${c}; it must be between 1 and ${MAX_CONCURRENCY}`);
    }
    concurrency = c;
  }
  const reuse = event.reuse_connections ?? false;
  if (typeof reuse !== "boolean") {
    throw new InvalidEvent(`reuse_connections is ${given(reuse)}; use true or false (a JSON boolean), or omit it (false)`);
  }
  if (!absent(event.client) && (typeof event.client !== "string" || event.client.trim().toLowerCase() !== "sdk")) {
    throw new InvalidEvent(
      `client is ${given(event.client)}; this reader has only "sdk" (@aws-sdk/client-s3 GetObject): omit client or set it to "sdk"`,
    );
  }
  return {
    bucket,
    folder,
    find,
    mode,
    concurrency: mode === "sequential" ? 1 : concurrency,
    reuseConnections: reuse,
  };
}

// ---- the S3 client ----------------------------------------------------------------------------

/** Path-style addressing: AWS_S3_FORCE_PATH_STYLE, else on when an endpoint is configured (as the Rust reader). */
export function pathStyleFromEnv(env = process.env) {
  const forced = env.AWS_S3_FORCE_PATH_STYLE?.trim().toLowerCase();
  if (forced === "true" || forced === "1") return true;
  if (forced === "false" || forced === "0") return false;
  return ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"].some((name) => (env[name] ?? "").trim() !== "");
}

/** A client whose agents keep at most `sockets` connections open, and what it reports. */
async function newClient(sockets) {
  let client;
  try {
    const agent = { keepAlive: true, maxSockets: sockets };
    client = new S3Client({
      forcePathStyle: pathStyleFromEnv(),
      // No CRC over every body, as the Rust reader: GetObject's default asks S3 for a checksum.
      responseChecksumValidation: "WHEN_REQUIRED",
      requestHandler: new NodeHttpHandler({
        httpAgent: new http.Agent(agent),
        httpsAgent: new https.Agent(agent),
        // The agent queues GETs beyond C on purpose; the SDK's "socket usage at capacity" warning is noise.
        socketAcquisitionWarningTimeout: 2 ** 31 - 1,
      }),
    });
    await client.config.region(); // no region: fail here, not on the first request
    return { client, sockets };
  } catch (err) {
    client?.destroy();
    throw new ClientSetup(
      `building the S3 client failed: ${err.name}: ${err.message}; set AWS_REGION (and AWS_ENDPOINT_URL_S3 for a local S3)`,
    );
  }
}

// The client kept for reuse_connections, and whether this process has run an invocation yet.
let kept = null;
let invocations = 0;

async function clientFor(request) {
  if (!request.reuseConnections) return newClient(request.concurrency);
  if (kept === null || kept.sockets !== request.concurrency) {
    kept?.client.destroy();
    kept = null;
    kept = await newClient(request.concurrency);
  }
  return kept;
}

// ---- reading ----------------------------------------------------------------------------------

const attemptsOf = (x) => Math.max(1, x?.$metadata?.attempts ?? 1);

/** Reads a body to its end: the byte count, and the bytes themselves only when searching. */
function drain(body, keep) {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    const chunks = keep ? [] : null;
    body.on("data", (chunk) => {
      bytes += chunk.length;
      if (chunks) chunks.push(chunk);
    });
    body.once("end", () => resolve({ bytes, data: chunks && Buffer.concat(chunks, bytes) }));
    body.once("error", reject);
  });
}

class Tally {
  constructor(find) {
    this.needle = find === null ? null : Buffer.from(find);
    this.found = null;
    this.objects = 0;
    this.bytes = 0;
    this.errors = 0;
    this.retries = 0;
    this.getRequests = 0;
    this.latenciesMs = [];
  }
}

async function readOne(s3, bucket, key, tally) {
  const started = performance.now();
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const attempts = attemptsOf(response);
    tally.getRequests += attempts;
    tally.retries += attempts - 1;
    const { bytes, data } = await drain(response.Body, tally.needle !== null);
    tally.latenciesMs.push(performance.now() - started);
    tally.objects += 1;
    tally.bytes += bytes;
    if (data !== null && tally.found === null && data.includes(tally.needle)) tally.found = key;
  } catch (err) {
    const attempts = attemptsOf(err);
    // A body that broke after the response counted its attempts already.
    if (err.$metadata) {
      tally.getRequests += attempts;
      tally.retries += attempts - 1;
    }
    tally.errors += 1;
    process.stderr.write(`GET s3://${bucket}/${key} failed: ${err.name}: ${err.message}\n`);
  }
}

/** Lists every page, handing each page's keys to `onPage`; returns the LIST requests made. */
async function listAll(s3, request, onPage) {
  const { bucket, folder } = request;
  const listing = { requests: 0, retries: 0 };
  let token;
  try {
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: folder, ContinuationToken: token }));
      const attempts = attemptsOf(page);
      listing.requests += attempts;
      listing.retries += attempts - 1;
      onPage((page.Contents ?? []).map((item) => item.Key));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (err) {
    const attempts = attemptsOf(err);
    listing.requests += attempts;
    listing.retries += attempts - 1;
    const failure = new ListFailed(
      `listing s3://${bucket}/${folder} failed after ${attempts} attempt(s): ${err.name}: ${err.message}; check that the bucket exists, the prefix (folder) is right and the function may list it`,
    );
    failure.listing = listing;
    throw failure;
  }
  return listing;
}

/** At least this many free slots before a refill (1 for small C, up to 16). */
export const refillBatch = (concurrency) => Math.max(1, Math.min(16, Math.floor(concurrency / 4)));

/**
 * Reads keys as the listing delivers them with at most `concurrency` GETs started at once.
 * Returns `push(keys)`, `finish()` (no more keys) and `done`, which settles when every key is read.
 */
function dispatcher(s3, bucket, concurrency, tally) {
  const keys = [];
  const batch = refillBatch(concurrency);
  let next = 0;
  let inFlight = 0;
  let listed = false;
  let settle;
  const done = new Promise((resolve) => (settle = resolve));
  const launch = () => {
    while (inFlight < concurrency && next < keys.length) {
      const key = keys[next];
      next += 1;
      inFlight += 1;
      readOne(s3, bucket, key, tally).then(finished);
    }
    if (inFlight === 0 && listed) settle();
  };
  const finished = () => {
    inFlight -= 1;
    const waiting = keys.length - next;
    if (inFlight === 0 || (waiting > 0 && concurrency - inFlight >= Math.min(batch, waiting))) launch();
  };
  return {
    push(page) {
      for (const key of page) keys.push(key);
      launch();
    },
    finish() {
      listed = true;
      launch();
    },
    done,
  };
}

function percentile(sorted, fraction) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}

function archName() {
  const arch = os.arch();
  return { x64: "x86_64", arm64: "aarch64" }[arch] ?? arch;
}

function memoryMb(context) {
  const fromContext = Number(context?.memoryLimitInMB);
  if (context && Number.isFinite(fromContext) && fromContext > 0) return Math.trunc(fromContext);
  const fromEnv = Number(process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? Math.trunc(fromEnv) : 0;
}

/** One invocation: the Lambda handler's body. Throws InvalidEvent, ListFailed or ClientSetup. */
export async function read(event, context) {
  const coldStart = invocations === 0;
  invocations += 1;
  const request = parseEvent(event);
  const { client: s3 } = await clientFor(request); // before the timer
  const tally = new Tally(request.find);
  let listed = 0;
  let listing;
  let listMs;
  const started = performance.now();
  try {
    if (request.mode === "sequential") {
      const keys = [];
      listing = await listAll(s3, request, (page) => keys.push(...page));
      listMs = performance.now() - started;
      listed = keys.length;
      for (const key of keys) await readOne(s3, request.bucket, key, tally);
    } else {
      const reads = dispatcher(s3, request.bucket, request.concurrency, tally);
      try {
        listing = await listAll(s3, request, (page) => {
          if (listMs === undefined) listMs = performance.now() - started;
          listed += page.length;
          reads.push(page);
        });
      } finally {
        reads.finish();
        await reads.done; // on a listing failure, the GETs already started end first
      }
    }
  } finally {
    if (!request.reuseConnections) s3.destroy();
  }
  const totalMs = performance.now() - started;
  listMs ??= totalMs;
  const latencies = tally.latenciesMs.sort((a, b) => a - b);
  return {
    lang: "node",
    detail: `node ${process.versions.node}, @aws-sdk/client-s3 ${sdkPackage.version}, concurrency ${request.concurrency}`,
    result: request.find !== null ? (tally.found ?? "None") : String(tally.objects),
    time: totalMs / 1000,
    stats: {
      memoryMb: memoryMb(context),
      vcpus: os.availableParallelism(),
      arch: archName(),
      mode: request.mode,
      concurrency: request.concurrency,
      objects: tally.objects,
      listed,
      bytes: tally.bytes,
      listMs,
      readMs: totalMs - listMs,
      totalMs,
      latencyMs: {
        p50: percentile(latencies, 0.5),
        p90: percentile(latencies, 0.9),
        p99: percentile(latencies, 0.99),
        max: latencies.length ? latencies[latencies.length - 1] : 0,
      },
      retries: listing.retries + tally.retries,
      errors: tally.errors,
      coldStart,
      reusedConnections: request.reuseConnections,
      client: "sdk",
      listRequests: listing.requests,
      getRequests: tally.getRequests,
    },
  };
}
