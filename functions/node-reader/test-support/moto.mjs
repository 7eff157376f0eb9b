// Test support: a real S3-compatible server (moto) on a free port of 127.0.0.1, and a TCP proxy
// in front of it that counts connections (total and most open at once).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { S3Client, CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** MOTO_SERVER, else the project's venv (scripts/setup installs moto there). */
export const motoServer = process.env.MOTO_SERVER
  ? path.resolve(packageDir, process.env.MOTO_SERVER)
  : path.resolve(packageDir, "../../.venv/bin/moto_server");

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(url, child, deadlineMs = 30_000) {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
    try {
      await fetch(`${url}/moto-api/`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`moto_server did not answer at ${url} within ${deadlineMs} ms`);
}

/** Starts moto, points the AWS variables at it; `stop()` kills it. */
export async function startMoto() {
  if (!existsSync(motoServer)) {
    throw new Error(`no moto_server at ${motoServer}: run scripts/setup, or set MOTO_SERVER to its path`);
  }
  const port = await freePort();
  const child = spawn(motoServer, ["-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr.on("data", (d) => (log = (log + d).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilUp(url, child);
  } catch (err) {
    child.kill("SIGKILL");
    throw new Error(`${err.message}\n${log}`);
  }
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_S3: url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
  });
  delete process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
  const s3 = new S3Client({ endpoint: url, region: "us-east-1", forcePathStyle: true });
  return {
    url,
    port,
    s3,
    async put(bucket, objects) {
      await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((err) => {
        if (err.name !== "BucketAlreadyOwnedByYou") throw err;
      });
      const entries = Object.entries(objects);
      for (let i = 0; i < entries.length; i += 32) {
        await Promise.all(
          entries.slice(i, i + 32).map(([Key, Body]) => s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body }))),
        );
      }
    },
    stop() {
      s3.destroy();
      child.kill("SIGKILL");
    },
  };
}

/**
 * An HTTP proxy to moto on `port` that keeps the reader's connections alive (moto answers
 * `Connection: close`) and counts: `connections` the reader opened, requests `active` at once
 * and their most (`maxActive`). `reset()`, `close()`.
 */
export async function countingProxy(port) {
  const stats = { connections: 0, active: 0, maxActive: 0 };
  const upstream = new http.Agent({ keepAlive: false });
  const server = http.createServer((req, res) => {
    stats.active += 1;
    stats.maxActive = Math.max(stats.maxActive, stats.active);
    let done = false;
    const finish = () => {
      if (!done) stats.active -= 1;
      done = true;
    };
    res.once("finish", finish).once("close", finish);
    const headers = { ...req.headers };
    delete headers.connection;
    const forward = http.request({ host: "127.0.0.1", port, method: req.method, path: req.url, headers, agent: upstream }, (answer) => {
      const out = { ...answer.headers };
      delete out.connection;
      res.writeHead(answer.statusCode, out);
      answer.pipe(res);
    });
    forward.on("error", (err) => res.destroy(err));
    req.pipe(forward);
  });
  server.keepAliveTimeout = 60_000;
  server.on("connection", () => (stats.connections += 1));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stats,
    reset() {
      Object.assign(stats, { connections: 0, maxActive: stats.active });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
