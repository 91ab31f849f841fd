import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

/** Structured JSON logs. Children carry their component (`plugin`, `actor`) as a field. */
export type Logger = PinoLogger;
export const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function createLogger(level: LevelWithSilent, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, base: { service: 'faxgate' }, timestamp: pino.stdTimeFunctions.isoTime },
    destination ?? pino.destination({ fd: 1, sync: true }),
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
