/**
 * The training check (T.30 5.3.6.2.7, TCF): after DCS the sender trains its fast modem and
 * sends 1.5 s of zeros. The receiver answers CFR when the check is good, FTT otherwise; T.30
 * leaves "good" to the receiver. Here: the longest run of zero octets must last at least
 * 1 s at the DCS rate. Lost packets shorten the run without breaking it (T.38 delivers the
 * octets that came), so up to a third of the check may be lost; any non-zero octet (a
 * modem that did not train) starts the run again.
 */
export const TCF_MS = 1500;
const REQUIRED_MS = 1000;

export class TcfCheck {
  private run = 0;
  private longest = 0;
  octets = 0;

  constructor(readonly bitRate: number) {}

  push(data: Uint8Array): void {
    this.octets += data.length;
    let run = this.run;
    let longest = this.longest;
    for (let i = 0; i < data.length; i++) {
      if (data[i] === 0) {
        run++;
        if (run > longest) longest = run;
      } else {
        run = 0;
      }
    }
    this.run = run;
    this.longest = longest;
  }

  get longestZeroMs(): number {
    return (this.longest * 8 * 1000) / this.bitRate;
  }

  get good(): boolean {
    return this.longestZeroMs >= REQUIRED_MS;
  }
}
