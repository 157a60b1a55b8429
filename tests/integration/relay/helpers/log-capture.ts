import type { DestinationStream } from 'pino';

/** A pino destination that keeps every line (the privacy sweep reads them all). */
export class LogCapture implements DestinationStream {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
  /** Every line containing `needle`. */
  find(needle: string): string[] {
    return this.lines.filter((l) => l.includes(needle));
  }
  json(): Array<Record<string, unknown>> {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}
