// Transformers.js side of benchmarks/suite.py: loads one pipeline from a local hub folder and
// times calls on request, so the Python side can interleave it with its own calls.
//
//   node benchmarks/tjs_worker.mjs NODE_MODULES MODEL_DIR TASK DTYPE THREADS
//
// MODEL_DIR is the model's revision folder (config.json, onnx/...): an id that is not a hub id is
// read by Transformers.js as a path, with remote models off. Each stdin line is a JSON
// {"texts": [...] | "text": "...", "options": {...}, "ttft": bool}; the reply line is
// {"ms": <call time>, "rss": <bytes>} plus, with "ttft", the time to the first generated token
// (generate() hands the streamer the prompt first, then each new token).
// The first line written is {"ready": true, "load_ms": ...}.
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const [modules, modelDir, task, dtype, threads] = process.argv.slice(2);
const require = createRequire(`${modules}/`);
const { pipeline, env } = await import(
  pathToFileURL(require.resolve("@huggingface/transformers")).href
);
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.useBrowserCache = false;
env.useFSCache = false;

const started = performance.now();
const pipe = await pipeline(task, modelDir, {
  dtype,
  device: "cpu",
  session_options: { intraOpNumThreads: Number(threads), interOpNumThreads: 1 },
});
process.stdout.write(`${JSON.stringify({ ready: true, load_ms: performance.now() - started })}\n`);

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const request = JSON.parse(line);
  const input = request.texts ?? request.text;
  const puts = [];
  const options = { ...(request.options ?? {}) };
  if (request.ttft) options.streamer = { put: () => puts.push(performance.now()), end: () => {} };
  const t0 = performance.now();
  const output = await pipe(input, options);
  const ms = performance.now() - t0;
  const reply = { ms, rss: process.memoryUsage().rss };
  if (request.ttft) reply.ttft_ms = puts[1] - t0;
  if (request.echo) reply.output = output.tolist ? output.tolist() : output;
  process.stdout.write(`${JSON.stringify(reply)}\n`);
}
