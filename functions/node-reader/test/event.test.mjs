// Bad events: InvalidEvent (the errorType the state machine catches), naming the field.
import assert from "node:assert/strict";
import { test } from "node:test";
import { handler } from "../src/index.mjs";
import { parseEvent, refillBatch } from "../src/reader.mjs";

const ok = { s3_bucket_name: "b" };
const cases = [
  [{}, /s3_bucket_name is missing/],
  [{ s3_bucket_name: "" }, /s3_bucket_name is missing or empty/],
  [{ s3_bucket_name: 7 }, /s3_bucket_name is 7/],
  [{ ...ok, mode: "parallel" }, /mode is "parallel"; use "concurrent" or "sequential"/],
  [{ ...ok, concurrency: 0 }, /concurrency is 0; it must be between 1 and 4096/],
  [{ ...ok, concurrency: 5000 }, /concurrency is 5000; it must be between 1 and 4096/],
  [{ ...ok, concurrency: "8" }, /concurrency is "8"; it must be a whole number/],
  [{ ...ok, concurrency: true }, /concurrency is true; it must be a whole number/],
  [{ ...ok, concurrency: 2.5 }, /concurrency is 2.5/],
  [{ ...ok, client: "direct" }, /client is "direct"; .*set it to "sdk"/],
  [{ ...ok, reuse_connections: "yes" }, /reuse_connections is "yes"/],
  [{ ...ok, find: "" }, /find is empty/],
  [{ ...ok, folder: 3 }, /folder is 3/],
  [[], /the event is not a reader event/],
];

test("bad events throw InvalidEvent naming the field and the fix", async () => {
  for (const [event, message] of cases) {
    await assert.rejects(handler(event), (err) => {
      assert.equal(err.name, "InvalidEvent", JSON.stringify(event));
      assert.match(err.message, message);
      return true;
    });
  }
});

test("good events: defaults, any case, sdk client", () => {
  assert.deepEqual(parseEvent(ok), {
    bucket: "b", folder: "", find: null, mode: "concurrent", concurrency: 64, reuseConnections: false,
  });
  const e = parseEvent({ ...ok, folder: "p/", find: "x", mode: " Concurrent ", concurrency: 4096, reuse_connections: true, client: "sdk" });
  assert.deepEqual([e.mode, e.concurrency, e.reuseConnections, e.find], ["concurrent", 4096, true, "x"]);
  assert.equal(parseEvent({ ...ok, mode: "Sequential", concurrency: 9 }).concurrency, 1);
  assert.equal(parseEvent({ ...ok, concurrency: 1 }).concurrency, 1);
  assert.equal(parseEvent({ ...ok, client: null, mode: null, concurrency: null }).concurrency, 64);
});

test("refills come in batches of 1 (small C) to 16", () => {
  assert.deepEqual([1, 4, 7, 8, 64, 4096].map(refillBatch), [1, 1, 1, 2, 16, 16]);
});
