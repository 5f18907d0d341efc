/**
 * `node --import ./bench/loaded-modules.mjs PROGRAM ...`: at exit, writes every module the program loaded (ES
 * modules seen by a load hook, CommonJS files from the require cache) as one JSON line to the file named by
 * EXPOSURE_LOADED_MODULES. Plain JavaScript so that it runs in front of the built program, without tsx.
 * Used by bench/startup.ts and test/cli/lazy-commands.test.ts to show what each command loads.
 */
import { createRequire, register } from 'node:module';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';

const out = process.env.EXPOSURE_LOADED_MODULES;
if (out) {
  const seen = new Set();
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (url) => seen.add(url.startsWith('file:') ? fileURLToPath(url) : url));
  port1.unref();
  // The hook runs on the loader thread and posts each loaded URL back here.
  const hook = `let port; export function initialize(data) { port = data.port; }
export async function load(url, context, next) { if (!url.startsWith('node:')) port.postMessage(url); return next(url, context); }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`, { data: { port: port2 }, transferList: [port2] });
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => {
    for (const file of Object.keys(cache)) seen.add(file);
    writeFileSync(out, `${JSON.stringify([...seen].sort())}\n`);
  });
}
