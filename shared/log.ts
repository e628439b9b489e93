import { Logger } from '@aws-lambda-powertools/logger';

/** Structured JSON logs (Powertools); the request id is appended per request by the HTTP envelope. */
export const logger = new Logger({ serviceName: 'inference-instances' });
