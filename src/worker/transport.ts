// The snapshot wire format between the lab worker and the page (decision 0078). Every LabSnapshot
// the API returns (a snapshot, or an answer's `snapshot`) crosses postMessage as a patch against
// the snapshot sent before it; the page applies it to the one it rebuilt before. The LabApi types
// do not change: the worker wraps its API (`encodingApi`) and the client wraps the comlink proxy
// (`decodingRemote`), so every method, including ones added later, gets patches for free.

import type { Remote } from 'comlink';
import { applyPatch, diff, type PatchNode } from './patch.ts';
import type { LabSnapshot } from './types.ts';

/** A snapshot on the wire: number `seq`, as a patch of snapshot `base` (0: a whole snapshot). */
export interface WireSnapshot {
  readonly $snap: number;
  readonly base: number;
  /** null: unchanged since `base`. */
  readonly patch: PatchNode | null;
}

/** Whether `x` looks like a LabSnapshot (what the encoder replaces by a patch). */
export function isSnapshot(x: unknown): x is LabSnapshot {
  if (typeof x !== 'object' || x === null) return false;
  const s = x as Partial<LabSnapshot>;
  return typeof s.steps === 'number' && Array.isArray(s.gprs) && typeof s.vmcs === 'object' && s.vmcs !== null;
}

function isWire(x: unknown): x is WireSnapshot {
  return typeof x === 'object' && x !== null && typeof (x as WireSnapshot).$snap === 'number';
}

/** Maps a method result's snapshot (the result itself or its `snapshot` key); other results pass through. */
function mapSnapshot(result: unknown, test: (x: unknown) => boolean, f: (x: never) => unknown): unknown {
  if (test(result)) return f(result as never);
  if (typeof result === 'object' && result !== null && !Array.isArray(result) && test((result as { snapshot?: unknown }).snapshot)) {
    return { ...result, snapshot: f((result as { snapshot: unknown }).snapshot as never) };
  }
  return result;
}

/** The worker's side: numbers snapshots and sends each as a patch of the one sent before. */
export class SnapshotEncoder {
  private last: LabSnapshot | undefined;
  private seq = 0;

  /** Forgets the last snapshot: the next one goes whole. */
  reset(): void {
    this.last = undefined;
  }

  encode(s: LabSnapshot): WireSnapshot {
    const seq = ++this.seq;
    const wire: WireSnapshot = this.last === undefined
      ? { $snap: seq, base: 0, patch: { v: s } }
      : { $snap: seq, base: this.seq - 1, patch: diff(this.last, s) ?? null };
    this.last = s;
    return wire;
  }

  /** A method result with its snapshot encoded. */
  encodeResult(result: unknown): unknown {
    return mapSnapshot(result, isSnapshot, (s: LabSnapshot) => this.encode(s));
  }
}

/** The page's side: rebuilds snapshots from patches; keeps the last few by number. */
export class SnapshotDecoder {
  private readonly kept = new Map<number, LabSnapshot>();

  /** The snapshot, or undefined when its base is not known here (then ask for a whole one). */
  decode(w: WireSnapshot): LabSnapshot | undefined {
    let s: LabSnapshot;
    if (w.base === 0) s = applyPatch<LabSnapshot>(undefined, w.patch ?? undefined);
    else {
      const base = this.kept.get(w.base);
      if (base === undefined) return undefined;
      s = applyPatch<LabSnapshot>(base, w.patch ?? undefined);
    }
    this.kept.set(w.$snap, s);
    // Answers arrive in the order the worker encoded them, so only the newest is ever a base;
    // a few more are kept for safety.
    for (const k of this.kept.keys()) if (k <= w.$snap - 4) this.kept.delete(k);
    return s;
  }
}

/** The method the worker adds beside the API: a whole snapshot, starting the patch chain again. */
export const RESYNC = '__snapshotResync';

/** Wraps every method of `api` so the snapshots it returns go out as patches (`RESYNC` added). */
export function encodingApi<T extends object>(api: T, encoder = new SnapshotEncoder()): T {
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(api)) {
    if (typeof f !== 'function') {
      out[name] = f;
      continue;
    }
    out[name] = (...args: unknown[]) => {
      const r = (f as (...a: unknown[]) => unknown).apply(api, args);
      return r instanceof Promise ? r.then((v) => encoder.encodeResult(v)) : encoder.encodeResult(r);
    };
  }
  const snapshot = (api as { snapshot?: () => LabSnapshot }).snapshot;
  out[RESYNC] = () => {
    encoder.reset();
    return encoder.encode(snapshot!.call(api));
  };
  return out as T;
}

/**
 * Wraps a comlink proxy of an `encodingApi`: every answer's patch is applied, so callers get whole
 * snapshots. Decoding runs as each answer arrives, in arrival order (the order of encoding).
 */
export function decodingRemote<T>(remote: Remote<T>, decoder = new SnapshotDecoder()): Remote<T> {
  const call = (name: string, args: unknown[]): Promise<unknown> =>
    ((remote as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!)(...args);
  const decodeResult = (r: unknown): unknown => {
    let missing = false;
    const out = mapSnapshot(r, isWire, (w: WireSnapshot) => {
      const s = decoder.decode(w);
      if (!s) missing = true;
      return s;
    });
    if (!missing) return out;
    // Not expected (answers keep their order); recover with a whole snapshot.
    return call(RESYNC, []).then((w) => mapSnapshot(r, isWire, () => decoder.decode(w as WireSnapshot)));
  };
  return new Proxy(remote as object, {
    get(target, prop) {
      // Not a thenable (so it can be returned from async functions); symbols go to comlink.
      if (prop === 'then') return undefined;
      if (typeof prop !== 'string') return (target as Record<string | symbol, unknown>)[prop];
      return (...args: unknown[]) => call(prop, args).then(decodeResult);
    },
  }) as Remote<T>;
}
