/**
 * SIP trunks: config schema and validation, outbound routing with fail-over, inbound DID
 * routing, channel and calls-per-second limits, and the memory of T.38 refusals. The SIP
 * layer and the call wiring use these; none of them sends a SIP message.
 */
export {
  T38_POLICIES,
  didSchema,
  loadTrunkConfig,
  parseCidr,
  resolveTrunkConfig,
  sourceMatcher,
  trunkSchema,
  type DidEntry,
  type T38Policy,
  type T38Settings,
  type Trunk,
  type TrunkConfig,
} from './schema.ts';
export { OutboundRouter, calledUser, judgeAttempt, type AttemptOutcome, type AttemptVerdict } from './outbound-router.ts';
export { InboundRouter, didE164, type InboundCallInfo, type InboundRefusal, type InboundRefusalCode, type InboundRoute } from './inbound-router.ts';
export {
  ChannelGate,
  gatesForTrunks,
  type ChannelGateOptions,
  type ChannelGateStats,
  type ChannelLease,
  type GateRefusal,
  type GateRefusalReason,
  type GateResult,
} from './channel-gate.ts';
export {
  DEFAULT_T38_REFUSAL_TTL_MS,
  MemoryT38RefusalStore,
  T38RefusalMemory,
  type T38Plan,
  type T38RefusalRecord,
  type T38RefusalStore,
} from './t38-refusals.ts';
export { dialWithFailover, type DialAttemptLog, type DialResult } from './dial.ts';
