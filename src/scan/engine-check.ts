import { createError, type ExposureError } from '../core/errors.js';
import type { ScanOptions } from '../core/options.js';

/**
 * Checks made before a scan touches the network: an option that can only fail is refused in milliseconds, not
 * after a full scan. Each says what to do. Nothing here creates anything that outlives the check.
 * This file: --engine and --syn-scan, against this machine (root, nmap installed). The scan service makes them
 * for every face (the CLI, the API, schedules), so a contradiction is refused with the same code everywhere.
 */

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
  // Loaded only when asked: the nmap runner is needed only when nmap is asked for.
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
