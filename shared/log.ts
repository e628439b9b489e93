import { Logger } from '@aws-lambda-powertools/logger';

const serviceName = 'inference-instances';

/** Structured JSON logs (Powertools); the request id is appended per request by the HTTP envelope. */
export const logger = new Logger({ serviceName });

/**
 * A logger of its own for a stream consumer: keys that the HTTP envelope appends to the shared
 * logger never reach its lines (the local stack runs every function in one process).
 */
export const createLogger = (consumer: string) =>
  new Logger({ serviceName, persistentKeys: { consumer } });
