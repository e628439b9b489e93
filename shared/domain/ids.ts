/**
 * The shape of the ids this service issues, declared once for the path parameters, the batch
 * and operation bodies and the WebSocket topics (no zod here: a topic check bundles none).
 */

/** Instance and history ids: counters that start at 1 and stay below a billion. */
export const MAX_ID = 999_999_999;
/** The digits of an id in a path or topic (1–999,999,999). */
export const ID_DIGITS = '[1-9]\\d{0,8}';
/** Operation ids: the UUIDs `randomUUID` gives (shared/ops/service.ts). */
export const OPERATION_ID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
