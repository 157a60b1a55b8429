/**
 * Issue 15, unknown errors: a bare 500 was logged as 'unexpected error' with no stack, and the
 * `*.name` redaction blanked `err.name`. Now the one log line names the class and the stack frames
 * (file:line), and a message that is not our own fixed text appears only as a fingerprint: a
 * library's message can carry request values, here a seeded resident's name and My Number.
 */
import { Writable } from 'node:stream';
import express from 'express';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { demoResidents } from '../../certs/demo-cast.js';
import { problemHandler } from '../../services/common/errors.js';
import { UpstreamError } from '../../services/relay/relay-errors.js';
import { createLogger } from '../../services/common/logger.js';

/** Looks like a database driver's error: its message quotes the row that failed. */
class DriverLikeError extends Error {
  override name = 'DriverLikeError';
}

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, log: createLogger({ service: 'test', level: 'info', destination }) };
}

const resident = demoResidents[0]!;
const fullName = `${resident.familyName} ${resident.givenName}`;

describe('the log line of an unknown error', () => {
  it('has the class and file:line frames, a fingerprint instead of the message, and neither name nor My Number', async () => {
    const { lines, log } = capture();
    const app = express();
    app.get('/boom', () => {
      throw new DriverLikeError(`duplicate key value: Key (my_number, name)=(${resident.myNumber}, ${fullName}) already exists`);
    });
    app.use(problemHandler(log));
    const res = await supertest(app).get('/boom').expect(500);
    expect(res.body).toMatchObject({ code: 'ERR_INTERNAL' });
    expect(JSON.stringify(res.body)).not.toContain(resident.myNumber);
    const errors = lines
      .map((l) => JSON.parse(l) as { level: number; err?: { name: string; frames: string[]; fingerprint?: string; message?: string } })
      .filter((l) => l.level >= 50);
    expect(errors).toHaveLength(1);
    const err = errors[0]!.err!;
    expect(err.name).toBe('DriverLikeError');
    expect(err.frames[0]).toMatch(/tests\/security\/error-log\.test\.ts:\d+:\d+$/);
    expect(err.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(err.message).toBeUndefined();
    const text = lines.join('');
    expect(text).not.toContain(resident.myNumber);
    expect(text).not.toContain(resident.familyName);
    expect(text).not.toContain(resident.givenName);
  });

  it('keeps our own fixed texts readable, and still redacts a personal name field', async () => {
    const { lines, log } = capture();
    const app = express();
    app.get('/ours', () => {
      throw new UpstreamError('VRS answered with an unexpected status');
    });
    app.use(problemHandler(log));
    await supertest(app).get('/ours').expect(502);
    log.info({ person: { name: fullName }, staff: { name: fullName }, err: { name: fullName } }, 'leak attempt');
    const text = lines.join('');
    expect(text).toContain('VRS answered with an unexpected status');
    expect(text).toContain('"name":"UpstreamError"');
    expect(text).not.toContain(resident.familyName);
  });
});
