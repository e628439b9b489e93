/**
 * Request body limits (SPEC §4: a larger body is a 413). The general one also bounds what one
 * request can write into an instance, so history records (old and new state) stay far below
 * DynamoDB's 400 KB item limit.
 */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * POST /api/operations takes up to 10,000 ids (SPEC §8): at up to 9 digits each that is ~100 KB
 * of JSON, beside a bulk update's `data`, which stays within MAX_BODY_BYTES on its own.
 */
export const MAX_OPERATION_BODY_BYTES = 192 * 1024;
