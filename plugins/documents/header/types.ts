import type { Resolution } from '../raster/types.ts';

export interface HeaderValues {
  /** Destination number in +E.164. */
  readonly to: string;
  /** Sender CSID. */
  readonly from: string;
  readonly pageNumber: number;
  readonly totalPages: number;
  readonly date: Date;
  /** IANA time zone of the account; default Asia/Tokyo. */
  readonly timeZone?: string;
}

export interface DrawHeaderOptions {
  readonly resolution: Resolution;
  /** Font type name as in S7 (default 'MS Gothic'). */
  readonly fontType?: string;
}
