/** Two user agents on an in-memory network with a manual clock, and a way to see what went over the wire. */
import { ManualClock, settle } from '../../../../core/clock.ts';
import { MemoryNetwork, UserAgent, type MemoryPacket, type SipTransport } from '../../../../telephony/sip/index.ts';

export interface Wire extends MemoryPacket {
  readonly at: number;
  /** First line: `INVITE sip:...` or `SIP/2.0 200 OK`. */
  readonly line: string;
}

export function harness(options: { random?: () => number } = {}) {
  const clock = new ManualClock(0);
  const net = new MemoryNetwork();
  const wire: Wire[] = [];
  let drop: (w: Wire) => boolean = () => false;
  net.filter = (p) => {
    const w = { ...p, at: clock.now(), line: p.text.slice(0, p.text.indexOf('\r\n')) };
    wire.push(w);
    return !drop(w);
  };
  const ta = net.transport({ host: '10.0.0.1', port: 5060 });
  const tb = net.transport({ host: '10.0.0.2', port: 5060 });
  const a = new UserAgent({ clock, transports: [ta], user: 'a', random: options.random });
  const b = new UserAgent({ clock, transports: [tb], user: 'b', random: options.random });
  return {
    clock,
    net,
    wire,
    a,
    b,
    ta,
    tb,
    setDrop(fn: (w: Wire) => boolean) {
      drop = fn;
    },
    /** Runs queued deliveries, then advances time by `ms` in steps of `step`. */
    async run(ms = 0, step = 10) {
      await settle(3);
      if (ms > 0) await clock.advanceAsync(ms, step);
      await settle(3);
    },
    lines(filter?: (w: Wire) => boolean): string[] {
      return wire.filter(filter ?? (() => true)).map((w) => w.line.replace(/ sip:\S+ SIP\/2\.0$/, ''));
    },
  };
}

export type Harness = ReturnType<typeof harness>;
export type { SipTransport };

export const SDP_AUDIO = 'v=0\r\no=a 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
export const SDP_AUDIO_B = 'v=0\r\no=b 7 7 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
export const SDP_T38_A = 'v=0\r\no=a 1 2 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=image 4002 udptl t38\r\na=T38FaxVersion:0\r\na=T38MaxBitRate:14400\r\na=T38FaxRateManagement:transferredTCF\r\na=T38FaxUdpEC:t38UDPRedundancy\r\n';
export const SDP_T38_B = 'v=0\r\no=b 7 8 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\nm=image 6002 udptl t38\r\na=T38FaxVersion:0\r\na=T38MaxBitRate:14400\r\na=T38FaxRateManagement:transferredTCF\r\na=T38FaxUdpEC:t38UDPRedundancy\r\n';
