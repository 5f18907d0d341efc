import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { xdgDir } from '../core/xdg.js';
import path from 'node:path';
import { createError, type ErrorCode } from '../core/errors.js';

/** 32 random bytes: guessing is hopeless, and the rate limit makes trying slow anyway. */
const MIN_TOKEN_LENGTH = 32;

/** The servers' token files: the vantage agent's and the REST API's are separate secrets. */
export type TokenName = 'agent-token' | 'api-token';

export function defaultTokenFile(name: TokenName = 'agent-token', env: NodeJS.ProcessEnv = process.env): string {
  return path.join(xdgDir('XDG_CONFIG_HOME', env), 'exposure-scanner', name);
}

export interface LoadedToken {
  token: string;
  file: string;
  created: boolean;
}

/**
 * Reads a server's bearer token, or creates one (mode 0600) on first start. A token file that others can read
 * is refused: anyone holding the agent's token can use up its scan budget, and the API's token reads the whole
 * scan history. `code` is the error a server reports for a bad file (each server has its own config code).
 */
export async function loadOrCreateToken(file = defaultTokenFile(), code: ErrorCode = 'EXP_ERR_AGENT_CONFIG'): Promise<LoadedToken> {
  try {
    const info = await stat(file);
    if ((info.mode & 0o077) !== 0) {
      throw createError(code, `The token file ${file} is readable by other users`, { hint: `Run: chmod 600 ${file}` });
    }
    const token = (await readFile(file, 'utf8')).trim();
    if (token.length < MIN_TOKEN_LENGTH) {
      throw createError(code, `The token in ${file} is shorter than ${MIN_TOKEN_LENGTH} characters`, {
        hint: 'Delete the file to have a strong one generated, or write a longer random token into it.',
      });
    }
    return { token, file, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const token = randomBytes(32).toString('base64url');
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { token, file, created: true };
}

/** Constant-time: hashing first makes the comparison independent of the presented token's length too. */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(presented).digest();
  return timingSafeEqual(a, b);
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer ([\x21-\x7e]{1,512})$/.exec(header ?? '');
  return match?.[1];
}
