/** The topic list a `subscribe` or `unsubscribe` message carries. */
import * as z from 'zod/mini';
import { MAX_TOPICS, TOPIC } from '../topics.ts';

export const topicListSchema = z
  .array(
    z.string().check(z.regex(TOPIC, 'must be "instances", "instance:<id>" or "operation:<id>"')),
  )
  .check(z.minLength(1), z.maxLength(MAX_TOPICS));
