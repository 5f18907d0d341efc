import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';

export function capture(): { stream: Writable & { isTTY?: boolean }; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _encoding, callback) { chunks.push(chunk.toString()); callback(); } });
  return { stream, text: () => chunks.join('') };
}

/**
 * Runs the CLI in-process. Scans (scan, watch) must name a loopback gateway and get --no-wan, so nothing is
 * ever sent beyond 127.0.0.1.
 */
export async function runCli(args: string[], signal?: AbortSignal): Promise<{ code: number; stdout: string; stderr: string }> {
  if ((args[0] === 'scan' || args[0] === 'watch') && !args.includes('--help')) {
    const gateway = args.indexOf('--gateway');
    if (gateway < 0 || !args[gateway + 1]?.startsWith('http://127.')) throw new Error('unit tests must only scan loopback');
    if (!args.includes('--no-wan')) args = [...args, '--no-wan'];
  }
  const out = capture();
  const err = capture();
  const code = await main(args, { stdout: out.stream, stderr: err.stream }, signal);
  return { code, stdout: out.text(), stderr: err.text() };
}
