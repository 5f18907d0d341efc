import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { createError, isExposureError, type ExposureError } from '../core/errors.js';

/**
 * Checks made before a scan touches the network: an option that can only fail is refused in milliseconds, not
 * after a full scan. Each says what to do. Nothing here creates anything that outlives the check.
 * This file: --output, checked before the scan and written atomically after it.
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
