import { createError } from '../../core/errors.js';
import { connectEngine } from './connect.js';
import { createNmapEngine, findNmap, nmapEngine } from './nmap.js';
import type { EngineChoice } from './engine-choice.js';
import type { PortScanEngine } from './types.js';

export { ENGINE_CHOICES, type EngineChoice } from './engine-choice.js';

/**
 * auto: nmap when it is installed (better service detection), the built-in engine otherwise. synScan asks nmap
 * for -sS, which it uses only when running as root (the engine falls back to -sT with a warning otherwise).
 */
export async function selectEngine(choice: EngineChoice, synScan = false): Promise<PortScanEngine> {
  if (choice === 'connect') return connectEngine;
  const nmap = await findNmap();
  if (nmap) return synScan ? createNmapEngine({ synScan: true }) : nmapEngine;
  if (choice === 'nmap') {
    throw createError('EXP_ERR_ENGINE_UNAVAILABLE', 'nmap is not installed (or not on PATH)', {
      hint: 'Install it (Debian/Ubuntu: apt-get install nmap), or use --engine connect, the built-in engine.',
    });
  }
  return connectEngine;
}
