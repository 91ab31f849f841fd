import type { RouteOptions } from 'fastify';
import type { AnyActorLogic, InputFrom, SnapshotFrom } from 'xstate';
import type { ChildSpec } from '../actors/runtime.ts';
import type { AccountService } from '../accounts.ts';
import type { Clock } from '../clock.ts';
import type { Schema } from '../config/schema.ts';
import type { EventBus } from '../events.ts';
import type { Logger } from '../logger.ts';
import type { TimerHandler, TimerRecord } from '../scheduler.ts';
import type { Namespace } from '../store/store.ts';
import type { Json } from '../store/backend.ts';
import type { Registry } from './registry.ts';

/**
 * A plugin: built-in ones and third-party ones are the same thing, loaded from a path or a
 * package name listed in the config. The module's default export (or its `plugin` export) is
 * this object.
 */
export interface Plugin {
  /** Lower-case, `[a-z0-9._-]`; also the plugin's store namespace and config section name. */
  readonly name: string;
  readonly version: string;
  /** Plugins that must be set up first. */
  readonly dependsOn?: readonly string[];
  /** Validated (with defaults applied) before `setup` runs. */
  readonly configSchema?: Schema;
  setup(ctx: PluginContext): void | Promise<void>;
  /** Called at shutdown, in reverse start order: stop taking work, finish or persist what is in flight. */
  stop?(): void | Promise<void>;
}

/** What a plugin may touch: its own config, store namespace, timers and actors, and shared services. */
export interface PluginContext {
  readonly name: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly store: Namespace;
  readonly events: EventBus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly dataDir: string;
  readonly accounts: AccountService;
  readonly http: {
    /** Adds a route to the HTTP server (before it starts listening). */
    route(options: RouteOptions): void;
  };
  readonly actors: {
    /** Defines a logic as `<plugin>.<name>`. */
    define<TLogic extends AnyActorLogic, TRecord>(name: string, spec: ChildSpec<TLogic, TRecord>): void;
    /** Spawns one of this plugin's logics (short name) or another's (`plugin.name`). */
    spawn<TLogic extends AnyActorLogic>(name: string, options: { id: string; account: string; input?: InputFrom<TLogic> }): Promise<void>;
    send(id: string, event: { type: string } & Record<string, unknown>): Promise<void>;
    snapshot(id: string): SnapshotFrom<AnyActorLogic> | undefined;
  };
  readonly timers: {
    /** Handles this plugin's timers of `kind` (stored as `<plugin>.<kind>`). */
    handle(kind: string, handler: TimerHandler): void;
    schedule(timer: { id: string; kind: string; account: string; at: number; payload: Json }): Promise<void>;
    cancel(id: string): Promise<void>;
    get(id: string): TimerRecord | undefined;
  };
  /** Shared registries by name (renderers by media type, trunks, ...). */
  registry<T>(name: string): Registry<T>;
  /**
   * A line for the operator on the console at start (`SIP on ...`): shown once every plugin
   * has started, just before the "serving on" line, and not at all if the start fails.
   */
  announce(line: string): void;
}
