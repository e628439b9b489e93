import * as z from 'zod/mini';

export const pingSchema = z.strictObject({ action: z.literal('ping') });
export type PingMessage = z.input<typeof pingSchema>;
