/**
 * What every command shares with the dispatcher: its streams and its exit codes. A leaf module, so that the
 * commands (loaded on demand by main.ts) never import main.ts back.
 */

/** 3 (incomplete) is below 1: a finding that reaches --fail-on says more than a view that could not look. */
export const EXIT = { ok: 0, findings: 1, error: 2, incomplete: 3 } as const;

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}
