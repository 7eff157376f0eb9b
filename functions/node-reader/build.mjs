// npm run build: bundles src/index.mjs and the pinned SDK into dist/index.js (CommonJS, handler
// `index.handler`), the same as
//   esbuild src/index.mjs --bundle --platform=node --target=node22 --format=cjs --minify --keep-names --outfile=dist/index.js
// (as `cargo run --bin deploy` bundles it). Minified: less to parse at every cold start; names
// kept, as errors travel by their class name (`errorType`). No sourcemap, no timestamps: the
// same sources and lock file give the same bytes.
import { writeFileSync } from "node:fs";
import { build } from "esbuild";

const here = new URL(".", import.meta.url).pathname;
await build({
  absWorkingDir: here,
  entryPoints: ["src/index.mjs"],
  bundle: true,
  platform: "node",
  target: "node22",
  format: "cjs",
  minify: true,
  keepNames: true,
  outfile: "dist/index.js",
  logLevel: "warning",
});
// This package is "type": "module"; the marker makes Node load the bundle as the CommonJS it is
// (the deployed zip may carry it too; Lambda loads index.js as CommonJS either way).
writeFileSync(`${here}dist/package.json`, '{ "type": "commonjs" }\n');
