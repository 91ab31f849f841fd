import { Worker } from 'node:worker_threads';
import { DocumentError } from '../errors.ts';
import type { WorkerRequest, WorkerResponse } from './protocol.ts';

/**
 * A fixed set of page workers. A request goes to the worker named by the caller (a PDF lives
 * in the worker that opened it) or to the one with the fewest requests in flight. Workers are
 * `unref`ed: an idle pool never keeps the process alive, and `close` ends them.
 */

// Workers start without the parent's loader hooks; register tsx's before loading TypeScript.
const entry = new URL('./page-worker.ts', import.meta.url).href;
// An eval'd worker resolves bare names from the process's working directory, not from here:
// resolve tsx from this file, so faxgate runs from any directory.
const tsxApi = import.meta.resolve('tsx/esm/api');
const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;

interface Pending {
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
}

interface Slot {
  worker: Worker;
  inFlight: number;
  readonly pending: Map<number, Pending>;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;

  constructor(readonly size: number) {
    if (!(size >= 1)) throw new RangeError(`a worker pool needs at least one worker [size:${size}]`);
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  /** The index of the least busy worker, for requests that may run anywhere. */
  leastBusy(): number {
    let best = 0;
    for (let i = 1; i < this.slots.length; i++) if (this.slots[i]!.inFlight < this.slots[best]!.inFlight) best = i;
    return best;
  }

  call<T>(worker: number, req: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    const slot = this.slots[worker % this.slots.length]!;
    const id = this.nextId++;
    slot.inFlight++;
    return new Promise<T>((resolve, reject) => {
      slot.pending.set(id, {
        resolve: (v) => {
          slot.inFlight--;
          resolve(v as T);
        },
        reject: (e) => {
          slot.inFlight--;
          reject(e);
        },
      });
      slot.worker.postMessage({ id, req }, transfer);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(bootstrap, { eval: true }), inFlight: 0, pending: new Map() };
    this.attach(slot);
    return slot;
  }

  private attach(slot: Slot): void {
    const w = slot.worker;
    w.unref();
    w.on('message', (res: WorkerResponse) => {
      const p = slot.pending.get(res.id);
      if (p === undefined) return;
      slot.pending.delete(res.id);
      if (res.ok) p.resolve(res.result);
      else if (res.error.code !== undefined) p.reject(new DocumentError(res.error.code, res.error.details));
      else p.reject(new Error(res.error.message));
    });
    // A crashed worker (e.g. WASM out of memory on a hostile PDF) fails its requests and is replaced.
    const fail = (why: unknown): void => {
      const pending = [...slot.pending.values()];
      slot.pending.clear();
      for (const p of pending) p.reject(new DocumentError('DOC_CORRUPT', { reason: 'renderer crashed', error: why instanceof Error ? why.message : String(why) }));
      if (!this.closed) {
        slot.worker = new Worker(bootstrap, { eval: true });
        this.attach(slot);
      }
    };
    w.on('error', fail);
    w.on('exit', (code) => {
      if (!this.closed && slot.worker === w) fail(new Error(`worker exited [code:${code}]`));
    });
  }
}
