import { Cluster, Redis } from 'ioredis';

/** What the one-time store still holds after a run. */
export interface StoreAudit {
  keys: number;
  /** Keys of sessions the kiosks ended (step 7): must be none. */
  endedSessionKeys: string[];
  /** Request or document keys of sessions whose request VRS's timeout aborted: must be none. */
  abortedRequestKeys: string[];
  /** Keys outside the `relay:{…}:` namespace with a session hash tag or the outbox tag. */
  untagged: string[];
  /** Completion notices still waiting in the outbox. */
  outboxPending: number;
  /** Their certificate IDs. */
  pendingIds: string[];
}

async function scanAll(node: Redis): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', '*', 'COUNT', 1000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== '0');
  return out;
}

/** Opens a client on a Redis URL or on cluster seed nodes `host:port,…`. */
export function redisClient(target: { url: string } | { clusterNodes: string }): Redis | Cluster {
  if ('url' in target) return new Redis(target.url, { maxRetriesPerRequest: 2 });
  return new Cluster(target.clusterNodes.split(',').map((n) => ({ host: n.split(':')[0]!, port: Number(n.split(':')[1]) })));
}

/** Every key of the store (SCAN on each master of a cluster). */
export async function allKeys(client: Redis | Cluster): Promise<string[]> {
  if (client instanceof Cluster) {
    const keys = await Promise.all(client.nodes('master').map((n) => scanAll(n)));
    return keys.flat();
  }
  return scanAll(client);
}

/**
 * Scans the one-time store after a run (Redis SCAN, every master of a cluster): sessions the
 * kiosks ended hold nothing, requests aborted by a timeout left nothing, every key carries a
 * hash tag, and the outbox has drained.
 */
export async function auditStore(client: Redis | Cluster, run: { endedSessions: string[]; timedOutSessions: string[] }): Promise<StoreAudit> {
  const keys = await allKeys(client);
  const ended = new Set(run.endedSessions);
  const aborted = new Set(run.timedOutSessions);
  const audit: StoreAudit = { keys: keys.length, endedSessionKeys: [], abortedRequestKeys: [], untagged: [], outboxPending: 0, pendingIds: [] };
  for (const k of keys) {
    const m = /^relay:\{([^}]+)\}:(.*)$/.exec(k);
    if (!m) {
      audit.untagged.push(k);
      continue;
    }
    const [, tag, rest] = m;
    if (ended.has(tag!)) audit.endedSessionKeys.push(k);
    if (aborted.has(tag!) && /^(req|doc):/.test(rest!)) audit.abortedRequestKeys.push(k);
  }
  audit.pendingIds = await client.hkeys('relay:{outbox}:entries');
  audit.outboxPending = audit.pendingIds.length;
  return audit;
}
