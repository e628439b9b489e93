import * as z from 'zod/mini';

export const pingSchema = z.object({ action: z.literal('ping') });
export type PingMessage = z.input<typeof pingSchema>;
