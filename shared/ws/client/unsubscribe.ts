import * as z from 'zod/mini';
import { topicListSchema } from './topic-list.ts';

export const unsubscribeSchema = z.strictObject({
  action: z.literal('unsubscribe'),
  topics: topicListSchema,
});
export type UnsubscribeMessage = z.input<typeof unsubscribeSchema>;
