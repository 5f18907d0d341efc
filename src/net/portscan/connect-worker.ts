/**
 * Both sides of the connect engine's worker threads. Big scans are split over threads because on a fast path a
 * connect scan is CPU-bound (the kernel's connect() and close(), and Node's per-socket work: measured in
 * bench/wan-scan.ts), and threads put that on more than one core. They also keep a 65,535-port scan off the
 * event loop of whatever started it (the CLI's progress line, the API server).
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { ConnectShard, type ShardJob, type ShardOutcome } from './connect-shard.js';

type WorkerMessage = { type: 'progress'; settled: number } | { type: 'done'; outcome: ShardOutcome };

interface WorkerData {
  kind: typeof KIND;
  job: ShardJob;
}

export interface RunningShard {
  outcome: Promise<ShardOutcome>;
  /** Destroys every socket of the shard, now. */
  stop(): void;
}

/** Marks our own workers, so that importing this module in anybody else's worker runs nothing. */
const KIND = 'exposure-scanner/connect-shard';
/** Often enough for a progress line, rare enough to cost nothing. */
const PROGRESS_EVERY_MS = 100;

/**
 * Runs the job on a worker thread. If the thread cannot start or dies (a loader that cannot follow us into
 * workers, say), the job is run again on this thread with `fallback` and the scan says so in its warnings.
 */
export function startWorkerShard(job: ShardJob, onSettled: (settled: number) => void, fallback: () => RunningShard, warnings: string[]): RunningShard {
  let stopped = false;
  let local: RunningShard | undefined;
  // The module starts its own worker: under tsx or a test loader that is the .ts file, once built the .js file.
  const worker = new Worker(new URL(import.meta.url), { workerData: { kind: KIND, job } satisfies WorkerData });
  const outcome = new Promise<ShardOutcome>((resolve, reject) => {
    let finished = false;
    const runHere = (reason: string): void => {
      if (finished || stopped) return;
      finished = true;
      warnings.push(`A scan thread failed (${reason}); its ports were scanned on the main thread.`);
      void worker.terminate();
      local = fallback();
      local.outcome.then(resolve, reject);
    };
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') {
        onSettled(message.settled);
      } else if (!finished) {
        finished = true;
        resolve(message.outcome);
        void worker.terminate();
      }
    });
    worker.on('error', (error) => runHere(error.message));
    worker.on('exit', (code) => runHere(`exit code ${code}`));
  });
  return {
    outcome,
    stop: () => {
      stopped = true;
      // terminate() stops the thread's JavaScript at once and closes every handle it owns: its sockets included.
      void worker.terminate();
      local?.stop();
    },
  };
}

function runWorker(data: WorkerData): void {
  const port = parentPort;
  if (!port) return;
  // Every refused port makes Node build an Error, and capturing its stack trace cost about 0.4 s of CPU per
  // 65,535 refused ports, a sixth of the whole scan's (measured in the lab). Nobody reads those stacks, and this
  // thread runs nothing but the scan, so turning capture off here changes nothing for the program that started it.
  Error.stackTraceLimit = 0;
  let lastPost = 0;
  const shard = new ConnectShard(data.job.target, data.job.ports, data.job.tuning, (settled) => {
    const now = Date.now();
    if (now - lastPost < PROGRESS_EVERY_MS) return;
    lastPost = now;
    port.postMessage({ type: 'progress', settled } satisfies WorkerMessage);
  });
  void shard.run().then((outcome) => {
    port.postMessage({ type: 'done', outcome } satisfies WorkerMessage, [outcome.states.buffer as ArrayBuffer]);
  });
}

if (!isMainThread && (workerData as Partial<WorkerData> | null)?.kind === KIND) runWorker(workerData as WorkerData);
