import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createError, isExposureError, type ExposureError } from '../core/errors.js';
import type { ScanOptions } from '../core/options.js';
import { defaultDbFile, openStore } from '../store/index.js';
import type { HistoryStore } from '../store/types.js';

/**
 * Checks made before a scan touches the network: an option that can only fail is refused in milliseconds, not
 * after a full scan. Each says what to do. Nothing here creates anything that outlives the check.
 */

const errnoOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** The temporary file --output writes first; the probe below creates the same name, so it meets the same limits. */
export const temporaryFileOf = (file: string): string => `${file}.${process.pid}.tmp`;

function outputError(message: string, hint: string, cause?: unknown): ExposureError {
  return createError('EXP_ERR_OUTPUT', message, { hint, ...(cause === undefined ? {} : { cause }) });
}

/**
 * --output FILE, before the scan: FILE is not a folder or a device, its folder exists, is a folder, and this
 * process can create a file in it. Writability is tested by creating (O_EXCL, mode 0600) and removing the very
 * temporary file the report will be written to, not by access(2): access answers "writable" for root on /proc and
 * /sys, read-only bind mounts and root-squashed NFS, where creating a file fails, and it says nothing about a name
 * that is too long. The probe lives for a few microseconds and never replaces anything: O_EXCL refuses a name that
 * exists, and only a file this call created is removed.
 */
export async function checkOutputFile(file: string): Promise<void> {
  if (file === '') throw outputError('--output needs a file name', 'Give a file, e.g. --output report.json; leave --output out to write to standard output.');
  const folder = path.dirname(path.resolve(file));
  try {
    const target = await stat(file);
    if (target.isDirectory()) throw outputError(`--output ${file} is a folder`, `Give a file name inside it, e.g. --output ${path.join(file, 'report.json')}.`);
    // A rename would replace the device node or FIFO itself (as root, /dev/stdout), never write to it.
    if (!target.isFile()) throw outputError(`--output ${file} is not a regular file`, 'The report is written to a temporary file and renamed over FILE, which would replace this one. To see the report, leave --output out; to discard it, redirect standard output (> /dev/null).');
  } catch (error) {
    if (isExposureError(error)) throw error;
    if (errnoOf(error) === 'ENOTDIR') throw outputError(`--output ${file}: a part of the path before the file name is a file, not a folder`, 'Check the path.', error);
    if (errnoOf(error) !== 'ENOENT') throw outputError(`--output ${file} cannot be checked: ${(error as Error).message}`, 'Check the path and the permissions of its folders.', error);
  }
  try {
    if (!(await stat(folder)).isDirectory()) throw outputError(`--output ${file}: ${folder} is not a folder`, 'Check the path.');
  } catch (error) {
    if (isExposureError(error)) throw error;
    if (errnoOf(error) === 'ENOENT') throw outputError(`--output ${file}: the folder ${folder} does not exist`, `Create it first (mkdir -p ${folder}) or choose another file.`, error);
    throw outputError(`--output ${file}: the folder ${folder} cannot be used: ${(error as Error).message}`, 'Check the path and the permissions of its folders.', error);
  }
  // The probe is the very file the report will be written to first, so it fails exactly where the write would.
  const probe = await openTemporary(file);
  await probe.handle.close();
  await unlink(probe.temporary);
}

/** FILE's temporary name, created new (O_EXCL, mode 0600: never through a link someone left in the way). */
async function openTemporary(file: string): Promise<{ temporary: string; handle: FileHandle }> {
  const temporary = temporaryFileOf(file);
  try {
    return { temporary, handle: await open(temporary, 'wx', 0o600) };
  } catch (error) {
    throw temporaryFileError(file, temporary, error);
  }
}

function temporaryFileError(file: string, temporary: string, error: unknown): ExposureError {
  const folder = path.dirname(path.resolve(file));
  switch (errnoOf(error)) {
    case 'EEXIST':
      return outputError(`--output ${file}: ${temporary} is in the way (the report is written there first, then renamed)`, `It is a leftover; delete it (rm ${temporary}) and run again.`, error);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return outputError(`--output ${file}: this user cannot create files in ${folder} (${errnoOf(error)})`, 'Choose a folder you can write to, or fix its permissions (ls -ld on the folder shows them).', error);
    case 'ENAMETOOLONG':
      return outputError(`--output ${file}: the file name is too long`, 'Choose a shorter name.', error);
    case 'ENOSPC':
    case 'EDQUOT':
      return outputError(`--output ${file}: no space left in ${folder}`, 'Free some space or choose a folder on another disk.', error);
    case 'ENOENT':
      return outputError(`--output ${file}: the folder ${folder} no longer exists`, `Create it (mkdir -p ${folder}) and run again.`, error);
    default:
      return outputError(`Cannot write ${file}: ${(error as Error).message}`, 'Check that the folder exists and is writable.', error);
  }
}

/** The steps of an atomic write, replaceable so a test can make one fail as a full disk would. */
export interface WriteSteps {
  write: (handle: FileHandle, content: string) => Promise<void>;
  rename: (from: string, to: string) => Promise<void>;
}

const REAL_STEPS: WriteSteps = { write: (handle, content) => handle.writeFile(content), rename };

/**
 * Writes FILE by writing a temporary file beside it (O_EXCL, mode 0600: never through a link someone left in the
 * way) and renaming it over FILE. A failed write or rename removes the temporary file; a temporary name that was
 * already taken is not ours and is left alone.
 */
