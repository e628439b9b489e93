/** The structured logger (shared/log.ts): the line shape, levels and error serialisation. */
import { afterEach, describe, expect, it } from 'vitest';
import { Logger, levelFromEnv, type LogLevel } from '../../shared/log.ts';

function capture(level: LogLevel = 'DEBUG', persistentKeys?: Record<string, unknown>) {
  const lines: { level: LogLevel; entry: Record<string, unknown> }[] = [];
  const logger = new Logger({
    service: 'svc',
    level,
    ...(persistentKeys && { persistentKeys }),
    write: (line, lvl) => lines.push({ level: lvl, entry: JSON.parse(line) }),
  });
  return { logger, lines };
}

describe('Logger', () => {
  const trace = process.env._X_AMZN_TRACE_ID;
  afterEach(() => {
    if (trace === undefined) delete process.env._X_AMZN_TRACE_ID;
    else process.env._X_AMZN_TRACE_ID = trace;
  });

  it('writes one JSON line with the Powertools keys, then persistent, appended and extra keys', () => {
    process.env._X_AMZN_TRACE_ID = 'Root=1-abc-def;Parent=12;Sampled=1';
    const { logger, lines } = capture('DEBUG', { consumer: 'Worker' });
    logger.appendKeys({ request_id: 'r1' });
    logger.info('hello', { n: 1 });
    expect(lines).toHaveLength(1);
    const { entry } = lines[0]!;
    expect(Object.keys(entry)).toEqual([
      'level',
      'message',
      'timestamp',
      'service',
      'xray_trace_id',
      'consumer',
      'request_id',
      'n',
    ]);
    expect(entry).toMatchObject({
      level: 'INFO',
      message: 'hello',
      service: 'svc',
      xray_trace_id: '1-abc-def',
      consumer: 'Worker',
      request_id: 'r1',
      n: 1,
    });
    expect(new Date(entry.timestamp as string).toISOString()).toBe(entry.timestamp);
  });

  it('replaces appended keys and leaves persistent ones', () => {
    const { logger, lines } = capture('DEBUG', { consumer: 'c' });
    logger.appendKeys({ request_id: 'a', route: 'GET /x' });
    logger.appendKeys({ request_id: 'b' });
    logger.warn('w');
    expect(lines[0]!.entry).toMatchObject({ consumer: 'c', request_id: 'b', route: 'GET /x' });
  });

  it('drops lines below its level, SILENT drops all', () => {
    const warn = capture('WARN');
    warn.logger.debug('d');
    warn.logger.info('i');
    warn.logger.warn('w');
    warn.logger.error('e');
    expect(warn.lines.map((l) => l.level)).toEqual(['WARN', 'ERROR']);
    const silent = capture('SILENT');
    silent.logger.error('e');
    expect(silent.lines).toEqual([]);
  });

  it('serialises errors with name, message, stack, cause and their own fields', () => {
    const { logger, lines } = capture();
    const cause = new TypeError('inner');
    const err = Object.assign(new Error('outer', { cause }), { code: 'E1' });
    logger.error('failed', { error: err });
    const error = lines[0]!.entry.error as Record<string, unknown>;
    expect(error).toMatchObject({ name: 'Error', message: 'outer', code: 'E1' });
    expect(error.stack).toContain('outer');
    expect(error.cause).toMatchObject({ name: 'TypeError', message: 'inner' });
  });

  it('keeps the line when an extra value cannot be serialised', () => {
    const { logger, lines } = capture();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    logger.error('cycle', { cyclic, big: 1n });
    expect(lines[0]!.entry).toMatchObject({ level: 'ERROR', message: 'cycle' });
    expect(lines[0]!.entry.unserializable_extra).toMatch(/TypeError/);
    expect(lines[0]!.entry).not.toHaveProperty('cyclic');
  });
});

describe('levelFromEnv', () => {
  it('prefers Lambda log controls, then Powertools, then LOG_LEVEL, else INFO', () => {
    expect(levelFromEnv({ AWS_LAMBDA_LOG_LEVEL: 'error', POWERTOOLS_LOG_LEVEL: 'DEBUG' })).toBe(
      'ERROR',
    );
    expect(levelFromEnv({ POWERTOOLS_LOG_LEVEL: 'debug', LOG_LEVEL: 'WARN' })).toBe('DEBUG');
    expect(levelFromEnv({ LOG_LEVEL: 'warn' })).toBe('WARN');
    expect(levelFromEnv({ POWERTOOLS_LOG_LEVEL: 'verbose' })).toBe('INFO');
    expect(levelFromEnv({})).toBe('INFO');
  });
});
