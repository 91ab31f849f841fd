/**
 * An in-memory network for tests: transports registered under addresses deliver to each
 * other on the next microtask, through an optional filter that can drop or inspect messages.
 */
import { addressKey, type SipAddress, type SipProtocol, type SipTransport } from './transport.ts';

export interface MemoryPacket {
  readonly from: SipAddress;
  readonly to: SipAddress;
  readonly text: string;
}

export class MemoryNetwork {
  private readonly nodes = new Map<string, MemorySipTransport>();
  /** Every packet sent, in order (dropped ones too), for assertions. */
  readonly log: MemoryPacket[] = [];
  /** Return false to drop a packet (loss, one-way failures). */
  filter: (p: MemoryPacket) => boolean = () => true;

  transport(local: SipAddress, protocol: SipProtocol = 'UDP'): MemorySipTransport {
    const t = new MemorySipTransport(this, local, protocol);
    this.nodes.set(addressKey(local), t);
    return t;
  }

  /** @internal */
  deliver(from: SipAddress, to: SipAddress, data: Uint8Array): void {
    const p: MemoryPacket = { from, to, text: new TextDecoder().decode(data) };
    this.log.push(p);
    if (!this.filter(p)) return;
    const node = this.nodes.get(addressKey(to));
    if (node === undefined) return;
    const copy = data.slice();
    queueMicrotask(() => node.deliver(copy, from));
  }

  /** @internal */
  remove(t: MemorySipTransport): void {
    if (this.nodes.get(addressKey(t.local)) === t) this.nodes.delete(addressKey(t.local));
  }
}

export class MemorySipTransport implements SipTransport {
  readonly reliable: boolean;
  private receive: (data: Uint8Array, from: SipAddress) => void = () => undefined;
  private closed = false;

  constructor(
    private readonly network: MemoryNetwork,
    readonly local: SipAddress,
    readonly protocol: SipProtocol,
  ) {
    this.reliable = protocol !== 'UDP';
  }

  send(data: Uint8Array, to: SipAddress): void {
    if (!this.closed) this.network.deliver(this.local, to, data);
  }

  onReceive(listener: (data: Uint8Array, from: SipAddress) => void): void {
    this.receive = listener;
  }

  onError(): void {
    // The memory network never fails a send: lost packets are the filter's business.
  }

  /** @internal */
  deliver(data: Uint8Array, from: SipAddress): void {
    if (!this.closed) this.receive(data, from);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.network.remove(this);
  }
}
