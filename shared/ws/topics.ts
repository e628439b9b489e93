/** What a WebSocket topic looks like and how many one message may name (SPEC §5). */
export const TOPIC = /^(instances|instance:[1-9]\d{0,14}|operation:[\w-]{1,64})$/;
/** Topics in one subscribe / unsubscribe message (and in a `$connect` query). */
export const MAX_TOPICS = 50;
