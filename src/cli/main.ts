import { isExposureError } from '../core/errors.js';
import { terminalSafe } from '../report/sanitize.js';
import { TOOL_VERSION } from '../version.js';
import { COMMAND_HELP, MAIN_HELP } from './help.js';
import { EXIT, type Io } from './io.js';

type Command = (argv: readonly string[], io: Io, signal: AbortSignal) => Promise<number> | number;

/**
 * Each command is a module loaded when it runs (decision 0013): `--version` and `help` load this file, the help
 * text and the error registry; a scan does not pay for fastify, the SQLite driver or the scheduler, and `history`
 * does not pay for the probes. The commands import io.ts, never this file, so no import cycle runs through here.
 */
const COMMANDS: ReadonlyMap<string, Command> = new Map<string, Command>([
  ['scan', async (argv, io, signal) => (await import('./commands/scan.js')).scanCommand(argv, io, signal)],
  ['agent', async (argv, io, signal) => (await import('./agent.js')).agentCommand(argv, io, signal)],
  ['history', async (argv, io) => (await import('./history.js')).historyCommand(argv, io)],
  ['diff', async (argv, io) => (await import('./history.js')).diffCommand(argv, io)],
  ['alerts', async (argv, io) => (await import('./history.js')).alertsCommand(argv, io)],
  ['watch', async (argv, io, signal) => (await import('./watch.js')).watchCommand(argv, io, signal)],
  ['serve', async (argv, io, signal) => (await import('./serve.js')).serveCommand(argv, io, signal)],
]);

/** The whole program as a function: tests call it in-process with their own streams. */
export async function main(argv: readonly string[], io: Io = { stdout: process.stdout, stderr: process.stderr }, signal: AbortSignal = new AbortController().signal): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout.write(MAIN_HELP);
      return command === undefined ? EXIT.error : EXIT.ok;
    }
    if (command === '--version' || command === '-V') {
      io.stdout.write(`${TOOL_VERSION}\n`);
      return EXIT.ok;
    }
    const help = COMMAND_HELP.get(command);
    if (help !== undefined && rest.length === 1 && (rest[0] === '--help' || rest[0] === '-h')) {
      io.stdout.write(help);
      return EXIT.ok;
    }
    const run = COMMANDS.get(command);
    if (run !== undefined) return await run(rest, io, signal);
    io.stderr.write(`exposure: unknown command "${terminalSafe(command)}"\n\n${MAIN_HELP}`);
    return EXIT.error;
  } catch (error) {
    if (isExposureError(error)) {
      io.stderr.write(`exposure: ${error.code}: ${terminalSafe(error.message)}\n${error.hint ? `  ${terminalSafe(error.hint)}\n` : ''}`);
    } else {
      io.stderr.write(`exposure: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n  This is a bug; please report it.\n`);
    }
    return EXIT.error;
  }
}
