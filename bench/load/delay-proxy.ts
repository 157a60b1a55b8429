import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy on loopback in front of VRS that can hold back every byte VRS sends by `delayMs`
 * (TLS passes through untouched). With a delay beyond the relay's VRS_TIMEOUT_MS it makes "VRS
 * slower than the timeout" happen for real: VRS still does the work, its answer just arrives late.
 */
export class DelayProxy {
  delayMs = 0;
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  #port = 0;

  constructor(readonly target: { host: string; port: number }) {
    this.#server = net.createServer((client) => this.#pipe(client));
  }

  get port(): number {
    return this.#port;
  }

  async listen(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  #pipe(client: net.Socket): void {
    const upstream = net.connect(this.target.port, this.target.host);
    this.#sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.#sockets.delete(client);
      this.#sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      const d = this.delayMs;
      if (d <= 0) client.write(chunk);
      else {
        // Keep order: a later chunk never overtakes an earlier held one.
        upstream.pause();
        setTimeout(() => {
          if (!client.destroyed) client.write(chunk);
          upstream.resume();
        }, d);
      }
    });
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
