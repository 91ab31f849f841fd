/**
 * The audio side of a call: RTP over UDP, jitter reordering, fax tone detection and
 * generation on G.711, and the watchdog that ends dead or lingering calls.
 */
export { RtpEndpoint, type FrameSource, type RtpAddress, type RtpEndpointOptions, type RtpEndpointStats } from './rtp-endpoint.ts';
export { ReorderBuffer, type InOrderPacket, type ReorderOptions, type ReorderStats } from './reorder-buffer.ts';
export { ToneDetector, type FaxTone, type ToneDetectorOptions, type ToneEvent } from './tone-detector.ts';
export { ANSAM, CED, CNG, FRAME_SAMPLES, SAMPLE_RATE, ToneGenerator, sine, toneSamples, type ToneSpec } from './tone-generator.ts';
export { Goertzel } from './goertzel.ts';
export { FaxToneWatch, type FaxToneToPlay, type FaxToneWatchOptions } from './fax-tone-watch.ts';
export { CallWatchdog, type CallWatchdogOptions, type WatchdogReason } from './call-watchdog.ts';