export async function writeAtomically(file: string, content: string, steps: WriteSteps = REAL_STEPS): Promise<void> {
  const { temporary, handle } = await openTemporary(file);
  try {
    try {
      await steps.write(handle, content);
    } finally {
      await handle.close();
    }
    await steps.rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    if (errnoOf(error) === 'EISDIR' || errnoOf(error) === 'ENOTEMPTY' || errnoOf(error) === 'EEXIST') {
      throw outputError(`Cannot write ${file}: a folder of that name appeared during the scan`, 'Move the folder away or choose another file, and run again.', error);
    }
    if (errnoOf(error) === 'ENOSPC' || errnoOf(error) === 'EDQUOT') throw outputError(`Cannot write ${file}: the disk is full`, 'Free some space or choose a folder on another disk, and run again.', error);
    if (errnoOf(error) === 'ENOENT') throw outputError(`Cannot write ${file}: its folder was removed during the scan`, 'Create the folder again and run again.', error);
    throw outputError(`Cannot write ${file}: ${(error as Error).message}`, 'Check that the folder exists and is writable, and run again.', error);
  }
}

/** What the engine checks need to know about this machine; tests replace it. */
export interface Machine {
  isRoot: () => boolean;
  nmapInstalled: () => Promise<boolean>;
}

export const THIS_MACHINE: Machine = {
  // The same test the nmap engine makes (src/net/portscan/nmap.ts) before it uses -sS: uid 0, not CAP_NET_RAW.
  // nmap with only the capability still needs --privileged (or NMAP_PRIVILEGED) to try raw sockets, which the
  // engine never passes, so accepting the capability here would let a scan through that then runs -sT anyway.
  isRoot: () => process.getuid?.() === 0,
  // Loaded only when asked: history and diff share this file and never scan.
  nmapInstalled: async () => (await (await import('../net/portscan/nmap.js')).findNmap()) !== undefined,
};

function usage(message: string, hint: string): ExposureError {
  return createError('EXP_ERR_USAGE', message, { hint });
}

/**
 * --syn-scan and --engine, before the scan. The local engine scans only when the outside view runs from this
 * machine (--no-wan and --vantage both leave it idle: the agent picks its own engine), so --syn-scan is refused
 * with either of them rather than silently ignored; --engine nmap without nmap is refused here instead of after
 * the router has been read.
 */
export async function checkScanEngine(options: ScanOptions, machine: Machine = THIS_MACHINE): Promise<void> {
  if (options.synScan) {
    if (options.vantageUrl !== undefined) {
      throw usage('--syn-scan applies to scans run from this machine; with --vantage the agent scans with its own engine', 'Start the agent with "exposure agent --syn-scan" (as root) and drop --syn-scan here.');
    }
    if (!options.wan) throw usage('--syn-scan and --no-wan contradict each other: with --no-wan no port is scanned', 'Drop one of them.');
    if (options.engine === 'connect') throw usage('--syn-scan needs nmap, and --engine connect is the built-in connect engine', 'Use --engine nmap (or auto), or drop --syn-scan.');
    if (!machine.isRoot()) {
      throw createError('EXP_ERR_SYN_SCAN_NEEDS_ROOT', 'A SYN scan (--syn-scan, nmap -sS) needs raw sockets, and this process does not run as root', {
        hint: 'Run as root (e.g. sudo exposure scan ...) or drop --syn-scan: the connect scan finds the same open ports.',
      });
    }
  }
  const localEngine = options.wan && options.vantageUrl === undefined;
  if (localEngine && (options.synScan || options.engine === 'nmap') && !(await machine.nmapInstalled())) {
    throw createError('EXP_ERR_ENGINE_UNAVAILABLE', `${options.synScan ? '--syn-scan' : '--engine nmap'} needs nmap, which is not installed (or not on PATH)`, {
      hint: `Install it (Debian/Ubuntu: apt-get install nmap), or ${options.synScan ? 'drop --syn-scan' : 'use --engine connect, the built-in engine'}.`,
    });
  }
}

/** A fix-it hint for the history database's failures, from the underlying error's code. */
function dbHint(file: string, cause: unknown): string | undefined {
  const folder = path.dirname(file);
  switch (errnoOf(cause)) {
    case 'SQLITE_NOTADB':
      return `${file} is not an exposure-scanner history database (not SQLite, or damaged); it is left untouched. Pass another file with --db, or move this one away.`;
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_READONLY':
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return `This user cannot write ${file} or its folder ${folder}: choose another file with --db, or fix the permissions (ls -ld ${folder}).`;
    case 'ENOTDIR':
    case 'EEXIST':
      return `A part of the path ${folder} is a file, not a folder: check the path given with --db.`;
    case 'EISDIR':
      return `${file} is a folder: give a file inside it, e.g. --db ${path.join(file, 'history.db')}.`;
    case 'ENOSPC':
    case 'SQLITE_FULL':
      return `The disk holding ${folder} is full: free some space or choose a file on another disk with --db.`;
    default:
      return undefined;
  }
}

/**
 * openStore with a hint that names the cause (not a database, no permission, a file where a folder should be).
 * Every command opens its database before any other work, so these are found before a scan or a schedule starts.
 */
export function openHistory(file: string | undefined): HistoryStore {
  try {
    return openStore(file === undefined ? {} : { file });
  } catch (error) {
    if (!isExposureError(error, 'EXP_ERR_DB_OPEN')) throw error;
    const hint = dbHint(path.resolve(file ?? defaultDbFile()), error.cause);
    if (hint === undefined) throw error;
    throw createError('EXP_ERR_DB_OPEN', error.message, { hint, cause: error.cause });
  }
}
