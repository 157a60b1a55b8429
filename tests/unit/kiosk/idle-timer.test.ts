import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../services/common/clock.js';
import { IdleTimer } from '../../../kiosk-sim/agent/idle-timer.js';

describe('IdleTimer on a manual clock', () => {
  it('runs out exactly its time after the last arm, once, and not after stop', () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 2, 3, 0, 0));
    const fired: number[] = [];
    const timer = new IdleTimer(1000, () => fired.push(clock.now().getTime()), clock);
    const t0 = clock.now().getTime();
    timer.arm();
    expect(timer.deadline).toBe(t0 + 1000);
    clock.advance(600);
    // A touch restarts it.
    timer.arm();
    expect(timer.deadline).toBe(t0 + 1600);
    clock.advance(999);
    expect(fired).toEqual([]);
    clock.advance(5000);
    // It saw the clock at its own due time, and fired once.
    expect(fired).toEqual([t0 + 1600]);
    expect(timer.deadline).toBeUndefined();
    timer.arm();
    timer.stop();
    clock.advance(10_000);
    expect(fired).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0);
  });

  it('fires timers in due order when the clock jumps past several', () => {
    const clock = new ManualClock(0);
    const order: string[] = [];
    clock.setTimer(() => order.push('b'), 20);
    clock.setTimer(() => order.push('a'), 10);
    // A timer set by a timer fires in the same jump when it falls due within it.
    clock.setTimer(() => clock.setTimer(() => order.push('c'), 3), 15);
    clock.set(100);
    expect(order).toEqual(['a', 'c', 'b']);
    expect(clock.now().getTime()).toBe(100);
  });
});
