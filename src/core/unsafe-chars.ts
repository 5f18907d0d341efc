/**
 * Characters that must never reach a reader as they are: C0 controls, DEL and C1 (ANSI escape sequences live here)
 * and the invisible or direction-changing marks (bidi overrides, zero-width characters, line and paragraph
 * separators, BOM) that reorder or hide what the eye reads ("Trojan Source"). One list for every place that
 * cleans or escapes text from the network.
 */
const BEYOND_C0 = '\\u007f-\\u009f\\u200b-\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff';

export const UNSAFE_CHARS = new RegExp(`[\\u0000-\\u001f${BEYOND_C0}]`, 'gu');
/** The same without C0, for text whose C0 controls are already escaped (JSON.stringify output). */
export const UNSAFE_CHARS_BEYOND_C0 = new RegExp(`[${BEYOND_C0}]`, 'gu');
