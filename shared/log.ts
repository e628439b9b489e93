/**
 * Structured JSON logs: one line per entry with the keys Powertools Logger writes (`level`,
 * `message`, `timestamp`, `service`, `xray_trace_id`, then the appended and extra keys), so
 * CloudWatch Logs Insights queries written for Powertools read these lines unchanged.
 *
 * Not Powertools Logger itself: `npm run bench` measured it at 22.8 KB of every bundle and
 * ~13 ms of every cold start (docs/performance.md), a third of the bundle budget, for the
 * five methods used here. The level comes from the same variables Powertools reads.
 */
import { SERVICE_NAME } from './config/service.ts';

const LEVELS = { DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, CRITICAL: 24, SILENT: 28 } as const;
export type LogLevel = keyof typeof LEVELS;

const isLevel = (value: string | undefined): value is LogLevel =>
  value !== undefined && Object.hasOwn(LEVELS, value);

/**
 * Lambda's advanced logging controls (`AWS_LAMBDA_LOG_LEVEL`) drop lines below their level
 * anyway, so they win; then the Powertools variables; INFO otherwise.
 */
export function levelFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevel {
  for (const name of ['AWS_LAMBDA_LOG_LEVEL', 'POWERTOOLS_LOG_LEVEL', 'LOG_LEVEL']) {
    const value = env[name]?.toUpperCase();
    if (isLevel(value)) return value;
  }
  return 'INFO';
}

/** Errors become `{ name, message, stack, cause }` (JSON.stringify would print `{}`). */
function serializable(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  return {
    ...value,
    name: value.name,
    message: value.message,
    stack: value.stack,
    ...(value.cause !== undefined && { cause: value.cause }),
  };
}

export type LogAttributes = Record<string, unknown>;

export interface LoggerOptions {
  service?: string;
  level?: LogLevel;
  /** Keys on every line of this logger. */
  persistentKeys?: LogAttributes;
  /** Where a finished line goes; standard output (errors: standard error) by default. */
  write?: (line: string, level: LogLevel) => void;
}

const writeStd = (line: string, level: LogLevel) =>
  (LEVELS[level] >= LEVELS.WARN ? process.stderr : process.stdout).write(`${line}\n`);

export class Logger {
  readonly level: LogLevel;
  private readonly service: string;
  private readonly persistent: LogAttributes;
  private appended: LogAttributes = {};
  private readonly write: (line: string, level: LogLevel) => void;

  constructor(options: LoggerOptions = {}) {
    this.service = options.service ?? process.env.POWERTOOLS_SERVICE_NAME ?? 'service_undefined';
    this.level = options.level ?? levelFromEnv();
    this.persistent = { ...options.persistentKeys };
    this.write = options.write ?? writeStd;
  }

  /** Keys for the lines that follow, until replaced (the envelopes set them per request). */
  appendKeys(keys: LogAttributes): void {
    this.appended = { ...this.appended, ...keys };
  }

  debug(message: string, extra?: LogAttributes): void {
    this.log('DEBUG', message, extra);
  }

  info(message: string, extra?: LogAttributes): void {
    this.log('INFO', message, extra);
  }

  warn(message: string, extra?: LogAttributes): void {
    this.log('WARN', message, extra);
  }

  error(message: string, extra?: LogAttributes): void {
    this.log('ERROR', message, extra);
  }

  private log(level: LogLevel, message: string, extra: LogAttributes | undefined): void {
    if (LEVELS[level] < LEVELS[this.level]) return;
    const trace = /Root=([^;]+)/.exec(process.env._X_AMZN_TRACE_ID ?? '')?.[1];
    const base = {
      level,
      message,
      timestamp: new Date().toISOString(),
      service: this.service,
      ...(trace !== undefined && { xray_trace_id: trace }),
      ...this.persistent,
      ...this.appended,
    };
    let line: string;
    try {
      line = JSON.stringify({ ...base, ...extra }, serializable);
    } catch (err) {
      // A cycle or a BigInt in `extra` must not turn a log line into a failed request.
      line = JSON.stringify({ ...base, unserializable_extra: String(err) });
    }
    this.write(line, level);
  }
}

/** The HTTP and WebSocket envelopes' logger; they append the request id per request. */
export const logger = new Logger({ service: SERVICE_NAME });

/**
 * A logger of its own for a stream consumer: keys that the HTTP envelope appends to the shared
 * logger never reach its lines (the local stack runs every function in one process).
 */
export const createLogger = (consumer: string) =>
  new Logger({ service: SERVICE_NAME, persistentKeys: { consumer } });
