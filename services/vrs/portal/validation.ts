import { BadRequestError } from '../../common/errors.js';
import { jstParts } from '../../common/clock.js';

/** The start of a JST calendar day (`YYYY-MM-DD`) as an instant, or undefined for an impossible date. */
export function jstDayStart(day: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const d = new Date(`${day}T00:00:00+09:00`);
  if (Number.isNaN(d.getTime()) || jstParts(d).date !== day) return undefined;
  return d;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A half-open interval [start, end) of instants covering the JST days `from`..`to` inclusive. */
export interface JstRange {
  from: string | null;
  to: string | null;
  start: Date | null;
  end: Date | null;
}

/** Reads optional `from` / `to` JST days from a query; `from` after `to` is refused. */
export function jstRange(from: string | undefined, to: string | undefined): JstRange {
  const start = from === undefined ? null : jstDayStart(from);
  const toStart = to === undefined ? null : jstDayStart(to);
  if (start === undefined) throw new BadRequestError('from must be a date YYYY-MM-DD', [{ field: 'from', rule: 'date' }]);
  if (toStart === undefined) throw new BadRequestError('to must be a date YYYY-MM-DD', [{ field: 'to', rule: 'date' }]);
  if (start && toStart && start > toStart) throw new BadRequestError('from is after to', [{ field: 'from', rule: 'order' }]);
  return { from: from ?? null, to: to ?? null, start, end: toStart ? new Date(toStart.getTime() + DAY_MS) : null };
}

/** An lg.jp mail address (LGWAN): `local@lg.jp` or `local@<sub>.lg.jp`, in a strict character set. */
const LG_JP_ADDRESS = /^[a-z0-9._%+-]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*lg\.jp$/;

/** Lower-cases and checks an lg.jp address; undefined when it is not one. */
export function lgJpAddress(email: string): string | undefined {
  const e = email.trim().toLowerCase();
  return e.length <= 254 && LG_JP_ADDRESS.test(e) ? e : undefined;
}
