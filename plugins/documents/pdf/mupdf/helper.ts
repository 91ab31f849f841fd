import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { closeSync, constants, accessSync, openSync, readSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { DocumentError } from '../../errors.ts';
import type { Affine, PdfPageSize } from './matrix.ts';

/**
 * The client of faxgate-pdf-raster (pdf-raster.c, whose header describes the protocol): one
 * long-lived helper process, started on first use. Requests are written as soon as they are
 * made and answered in order, so the helper draws the next page while the caller codes the
 * last one.
 *
 * A helper that dies (a crash on a hostile PDF, the address-space limit, or our kill when a
 * request runs past its time limit) fails only the request it was working on, with a typed
 * error; the requests queued behind it go to a fresh helper, which reopens their documents
 * from the bytes kept here. The caller never waits on a dead process.
 */

export type RasterMode = 'mono' | 'halftone' | 'gray';

export interface DrawRequest {
  /** The fax page in pixels; the page is white where the PDF page does not reach. */
  readonly width: number;
  readonly height: number;
  /** Drawing is clipped to this rectangle (the page's placed box). */
  readonly clip: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  /** From page points (top-left at 0,0) to pixels. */
  readonly matrix: Affine;
  /** mono and halftone answer packed rows (MSB first, 1 = black); gray one byte per pixel. */
  readonly mode: RasterMode;
  /** mono and halftone: the page as packed rows (the default) or coded as T.6 (MMR) with EOFB. */
  readonly output?: 'bits' | 'mmr';
  /**
   * mono and halftone: packed rows put over the page's first rows before it is coded (the
   * header line); a whole number of rows.
   */
  readonly top?: Uint8Array;
  /** mono: gray below it is black. Default 128. */
  readonly threshold?: number;
  /** Time limit of this page; past it the helper is killed. */
  readonly timeoutMs: number;
}

export interface OpenedPdf {
  readonly pageCount: number;
  readonly sizes: readonly PdfPageSize[];
}

export interface HelperOptions {
  readonly binary: string;
  /** The helper's address-space limit. */
  readonly maxMemoryMb?: number;
}

interface Job {
  readonly kind: 'open' | 'page' | 'close';
  readonly line: string;
  readonly payload?: Uint8Array;
  readonly timeoutMs: number;
  /** For error details: the 1-based page, when drawing one. */
  readonly page?: number;
  /** The slot of the shared file its page bits are written to, when it got one. */
  slot?: number;
  /** A reply came: the header line, and the payload for page replies. */
  readonly settle: (line: string, payload: Uint8Array | undefined) => void;
  readonly fail: (err: unknown) => void;
  /** Sends the request again to a fresh helper (after the one it was queued on died). */
  readonly retry: (() => void) | undefined;
}

type HelperProcess = ChildProcessByStdio<Writable, Readable, Readable>;

/** Requests are retried on a fresh helper at most this often (a document that kills every helper fails). */
const maxRetries = 2;

/**
 * Page bits come back through a file shared with the helper (see pdf-raster.c): one read of
 * half a megabyte instead of a pipe's dozen. Each page request in flight has a slot of its
 * own, the largest page the helper draws (64 Mi pixels of gray) apart; the file is sparse,
 * so only pages written take memory. A slot is free again once its reply is read, which
 * happens as the reply line arrives, so the helper never overwrites an unread page. With
 * every slot taken, a request gets its bits on the pipe as before.
 */
const slots = 8;
const slotBytes = 64 * 1024 * 1024;

export class PdfRasterHelper {
  private proc: HelperProcess | undefined;
  /** Sent to the current process, not yet answered; the first is the one being worked on. */
  private queue: Job[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timedOut = false;
  /** A reply the protocol does not allow, which made us end the helper. */
  private outOfStep: string | undefined;
  private stderrTail = '';
  /** Reply parsing: bytes of the header line so far, then the payload being filled. */
  private lineParts: Buffer[] = [];
  private payload: Uint8Array | undefined;
  private payloadFilled = 0;
  private payloadLine = '';
  /** Open documents (their bytes, to reopen in a fresh helper) and those the current helper has. */
  private readonly docs = new Map<string, Uint8Array>();
  private readonly inHelper = new Set<string>();
  private disposed = false;
  /** The current helper's shared file (unlinked at once: nothing is left behind), and its slots in use. */
  private outFd: number | undefined;
  private readonly slotInUse: boolean[] = new Array<boolean>(slots).fill(false);
  /** Helpers started so far (tests watch restarts). */
  started = 0;
  /** Pages drawn and the helper's own CPU time for them, as it reports it (the benchmark reads it). */
  readonly stats = { pages: 0, drawUs: 0, bilevelUs: 0, codeUs: 0 };

  constructor(private readonly options: HelperOptions) {}

  /** The current helper's process id, if one runs. */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  open(id: string, bytes: Uint8Array, timeoutMs: number): Promise<OpenedPdf> {
    checkId(id);
    return new Promise<OpenedPdf>((resolve, reject) => {
      let tries = 0;
      const start = (): void => {
        this.docs.set(id, bytes);
        this.sendOpen(id, bytes, timeoutMs, {
          settle: (line) => {
            try {
              resolve(parseOpened(line));
            } catch (err) {
              this.forget(id);
              reject(err);
            }
          },
          fail: (err) => {
            this.forget(id);
            reject(err);
          },
          retry: tries++ < maxRetries ? start : undefined,
        });
      };
      start();
    });
  }

  /** Page `index` (0-based) of an open document, drawn as the request says. */
  render(id: string, index: number, req: DrawRequest): Promise<Uint8Array> {
    const m = req.matrix.map((v) => num(v)).join(' ');
    const c = req.clip;
    const top = req.top ?? new Uint8Array(0);
    const line = `page ${id} ${index} ${req.width} ${req.height} ${c.x} ${c.y} ${c.width} ${c.height} ${m} ${req.mode} ${req.threshold ?? 128} ${req.output ?? 'bits'} ${top.length}\n`;
    return new Promise<Uint8Array>((resolve, reject) => {
      let tries = 0;
      const start = (): void => {
        if (!this.docs.has(id)) {
          reject(new Error(`no open PDF [doc:${id}]`));
          return;
        }
        this.reopen(id, req.timeoutMs);
        this.send({
          kind: 'page',
          line,
          payload: top,
          timeoutMs: req.timeoutMs,
          page: index + 1,
          settle: (_line, payload) => resolve(payload ?? new Uint8Array(0)),
          fail: reject,
          retry: tries++ < maxRetries ? start : undefined,
        });
      };
      start();
    });
  }

  close(id: string): Promise<void> {
    this.docs.delete(id);
    if (!this.inHelper.delete(id)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      // Whatever happens to the helper, the document is gone from it.
      this.send({ kind: 'close', line: `close ${id}\n`, timeoutMs: 10_000, settle: () => resolve(), fail: () => resolve(), retry: () => resolve() });
    });
  }

  /** Ends the helper; requests not yet answered fail. */
  dispose(): void {
    this.disposed = true;
    const pending = this.queue;
    this.queue = [];
    this.clearTimer();
    this.proc?.kill('SIGKILL');
    this.proc = undefined;
    this.closeOutFile();
    for (const job of pending) job.fail(new Error('PDF helper closed'));
  }

  /** Kills the helper as if it had crashed (tests). */
  kill(): void {
    this.proc?.kill('SIGKILL');
  }

  private forget(id: string): void {
    this.docs.delete(id);
    this.inHelper.delete(id);
  }

  /** A fresh helper does not have the documents of the last one: open one again before its pages. */
  private reopen(id: string, timeoutMs: number): void {
    if (this.inHelper.has(id)) return;
    const bytes = this.docs.get(id);
    if (bytes === undefined) return;
    this.sendOpen(id, bytes, timeoutMs, {
      settle: () => undefined,
      // The page request right behind it then fails with the helper's "no such document".
      fail: () => this.inHelper.delete(id),
      retry: undefined,
    });
  }

  /** The open request for a document's bytes; the current helper has the document from here on. */
  private sendOpen(id: string, bytes: Uint8Array, timeoutMs: number, then: Pick<Job, 'settle' | 'fail' | 'retry'>): void {
    this.inHelper.add(id);
    this.send({ kind: 'open', line: `open ${id} ${bytes.length}\n`, payload: bytes, timeoutMs, ...then });
  }

  private send(job: Job): void {
    if (this.disposed) {
      job.fail(new Error('PDF helper closed'));
      return;
    }
    const proc = this.proc ?? this.spawn();
    let line = job.line;
    job.slot = undefined;
    if (job.kind === 'page' && this.outFd !== undefined) {
      const slot = this.slotInUse.indexOf(false);
      if (slot >= 0) {
        this.slotInUse[slot] = true;
        job.slot = slot;
        line = `${line.slice(0, -1)} ${slot * slotBytes}\n`;
      }
    }
    this.queue.push(job);
    if (this.queue.length === 1) {
      this.armTimer();
      setRef(proc, true);
    }
    proc.stdin.write(line);
    if (job.payload !== undefined && job.payload.length > 0) proc.stdin.write(job.payload);
  }

  private spawn(): HelperProcess {
    const args = this.options.maxMemoryMb === undefined ? [] : ['--max-memory-mb', String(this.options.maxMemoryMb)];
    this.outFd = openOutFile();
    if (this.outFd !== undefined) args.push('--out-fd', '3');
    const stdio = this.outFd === undefined ? ['pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe', this.outFd];
    const proc = spawn(this.options.binary, args, { stdio: stdio as ['pipe', 'pipe', 'pipe'] }) as HelperProcess;
    this.proc = proc;
    this.started++;
    this.timedOut = false;
    this.outOfStep = undefined;
    this.stderrTail = '';
    this.lineParts = [];
    this.payload = undefined;
    // Writes to a helper that just died fail here; its 'close' below settles the requests.
    proc.stdin.on('error', () => undefined);
    // A binary that cannot be started fails like one that crashed.
    proc.on('error', (err) => {
      this.stderrTail = err.message;
      if (this.proc === proc) this.died(null, null);
    });
    proc.stderr.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString('utf8')).slice(-500);
    });
    proc.stdout.on('data', (chunk: Buffer) => {
      if (this.proc === proc) this.receive(chunk);
    });
    // 'close' comes after the last of stdout: every reply it gave has been read by then.
    proc.on('close', (code, signal) => {
      if (this.proc === proc) this.died(code, signal);
    });
    return proc;
  }

  private receive(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.payload !== undefined) {
        const n = Math.min(chunk.length - at, this.payload.length - this.payloadFilled);
        this.payload.set(chunk.subarray(at, at + n), this.payloadFilled);
        this.payloadFilled += n;
        at += n;
        if (this.payloadFilled === this.payload.length) {
          const payload = this.payload;
          this.payload = undefined;
          this.answered(this.payloadLine, payload);
        }
        continue;
      }
      const nl = chunk.indexOf(10, at);
      if (nl < 0) {
        this.lineParts.push(chunk.subarray(at));
        return;
      }
      this.lineParts.push(chunk.subarray(at, nl));
      at = nl + 1;
      const line = Buffer.concat(this.lineParts).toString('utf8');
      this.lineParts = [];
      const head = this.queue[0];
      const size = /^ok (\d+) (\d+) (\d+) (\d+)$/.exec(line);
      if (head?.kind === 'page' && size !== null) {
        this.stats.pages++;
        this.stats.drawUs += Number(size[2]);
        this.stats.bilevelUs += Number(size[3]);
        this.stats.codeUs += Number(size[4]);
        // A page's bytes in a buffer of their own: the page worker transfers it to the main thread.
        const n = Number(size[1]);
        const buf = Buffer.allocUnsafeSlow(n);
        if (head.slot !== undefined && this.outFd !== undefined) {
          if (!readExactly(this.outFd, buf, head.slot * slotBytes)) {
            // The helper said it wrote what is not there: as out of step as a bad reply.
            this.outOfStep = `${line} (the shared file is shorter)`;
            this.proc?.kill('SIGKILL');
            return;
          }
          this.slotInUse[head.slot] = false;
          this.answered(line, new Uint8Array(buf.buffer, buf.byteOffset, n));
          continue;
        }
        this.payload = new Uint8Array(buf.buffer, buf.byteOffset, n);
        this.payloadFilled = 0;
        this.payloadLine = line;
        if (n === 0) {
          this.payload = undefined;
          this.answered(line, new Uint8Array(0));
        }
      } else if (head?.kind === 'page' && line.startsWith('ok')) {
        // Not the reply a page gets (a helper binary older than this client): out of step for good.
        this.outOfStep = line;
        this.proc?.kill('SIGKILL');
        return;
      } else {
        this.answered(line, undefined);
      }
    }
  }

  private answered(line: string, payload: Uint8Array | undefined): void {
    const job = this.queue.shift();
    // An error reply to a page leaves its slot unwritten: free it all the same.
    if (job?.slot !== undefined) this.slotInUse[job.slot] = false;
    this.clearTimer();
    if (this.queue.length > 0) this.armTimer();
    else if (this.proc !== undefined) setRef(this.proc, false);
    if (job === undefined) return;
    if (line.startsWith('ok')) job.settle(line, payload);
    else job.fail(replyError(line, job));
  }

  private died(code: number | null, signal: NodeJS.Signals | null): void {
    const jobs = this.queue;
    const timedOut = this.timedOut;
    const outOfStep = this.outOfStep;
    this.queue = [];
    this.proc = undefined;
    this.clearTimer();
    this.closeOutFile();
    this.inHelper.clear();
    const [head, ...rest] = jobs;
    if (head !== undefined) {
      const where = head.page === undefined ? {} : { page: head.page };
      if (outOfStep !== undefined) head.fail(new Error(`the PDF helper's reply is not in its protocol (rebuild it: node scripts/build-native.mjs) [reply:${outOfStep.slice(0, 80)}]`));
      else if (timedOut) head.fail(new DocumentError('DOC_CONVERTER_TIMEOUT', { format: 'pdf', ...where, timeoutMs: head.timeoutMs }));
      else head.fail(new DocumentError('DOC_CORRUPT', { format: 'pdf', ...where, reason: 'PDF renderer crashed', exit: signal ?? code ?? 'unknown', stderr: this.stderrTail.trim().slice(-200) }));
    }
    for (const job of rest) {
      if (job.retry !== undefined) job.retry();
      else job.fail(new DocumentError('DOC_CORRUPT', { format: 'pdf', reason: 'PDF renderer crashed' }));
    }
  }

  private closeOutFile(): void {
    if (this.outFd !== undefined) closeSync(this.outFd);
    this.outFd = undefined;
    this.slotInUse.fill(false);
  }

  private armTimer(): void {
    const head = this.queue[0];
    const proc = this.proc;
    if (head === undefined || proc === undefined) return;
    this.timer = setTimeout(() => {
      this.timedOut = true;
      proc.kill('SIGKILL');
    }, head.timeoutMs);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** An idle helper must not keep its thread's event loop alive; a busy one must. */
function setRef(proc: HelperProcess, on: boolean): void {
  if (on) {
    proc.ref();
    (proc.stdout as unknown as { ref(): void }).ref();
  } else {
    proc.unref();
    (proc.stdout as unknown as { unref(): void }).unref();
    (proc.stderr as unknown as { unref(): void }).unref();
    (proc.stdin as unknown as { unref?(): void }).unref?.();
  }
}

/**
 * A fresh file for a helper's page bits, in shared memory when the machine has it (/dev/shm:
 * no disk), already unlinked: the helper and we hold it open and it vanishes with us.
 * Undefined when no directory takes it: the pages then come on the pipe.
 */
function openOutFile(): number | undefined {
  for (const dir of ['/dev/shm', tmpdir()]) {
    try {
      accessSync(dir, constants.W_OK);
      const path = join(dir, `faxgate-pdf-raster-${process.pid}-${Math.random().toString(36).slice(2)}`);
      const fd = openSync(path, 'wx+', 0o600);
      unlinkSync(path);
      return fd;
    } catch {
      // The next place, or the pipe.
    }
  }
  return undefined;
}

/** Fills `buf` from the file at `position`; false when the file ends first. */
function readExactly(fd: number, buf: Buffer, position: number): boolean {
  for (let done = 0; done < buf.length; ) {
    const n = readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) return false;
    done += n;
  }
  return true;
}

