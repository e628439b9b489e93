import * as z from 'zod/mini';
import { topicListSchema } from './topic-list.ts';

export const subscribeSchema = z.strictObject({
  action: z.literal('subscribe'),
  topics: topicListSchema,
  since_history_id: z.optional(z.int().check(z.gte(0))),
});
export type SubscribeMessage = z.input<typeof subscribeSchema>;
