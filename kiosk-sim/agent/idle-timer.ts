import { systemClock, type TimerClock } from '../../services/common/clock.js';

/**
 * The idle timeout of a kiosk screen: armed on every screen that holds a session, restarted by
 * every touch, and calling `onIdle` once it runs out. Time comes from `clock` (tests pass a
 * ManualClock and advance it).
 */
export class IdleTimer {
  #cancel: (() => void) | undefined;
  #deadline: number | undefined;

  constructor(
    readonly ms: number,
    private readonly onIdle: () => void,
    private readonly clock: TimerClock = systemClock,
  ) {}

  /** Epoch ms at which the current screen times out, when armed. */
  get deadline(): number | undefined {
    return this.#deadline;
  }

  arm(): void {
    this.stop();
    this.#deadline = this.clock.now().getTime() + this.ms;
    this.#cancel = this.clock.setTimer(() => {
      this.#cancel = undefined;
      this.#deadline = undefined;
      this.onIdle();
    }, this.ms);
  }

  stop(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    this.#deadline = undefined;
  }
}