function parseOpened(line: string): OpenedPdf {
  const f = line.split(' ');
  const pageCount = Number(f[1]);
  if (!Number.isInteger(pageCount) || f.length !== 2 + 2 * pageCount) throw new Error(`bad reply from the PDF helper [reply:${line.slice(0, 80)}]`);
  const sizes: PdfPageSize[] = [];
  for (let i = 0; i < pageCount; i++) sizes.push({ width: Number(f[2 + 2 * i]), height: Number(f[3 + 2 * i]) });
  return { pageCount, sizes };
}

/** `err KIND message` as the error the caller throws. */
function replyError(line: string, job: Job): Error {
  const m = /^err (\S+) ?(.*)$/.exec(line);
  const kind = m?.[1] ?? 'unknown';
  const message = m?.[2] ?? line;
  const where = job.page === undefined ? {} : { page: job.page };
  switch (kind) {
    case 'password':
      return new DocumentError('DOC_PASSWORD_PROTECTED', { format: 'pdf', ...where });
    case 'corrupt':
      return new DocumentError('DOC_CORRUPT', { format: 'pdf', ...where, mupdf: message });
    case 'memory':
      return new DocumentError('DOC_TOO_LARGE', { format: 'pdf', ...where, reason: 'out of PDF renderer memory' });
    default:
      return new Error(`the PDF helper refused a request [kind:${kind}, message:${message}, request:${job.line.trim().slice(0, 80)}]`);
  }
}

function checkId(id: string): void {
  if (!/^[\w.-]{1,63}$/.test(id)) throw new RangeError(`a PDF id is 1..63 letters, digits, '.', '_' or '-' [id:${id}]`);
}

/** Numbers as the helper's sscanf reads them: plain decimals, no exponent. */
function num(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`matrix entry is not finite [value:${v}]`);
  return v.toFixed(6);
}
