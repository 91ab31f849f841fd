import type { Plugin } from '../../../core/plugins/plugin.ts';

/**
 * Operator status: `GET /api/status` says which plugins are running, how many durable timers
 * wait and when the process started. Built in, and loaded like any other plugin.
 */
const plugin: Plugin = {
  name: 'system.status',
  version: '0.1.0',
  setup(ctx) {
    const startedAt = new Date(ctx.clock.now()).toISOString();
    let timersFired = 0;
    ctx.events.on('timer.fired', () => {
      timersFired++;
    });
    ctx.http.route({
      method: 'GET',
      url: '/api/status',
      handler: async () => ({ startedAt, timersFired, pid: process.pid, node: process.version }),
    });
  },
};

export default plugin;
