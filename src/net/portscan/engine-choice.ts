/**
 * The --engine choices, apart from the engines: parsing a command line must not load the nmap runner and the
 * connect engine's worker code (decision 0013, fast start).
 */
export type EngineChoice = 'auto' | 'nmap' | 'connect';
export const ENGINE_CHOICES: readonly EngineChoice[] = ['auto', 'nmap', 'connect'];
