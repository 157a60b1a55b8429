import { monitorEventLoopDelay } from 'node:perf_hooks';
import { decodeAndCheck } from './checks.js';
import { demoKioskIdentities } from './kiosk-client.js';
import { runKiosk, type LoopOptions, type SimKiosk } from './kiosk-loop.js';
import { MachineSampler, ProcessSampler, type ProcessFigures } from './process-metrics.js';
import { RunState } from './run-state.js';
import type { LoadStack } from './stack.js';

export interface LoadOptions {
  kiosks: number;
  durationS: number;
  /** Not counted: the first seconds while connections open and caches warm (default min(5, duration/5)). */
  warmupS?: number;
  /** Target issuances per second of the whole fleet (each kiosk paced to kiosks/rate s); unset = back to back. */
  rate?: number;
  /** 'all' decodes every document's QR codes (check run); a number decodes that share (speed run). */
  decode: 'all' | number;
  /** Cap on documents decoded after a speed run. */
  maxDecode?: number;
  overseasShare?: number;
  /**
   * Called once a second with the state (fault scripts act on the timeline); `extendTo(s)` keeps
   * the kiosks running until second `s` at least (a repair that took long still gets its window).
   */
  onTick?: (state: RunState, second: number, extendTo: (second: number) => void) => void | Promise<void>;
}

/** What a load run measured and found. */
export interface LoadReport {
  options: LoadOptions;
  relays: number;
  windowS: number;
  state: RunState;
  relayFigures: ProcessFigures[];
  vrsFigures?: ProcessFigures;
  redisFigures?: ProcessFigures;
  generatorCpuPercent: number;
  /** How late the generator's own event loop ran timers during the run (ms): its lag is in every latency it measures. */
  generatorLoopDelay: { p99: number; max: number };
  /** The whole machine in the window: CPU of every process (in % of one core) and load average. */
  machine: { busyPercent: number; cores: number; loadAverage: string };
}

/**
 * Runs `kiosks` simulated kiosks against the stack's relays for `durationS` seconds (kiosk n on
 * relay n mod K, moving on when its line fails), then decodes the kept documents and returns the
 * figures. Holders are spread so that no two kiosks present the same card when there are at
 * least as many cards as kiosks.
 */
export async function runLoad(stack: LoadStack, options: LoadOptions): Promise<LoadReport> {
  const identities = demoKioskIdentities();
  const state = new RunState();
  const cards = stack.cards;
  const kiosks: SimKiosk[] = Array.from({ length: options.kiosks }, (_, n) => ({
    n,
    identity: identities[n % identities.length]!,
    relayUrls: stack.relayUrls,
    relay: n % stack.relayUrls.length,
    cards:
      cards.length >= options.kiosks
        ? cards.filter((_c, i) => i % options.kiosks === n)
        : [...cards.slice(n % cards.length), ...cards.slice(0, n % cards.length)],
    next: 0,
  }));
  const warmupS = options.warmupS ?? Math.min(5, options.durationS / 5);
  const samplers = stack.relays.map((r) => (r.pid ? new ProcessSampler(r.pid) : undefined));
  const vrsSampler = stack.vrs.pid ? new ProcessSampler(stack.vrs.pid) : undefined;
  const redisSampler = stack.redis?.pid ? new ProcessSampler(stack.redis.pid) : undefined;
  const machine = new MachineSampler();
  const decodeShare = options.decode === 'all' ? 1 : options.decode;
  const maxDecode = options.decode === 'all' ? Infinity : (options.maxDecode ?? 50);

  state.measuring = warmupS <= 0;
  state.t0 = performance.now();
  const until = state.t0 + (warmupS + options.durationS) * 1000;
  const cpu0 = process.cpuUsage();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  let windowStart = state.t0;
  const startWindow = () => {
    state.measuring = true;
    windowStart = performance.now();
    samplers.forEach((s) => s?.start());
    vrsSampler?.start();
    redisSampler?.start();
    machine.start();
  };
  if (warmupS <= 0) startWindow();
  let second = 0;
  const ticker = setInterval(() => {
    second++;
    if (second === Math.round(warmupS) && !state.measuring) startWindow();
    void options.onTick?.(state, second, (s) => {
      loopOptions.until = Math.max(loopOptions.until, state.t0 + s * 1000);
    });
  }, 1000);
  const windowEnd = new Promise<number>((resolve) =>
    setTimeout(() => {
      state.measuring = false;
      resolve(performance.now());
    }, until - performance.now()),
  );

  const loopOptions: LoopOptions = {
    state,
    until,
    periodS: options.rate ? options.kiosks / options.rate : 0,
    keepForDecode: () => state.decodeQueue.length < maxDecode && Math.random() < decodeShare,
    ...(options.overseasShare === undefined ? {} : { overseasShare: options.overseasShare }),
  };
  await Promise.all(kiosks.map((k) => runKiosk(k, loopOptions)));
  const ended = await windowEnd;
  clearInterval(ticker);
  if (!state.measuring && windowStart === state.t0 && warmupS > 0) startWindow();
  const relayFigures = samplers.map((s) => s?.stop()).filter((f): f is ProcessFigures => f !== undefined);
  const vrsFigures = vrsSampler?.stop();
  const redisFigures = redisSampler?.stop();
  const machineFigures = machine.stop();
  const cpu = process.cpuUsage(cpu0);
  loopDelay.disable();
  const windowS = Math.max(0.001, (ended - windowStart) / 1000);
  identities.forEach((i) => i.close());

  for (const { holder, doc } of state.decodeQueue) {
    const problems = await decodeAndCheck(holder, doc).catch((e: unknown) => [`decode failed: ${(e as Error).message}`]);
    state.decoded++;
    if (problems.length > 0) state.mismatch(`document ${doc.headers.certificateId ?? '?'}: ${problems.join('; ')}`);
  }
  return {
    options,
    relays: stack.relayUrls.length,
    windowS,
    state,
    relayFigures,
    ...(vrsFigures ? { vrsFigures } : {}),
    ...(redisFigures ? { redisFigures } : {}),
    machine: machineFigures,
    generatorCpuPercent: ((cpu.user + cpu.system) / 1e6 / ((performance.now() - state.t0) / 1000)) * 100,
    generatorLoopDelay: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
  };
}
