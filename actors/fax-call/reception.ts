/**
 * The receiver's hot path: fast-modem data (TCF, non-ECM page) and ECM frames go straight
 * from the modem listener into the call's reception objects, not through the machine as
 * events: a page is thousands of IFPs and the machine only needs to know that the line is
 * alive (`lastHeardAt`, read by the phase C watchdog). Control frames and carrier changes
 * still go to the machine. The machine's own actions call the same functions, so events
 * sent to the actor directly (tests, tools) are handled the same way.
 */
import { decodeFcd, decodeFrame } from '../../protocols/t30/index.ts';
import { PageAssembler } from '../../telephony/t30/page-sink.ts';
import { TcfCheck } from '../../telephony/t30/tcf.ts';
import type { FaxCallContext } from './context.ts';

export function newPageAssembler(c: FaxCallContext): PageAssembler {
  const dcs = c.dcs;
  const width = dcs === undefined || dcs.width === 'invalid' ? 1728 : dcs.width;
  return new PageAssembler({ width, compression: dcs?.compression ?? 'mh' });
}

/** Non-ECM data: the training check after DCS, page data after CFR. */
export function takeFastData(c: FaxCallContext, data: Uint8Array): void {
  const rx = c.rx;
  rx.lastHeardAt = c.clock.now();
  if (rx.expect === 'tcf') {
    rx.tcf ??= new TcfCheck(c.rate?.bitRate ?? 14400);
    rx.tcf.push(data);
  } else if (rx.expect === 'page' && c.dcs !== undefined && !c.dcs.ecm) {
    rx.page ??= newPageAssembler(c);
    rx.page.push(data);
  }
}

/**
 * An HDLC frame from the fast modem: FCD frames are stored by number (T.4 A.3.6); a frame
 * with a bad FCS or a malformed one is simply missing, and PPR asks for it again.
 */
export function takeEcmFrame(c: FaxCallContext, bytes: Uint8Array, fcsOk: boolean): void {
  const rx = c.rx;
  rx.lastHeardAt = c.clock.now();
  if (!fcsOk || rx.expect !== 'page') return;
  try {
    const f = decodeFrame(bytes);
    if (f.fcf !== 'FCD') return;
    const fcd = decodeFcd(f);
    rx.block.accept(fcd.frameNumber, fcd.data);
  } catch {
    // Missing, as above.
  }
}
