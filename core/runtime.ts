import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Gauge } from 'prom-client';
import { AccountService } from './accounts.ts';
import { ActorRuntime } from './actors/runtime.ts';
import { systemClock, type Clock } from './clock.ts';
import type { FaxgateConfig, PluginEntry } from './config/config.ts';
import { errorMessage } from './errors.ts';
import { EventBus } from './events.ts';
import { createHttpServer, type HttpServer } from './http.ts';
import { createLogger, type Logger } from './logger.ts';
import { PluginHost, importPlugin, startOrder } from './plugins/host.ts';
import type { Plugin, PluginContext } from './plugins/plugin.ts';
import { Registry } from './plugins/registry.ts';
import { Scheduler } from './scheduler.ts';
import type { KvBackend } from './store/backend.ts';
import { LevelBackend } from './store/level-backend.ts';
import { MemoryBackend } from './store/memory-backend.ts';
import { Store } from './store/store.ts';

/**
 * The core runtime: store, clock, events, scheduler, actor system, accounts, HTTP and the
 * plugin host, started in that order and stopped in reverse.
 *
 * Start: open the store -> load stored timers -> set up plugins in dependency order (they
 * define actor logics, timer handlers, routes) -> rehydrate stored actors -> start firing
 * timers -> listen. Stop (SIGTERM): stop listening (in-flight requests finish) -> stop
 * plugins in reverse (they stop taking work) -> stop timers -> store every actor's latest
 * snapshot -> close the store.
 */
export interface RuntimeOptions {
  readonly config: FaxgateConfig;
  /** Plugin modules that ship with faxgate, loaded like any other (the CLI names them). */
  readonly builtinPlugins?: readonly PluginEntry[];
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly backend?: KvBackend;
  /** Where to show the first-start admin password (default: stderr). */
  readonly announce?: (line: string) => void;
}

export class Runtime {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly events: EventBus;
  readonly store: Store;
  readonly scheduler: Scheduler;
  readonly actors: ActorRuntime;
  readonly accounts: AccountService;
  readonly http: HttpServer;
  readonly plugins = new PluginHost();
  private readonly registries = new Map<string, Registry<unknown>>();
  /** Plugins' lines for the console, printed by `faxgate serve` once the start succeeded. */
  readonly announcements: string[] = [];
  private state: 'starting' | 'running' | 'stopping' | 'stopped' = 'starting';
  private address: { host: string; port: number } | undefined;

  private constructor(
    readonly config: FaxgateConfig,
    store: Store,
    clock: Clock,
    logger: Logger,
  ) {
    this.clock = clock;
    this.logger = logger;
    this.store = store;
    this.events = new EventBus(logger);
    this.scheduler = new Scheduler(store, clock, logger.child({ component: 'scheduler' }), this.events);
    this.actors = new ActorRuntime(store, this.scheduler, clock, logger.child({ component: 'actors' }), this.events);
    this.accounts = new AccountService(store, clock);
    this.http = createHttpServer(() => ({ ok: this.state === 'running', detail: { state: this.state } }));
    this.registerMetrics();
  }

  static async start(options: RuntimeOptions): Promise<Runtime> {
    const { config } = options;
    const logger = options.logger ?? createLogger(config.log.level);
    let backend = options.backend;
    if (backend === undefined) {
      if (config.store.backend === 'memory') backend = new MemoryBackend();
      else {
        mkdirSync(config.dataDir, { recursive: true });
        backend = await LevelBackend.open(join(config.dataDir, 'store'));
      }
    }
    const rt = new Runtime(config, new Store(backend), options.clock ?? systemClock, logger);
    try {
      await rt.boot(options);
    } catch (err) {
      await rt.abort();
      throw err;
    }
    return rt;
  }

