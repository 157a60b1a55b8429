import { describe, expect, it } from 'vitest';
import { encodeHeaderWords, formatMail, rfc5322Date } from '../../../services/vrs/portal/auth/mail-writer.js';

const decodeWords = (header: string): string =>
  header
    .split('\r\n ')
    .map((w) => {
      const m = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/.exec(w);
      if (!m) throw new Error(`not an encoded-word: ${w}`);
      return Buffer.from(m[1]!, 'base64').toString('utf8');
    })
    .join('');

describe('one-time code mail format', () => {
  it('encodes a long Japanese subject as RFC 2047 words of at most 75 characters, split on character boundaries', () => {
    const subject = '【ワクチン接種記録システム】ログイン用確認コードのお知らせ（このメールには返信できません）🔐';
    const encoded = encodeHeaderWords(subject);
    for (const w of encoded.split('\r\n ')) expect(w.length).toBeLessThanOrEqual(75);
    expect(decodeWords(encoded)).toBe(subject);
    expect(encodeHeaderWords('Login code')).toBe('Login code');
  });

  it('writes the date in JST and CRLF line ends, and refuses header injection', () => {
    expect(rfc5322Date(new Date('2026-06-15T15:04:05Z'))).toBe('Tue, 16 Jun 2026 00:04:05 +0900');
    const text = formatMail(
      { from: 'no-reply@vrs.example.lg.jp', to: 'a@city.example.lg.jp', subject: '確認コード', text: 'line 1\nline 2' },
      new Date(0),
      'x@y',
    );
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(text.endsWith('line 1\r\nline 2\r\n')).toBe(true);
    expect(() =>
      formatMail({ from: 'no-reply@vrs.example.lg.jp', to: 'a@b.lg.jp\r\nBcc: x@evil.example', subject: 's', text: 't' }, new Date(0), 'x@y'),
    ).toThrow(TypeError);
  });
});
