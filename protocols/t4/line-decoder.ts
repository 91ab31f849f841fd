import type { DecodeCounters, DecodeOptions, EndReason, LineCallback } from './types.ts';
import { T4DecodeError } from './types.ts';

/** Streaming decoder: bytes pushed in chunks, rows reported through `onLine`. */
export class LineDecoder implements DecodeCounters {
  readonly lines = 0;
  readonly badLines = 0;
  readonly repairedLines = 0;
  readonly consecutiveBadLinesMax = 0;
  readonly endedWith: EndReason | undefined = undefined;
  constructor(
    readonly opts: DecodeOptions,
    readonly onLine?: LineCallback,
  ) {}
  push(_chunk: Uint8Array): void {
    throw new T4DecodeError('T4_BAD_OPTIONS', 'not implemented yet');
  }
  end(): EndReason {
    return 'end-of-data';
  }
}