  private async boot(options: RuntimeOptions): Promise<void> {
    const created = await this.accounts.ensureDefaults();
    if (created !== undefined) {
      const announce = options.announce ?? ((line: string) => process.stderr.write(`${line}\n`));
      announce(`faxgate: first start: created account 'default' with admin user '${created.username}', password: ${created.password}`);
      announce('faxgate: this password is shown only once; keep it now (初回起動: 管理者パスワードはこの一度だけ表示されます)');
    }
    await this.scheduler.load();
    const entries = [...(this.config.builtinPlugins ? (options.builtinPlugins ?? []) : []), ...this.config.plugins];
    const loaded = [];
    for (const entry of entries) loaded.push(await importPlugin(entry));
    await this.plugins.startAll(startOrder(loaded), (plugin, config) => this.contextFor(plugin, config), this.config.pluginConfig);
    for (const name of this.plugins.names) this.logger.info({ plugin: name }, 'plugin started');
    const restored = await this.actors.rehydrate();
    this.scheduler.start();
    await this.http.app.listen({ host: this.config.http.host, port: this.config.http.port });
    const addr = this.http.app.server.address();
    if (addr !== null && typeof addr === 'object') this.address = { host: addr.address, port: addr.port };
    this.state = 'running';
    this.logger.info({ http: this.address, restoredActors: restored, pendingTimers: this.scheduler.size, dataDir: this.config.dataDir }, 'faxgate started');
  }

  get httpAddress(): { host: string; port: number } | undefined {
    return this.address;
  }

  registry<T>(name: string): Registry<T> {
    let r = this.registries.get(name);
    if (r === undefined) {
      r = new Registry<unknown>(name);
      this.registries.set(name, r);
    }
    return r as Registry<T>;
  }

  private contextFor(plugin: Plugin, config: Record<string, unknown>): PluginContext {
    const name = plugin.name;
    const qualify = (n: string): string => (n.includes('.') ? n : `${name}.${n}`);
    return {
      name,
      config,
      store: this.store.namespace(`plugin:${name}`),
      events: this.events,
      clock: this.clock,
      logger: this.logger.child({ plugin: name }),
      dataDir: this.config.dataDir,
      accounts: this.accounts,
      http: { route: (opts) => void this.http.app.route(opts) },
      actors: {
        define: (n, spec) => this.actors.define(qualify(n), `plugin:${name}`, spec),
        spawn: (n, opts) => this.actors.spawn(qualify(n), opts),
        send: (id, event) => this.actors.send(id, event),
        snapshot: (id) => this.actors.snapshot(id),
      },
      timers: {
        handle: (kind, handler) => this.scheduler.handle(`${name}.${kind}`, handler),
        schedule: (t) => this.scheduler.schedule({ ...t, kind: `${name}.${t.kind}` }),
        cancel: (id) => this.scheduler.cancel(id),
        get: (id) => this.scheduler.get(id),
      },
      registry: <T>(n: string) => this.registry<T>(n),
      announce: (line) => void this.announcements.push(line),
    };
  }

  private registerMetrics(): void {
    const actors = this.actors;
    const scheduler = this.scheduler;
    new Gauge({
      name: 'faxgate_actors',
      help: 'live actors by logic and status',
      labelNames: ['logic', 'status'],
      registers: [this.http.metrics],
      collect() {
        this.reset();
        for (const [k, n] of actors.counts()) {
          const [logic, status] = k.split('\u0000');
          this.set({ logic: logic ?? '', status: status ?? '' }, n);
        }
      },
    });
    new Gauge({
      name: 'faxgate_timers_pending',
      help: 'durable timers waiting to fire',
      registers: [this.http.metrics],
      collect() {
        this.set(scheduler.size);
      },
    });
  }

  /** Graceful stop; see the class comment for the order. */
  async stop(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.state = 'stopping';
    this.events.emit('runtime.stopping', {});
    this.logger.info('stopping: no new work; finishing what is in flight');
    await this.http.app.close();
    await this.plugins.stopAll((plugin, err) => this.logger.error({ plugin, err: errorMessage(err) }, 'plugin stop failed'));
    await this.scheduler.stop();
    await this.actors.stop();
    await this.store.close();
    this.state = 'stopped';
    this.logger.info('stopped');
  }

  /** Cleans up after a failed start (the plugin host already stopped its plugins). */
  private async abort(): Promise<void> {
    this.state = 'stopping';
    await this.http.app.close().catch(() => undefined);
    await this.scheduler.stop().catch(() => undefined);
    await this.actors.stop().catch(() => undefined);
    await this.store.close().catch(() => undefined);
    this.state = 'stopped';
  }
}
