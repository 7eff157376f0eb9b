// Runs the reader once outside Lambda, as the s3-bench harness runs readers:
//   node cli.mjs '<reader event JSON>'
// Prints one result JSON line on stdout (exit 0). A bad event: the message on stderr, exit 2;
// another failure (ListFailed, ClientSetup): the message on stderr, exit 1.
// The endpoint comes from AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, the memory size from
// AWS_LAMBDA_FUNCTION_MEMORY_SIZE.
import { read } from "./src/reader.mjs";

async function main(args) {
  if (args.length !== 1) {
    process.stderr.write("usage: node cli.mjs '<reader event JSON>'\n");
    return 2;
  }
  let event;
  try {
    event = JSON.parse(args[0]);
  } catch (err) {
    process.stderr.write(`InvalidEvent: the event is not JSON (${err.message}); pass one JSON object\n`);
    return 2;
  }
  try {
    process.stdout.write(`${JSON.stringify(await read(event))}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`${err.name}: ${err.message}\n`);
    return err.name === "InvalidEvent" ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
