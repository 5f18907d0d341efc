/**
 * Everything a router, NAS or LAN device sends is attacker-controlled. Before it reaches a terminal, control
 * characters (C0, DEL, C1: ANSI escapes live here) and bidirectional overrides (which reorder what the eye reads,
 * "Trojan Source") are replaced by a visible escape, so the text cannot move the cursor, recolour, retitle the
 * terminal or disguise itself, and the evidence still shows what was sent.
 */
import { UNSAFE_CHARS } from '../core/unsafe-chars.js';

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE_CHARS, (char) => {
    const code = char.codePointAt(0) ?? 0;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
