/**
 * What the gateway stores about each inbound fax call: one record per call in the account
 * that owns the called number, written when the call is answered (status `receiving`) and
 * completed when it ends, and the received pages as a TIFF beside the store. The inbound
 * issue (delivery by e-mail, API, web) reads these; here they must exist and be true.
 *
 * A crash while a call runs leaves a `receiving` record: at the next start it becomes
 * `interrupted`, keeping the pages that had been accepted (the TIFF is complete after each
 * page, see actors/fax-call/tiff-files.ts). A marker in the `_system` scope lists the calls in progress,
 * so the start-up sweep does not have to scan every account.
 */
import { defineCollection, type Namespace } from '../../core/store/store.ts';
import { outcome } from '../../protocols/fax-results/index.ts';

export type InboundFaxStatus = 'receiving' | 'received' | 'partial' | 'failed' | 'interrupted';

export interface InboundFaxRecord {
  readonly id: string;
  readonly account: string;
  readonly mailbox: string;
  /** The called DID, E.164. */
  readonly did: string;
  readonly trunk: string;
  /** The caller's number or URI user as the carrier sent it; '' when withheld. */
  readonly from: string;
  readonly fromDisplayName: string;
  readonly anonymous: boolean;
  readonly callId: string;
  readonly sourceAddress: string;
  readonly startedAt: string;
  readonly status: InboundFaxStatus;
  /** How T.38 came up: in the INVITE, our re-INVITE (after which tone) or theirs. */
  readonly t38Via?: string;
  readonly endedAt?: string;
  readonly pages?: number;
  /** protocols/fax-results code and reason (English and Japanese). */
  readonly resultCode?: number;
  readonly reason?: string;
  readonly reasonJa?: string;
  readonly remoteCsid?: string;
  readonly bitRate?: number;
  readonly ecm?: boolean;
  readonly resolution?: string;
  /** The TIFF (MMR) under the data directory, when at least one page arrived. */
  readonly file?: string;
  readonly bytes?: number;
}

export interface InFlightMarker {
  readonly id: string;
  readonly account: string;
}

export const inboundFaxes = defineCollection<InboundFaxRecord>({
  name: 'inbound-faxes',
  id: (r) => r.id,
  indexes: {
    mailbox: (r) => r.mailbox,
    status: (r) => r.status,
    startedAt: (r) => r.startedAt,
  },
});

export const inFlight = defineCollection<InFlightMarker>({ name: 'calls-in-flight', id: (m) => m.id });

export const SYSTEM_SCOPE = '_system';

export class InboundFaxStore {
  constructor(private readonly ns: Namespace) {}

  /** The record and its in-flight marker, in one batch. */
  async begin(record: InboundFaxRecord): Promise<void> {
    const tx = this.ns.tx();
    tx.put(this.ns.forAccount(record.account).collection(inboundFaxes), record);
    tx.put(this.ns.forAccount(SYSTEM_SCOPE).collection(inFlight), { id: record.id, account: record.account });
    await tx.commit();
  }

  /** The final record, and the marker gone, in one batch. */
  async end(record: InboundFaxRecord): Promise<void> {
    const tx = this.ns.tx();
    tx.put(this.ns.forAccount(record.account).collection(inboundFaxes), record);
    tx.delete(this.ns.forAccount(SYSTEM_SCOPE).collection(inFlight), record.id);
    await tx.commit();
  }

  get(account: string, id: string): Promise<InboundFaxRecord | undefined> {
    return this.ns.forAccount(account).collection(inboundFaxes).get(id);
  }

  list(account: string, options: { limit?: number } = {}): Promise<InboundFaxRecord[]> {
    return this.ns.forAccount(account).collection(inboundFaxes).findBy('startedAt', {}, { reverse: true, limit: options.limit ?? 100 });
  }

  /**
   * Marks the calls a crash cut off as interrupted, with the pages `salvage` finds of each
   * (the received file is a complete TIFF after every accepted page); returns how many.
   */
  async sweepInterrupted(now: Date, salvage: (r: InboundFaxRecord) => { file: string; pages: number; bytes: number } | undefined = () => undefined): Promise<number> {
    const markers = await this.ns.forAccount(SYSTEM_SCOPE).collection(inFlight).list({ limit: 100_000 });
    for (const m of markers) {
      const r = await this.get(m.account, m.id);
      const tx = this.ns.tx();
      if (r !== undefined && r.status === 'receiving') {
        const kept = salvage(r);
        tx.put(this.ns.forAccount(m.account).collection(inboundFaxes), {
          ...r,
          ...(kept === undefined ? { pages: 0 } : kept),
          status: 'interrupted',
          endedAt: now.toISOString(),
          resultCode: INTERRUPTED.code,
          reason: INTERRUPTED.reason,
          reasonJa: INTERRUPTED.reasonJa,
        });
      }
      tx.delete(this.ns.forAccount(SYSTEM_SCOPE).collection(inFlight), m.id);
      await tx.commit();
    }
    return markers.length;
  }
}

// Japanese detail follows the table's Japanese reason, as users see it.
const INTERRUPTED = (() => {
  const o = outcome('internal');
  return {
    code: o.code,
    reason: `${o.reason}: the reception was interrupted (faxgate stopped during the call)`,
    reasonJa: `${o.reasonJa}: 受信中に faxgate が停止したため中断されました`,
  };
})();
