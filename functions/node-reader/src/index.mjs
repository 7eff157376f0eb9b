// The Lambda entry point (handler `index.handler` in the bundle dist/index.js, runtime nodejs22.x).
// Errors reach Lambda with `name` InvalidEvent, ListFailed or ClientSetup as errorType.
import { read } from "./reader.mjs";

export const handler = (event, context) => read(event, context);
