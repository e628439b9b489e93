import { ID_DIGITS, OPERATION_ID } from '../domain/ids.ts';

/** What a WebSocket topic looks like and how many one message may name (SPEC §5). */
export const TOPIC = new RegExp(`^(instances|instance:${ID_DIGITS}|operation:${OPERATION_ID})$`);
/** Topics in one subscribe / unsubscribe message (and in a `$connect` query). */
export const MAX_TOPICS = 50;
