import { createError } from '../../core/errors.js';
import { connectEngine } from './connect.js';
import { findNmap, nmapEngine } from './nmap.js';
import type { PortScanEngine } from './types.js';

export type EngineChoice = 'auto' | 'nmap' | 'connect';
export const ENGINE_CHOICES: readonly EngineChoice[] = ['auto', 'nmap', 'connect'];

/** auto: nmap when it is installed (better service detection), the built-in engine otherwise. */
export async function selectEngine(choice: EngineChoice): Promise<PortScanEngine> {
  if (choice === 'connect') return connectEngine;
  const nmap = await findNmap();
  if (nmap) return nmapEngine;
  if (choice === 'nmap') {
    throw createError('EXP_ERR_ENGINE_UNAVAILABLE', 'nmap is not installed (or not on PATH)', {
      hint: 'Install it (Debian/Ubuntu: apt-get install nmap), or use --engine connect, the built-in engine.',
    });
  }
  return connectEngine;
}
