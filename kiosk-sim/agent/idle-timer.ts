/**
 * The idle timeout of a kiosk screen: armed on every screen that holds a session, restarted by
 * every touch, and calling `onIdle` once it runs out.
 */
export class IdleTimer {
  #timer: NodeJS.Timeout | undefined;
  #deadline: number | undefined;

  constructor(
    readonly ms: number,
    private readonly onIdle: () => void,
  ) {}

  /** Epoch ms at which the current screen times out, when armed. */
  get deadline(): number | undefined {
    return this.#deadline;
  }

  arm(): void {
    this.stop();
    this.#deadline = Date.now() + this.ms;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#deadline = undefined;
      this.onIdle();
    }, this.ms);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#deadline = undefined;
  }
}
