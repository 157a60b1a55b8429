import { randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { makePrivateDir } from '../../../common/private-dir.js';
import { join } from 'node:path';

/** One outgoing plain-text mail. Addresses must already be validated (no CR/LF, no display names). */
export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** RFC 5322 date-time in JST, e.g. `Mon, 23 Nov 2026 16:45:02 +0900`. */
export function rfc5322Date(d: Date): string {
  const j = new Date(d.getTime() + 9 * 60 * 60 * 1000);
  return (
    `${WEEKDAYS[j.getUTCDay()]}, ${two(j.getUTCDate())} ${MONTHS[j.getUTCMonth()]} ${j.getUTCFullYear()} ` +
    `${two(j.getUTCHours())}:${two(j.getUTCMinutes())}:${two(j.getUTCSeconds())} +0900`
  );
}

/**
 * RFC 2047 encoded-words (`=?UTF-8?B?…?=`) for a non-ASCII header value, split on character
 * boundaries so each word stays within 75 characters, folded with CRLF SP.
 */
export function encodeHeaderWords(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  const words: string[] = [];
  let chunk = '';
  for (const ch of value) {
    // 45 bytes of UTF-8 become 60 base64 characters: 72 with the `=?UTF-8?B?` and `?=` around them.
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\r\n ');
}

/** The full RFC 5322 message (CRLF line ends, UTF-8 body sent as 8bit). */
export function formatMail(mail: OutgoingMail, now: Date, messageId: string): string {
  for (const v of [mail.from, mail.to]) if (/[\r\n<>,;"]/.test(v)) throw new TypeError('formatMail: address must be a bare address');
  const headers = [
    `From: ${mail.from}`,
    `To: ${mail.to}`,
    `Subject: ${encodeHeaderWords(mail.subject)}`,
    `Date: ${rfc5322Date(now)}`,
    `Message-ID: <${messageId}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  const body = mail.text.replace(/\r?\n/g, '\r\n');
  return `${headers.join('\r\n')}\r\n\r\n${body}${body.endsWith('\r\n') ? '' : '\r\n'}`;
}

/**
 * The demo's outgoing mail: each message becomes one `.eml` file under `dir` (written under a
 * temporary name and renamed, so a reader never sees half a message). Returns the file path.
 */
export async function writeMailFile(dir: string, mail: OutgoingMail, now: Date): Promise<string> {
  await makePrivateDir(dir);
  const id = randomBytes(12).toString('hex');
  const domain = mail.from.slice(mail.from.indexOf('@') + 1) || 'localhost';
  const text = formatMail(mail, now, `${id}@${domain}`);
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const path = join(dir, `${stamp}-${id}.eml`);
  const tmp = `${path}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, path);
  return path;
}
