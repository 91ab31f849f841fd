/**
 * The `sip` plugin: faxgate's T.38-over-SIP gateway in `faxgate serve` (gateway.ts). Built in;
 * `pluginConfig.sip.enabled: false` (or FAXGATE_SIP=0) turns SIP off.
 *
 * Routes: `GET /api/sip/status` (listening ports, channels per trunk, registrations, call
 * counters). The received faxes' records are read by the inbound delivery plugins through
 * `InboundFaxStore` (records.ts); the API for them comes with the inbound issue.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TiffError, readTiff } from '../../protocols/tiff/index.ts';
import type { Plugin } from '../../core/plugins/plugin.ts';
import { sipConfig, sipConfigSchema } from './config.ts';
import { SipGateway } from './gateway.ts';
import { InboundFaxStore } from './records.ts';

export { InboundFaxStore, type InboundFaxRecord, type InboundFaxStatus } from './records.ts';

let gateway: SipGateway | undefined;

const plugin: Plugin = {
  name: 'sip',
  version: '0.1.0',
  configSchema: sipConfigSchema,
  async setup(ctx) {
    const config = sipConfig(ctx.config);
    const records = new InboundFaxStore(ctx.store);
    const faxDir = join(ctx.dataDir, 'faxes', 'inbound');
    const swept = await records.sweepInterrupted(new Date(ctx.clock.now()), (r) => salvage(join(faxDir, r.account, `${r.id}.tif`)));
    if (swept > 0) ctx.logger.warn({ calls: swept }, 'inbound calls cut off by the last stop are recorded as interrupted');
    if (!config.enabled) return;
    gateway = new SipGateway({ config, clock: ctx.clock, logger: ctx.logger, events: ctx.events, records, faxDir });
    try {
      await gateway.start();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      await gateway.stop().catch(() => undefined);
      gateway = undefined;
      if (e.code === 'EADDRINUSE' || e.code === 'EACCES') {
        throw new Error(`cannot listen for SIP on ${config.host}:${config.port} (${e.code}); set pluginConfig.sip.port or FAXGATE_SIP_PORT, or FAXGATE_SIP=0 to run without SIP`);
      }
      throw err;
    }
    const g = gateway;
    ctx.logger.info({ ...g.listening, advertise: config.advertise, trunks: config.routing.trunks.length, dids: config.routing.dids.length }, 'SIP listening');
    ctx.announce(`SIP on ${config.advertise} udp:${g.listening.udp ?? '-'} tcp:${g.listening.tcp ?? '-'} tls:${g.listening.tls ?? '-'}`);
    ctx.http.route({
      method: 'GET',
      url: '/api/sip/status',
      handler: async () => ({ listening: g.listening, advertise: config.advertise, channels: g.channels(), registrations: g.registrationStates(), calls: g.stats }),
    });
  },
  async stop() {
    await gateway?.stop();
    gateway = undefined;
  },
};

/**
 * The pages a crash left of a reception: the TIFF as it was after the last accepted page. A
 * file that does not read (cut off inside a page's own write) held no complete page: removed.
 */
function salvage(file: string): { file: string; pages: number; bytes: number } | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const bytes = readFileSync(file);
    const pages = readTiff(bytes).pages.length;
    return pages > 0 ? { file, pages, bytes: bytes.length } : undefined;
  } catch (err) {
    if (!(err instanceof TiffError)) throw err;
    rmSync(file, { force: true });
    return undefined;
  }
}

export default plugin;
