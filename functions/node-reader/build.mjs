// npm run build: bundles src/index.mjs and the pinned SDK into dist/index.js (CommonJS, handler
// `index.handler`); `node build.mjs OUTFILE` writes the bundle to OUTFILE instead (as
// `cargo run --bin deploy` runs it). Minified: less to parse at every cold start; names kept, as
// errors travel by their class name (`errorType`). No sourcemap, no timestamps: the same sources
// and lock file give the same bytes.
import { writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { build } from "esbuild";

const here = new URL(".", import.meta.url).pathname;
const outfile = resolve(process.argv[2] ?? `${here}dist/index.js`);
await build({
  absWorkingDir: here,
  entryPoints: ["src/index.mjs"],
  bundle: true,
  platform: "node",
  target: "node22",
  format: "cjs",
  minify: true,
  keepNames: true,
  outfile,
  logLevel: "warning",
});
// This package is "type": "module"; the marker makes Node load the bundle as the CommonJS it is
// (Lambda loads index.js as CommonJS either way, so the deployed zip holds the bundle alone).
if (process.argv[2] === undefined) {
  writeFileSync(`${dirname(outfile)}/package.json`, '{ "type": "commonjs" }\n');
}
