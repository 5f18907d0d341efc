import type { Socket } from 'node:net';

export interface BannerLimits {
  /** Most bytes kept; the rest of what the service sends is never read. */
  maxBytes: number;
  /** How long the service gets, from the moment the connection is up, to speak first. */
  waitMs: number;
}

/**
 * Waits for a service to speak first (SSH, FTP, SMTP, a QNAP helper daemon) and resolves with what it said, or
 * undefined when it said nothing. Nothing is ever written: a connect scan must not send data to a device the
 * owner did not ask us to talk to, and a probe that sends nothing cannot trigger anything on the other side.
 * The caller owns the socket and destroys it afterwards.
 */
export function readBanner(socket: Socket, limits: BannerLimits): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', finish);
      socket.off('close', finish);
      socket.off('error', finish);
      // Stop reading at once: a service that streams must not make us buffer more than maxBytes.
      socket.pause();
      resolve(length === 0 ? undefined : escapeBanner(Buffer.concat(chunks, length)));
    };
    const onData = (chunk: Buffer): void => {
      const take = Math.min(chunk.length, limits.maxBytes - length);
      // A copy, so the (up to 64 KiB) read buffer the chunk lives in is not kept alive by a few bytes of it.
      chunks.push(Buffer.from(chunk.subarray(0, take)));
      length += take;
      if (length >= limits.maxBytes) finish();
    };
    const timer = setTimeout(finish, limits.waitMs);
    socket.on('data', onData);
    socket.once('end', finish);
    socket.once('close', finish);
    socket.once('error', finish);
  });
}

const NAMED: Readonly<Record<number, string>> = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r', 0x5c: '\\\\' };

/**
 * Banners are kept escaped, here, not by the renderer: printable ASCII stays as is, backslash, tab, CR and LF get
 * their C escapes and every other byte becomes `\xNN`. The result is plain ASCII, so it is safe in a terminal,
 * in JSON and in a log, and it is lossless: the bytes the service sent can be read back exactly (a UTF-8 decode
 * would hide binary banners behind replacement characters, a latin1 one would let control bytes through).
 */
export function escapeBanner(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) {
    const named = NAMED[byte];
    if (named !== undefined) text += named;
    else if (byte >= 0x20 && byte <= 0x7e) text += String.fromCharCode(byte);
    else text += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return text;
}
