/**
 * Path schemas of the history routes. Apart from their query schemas, so a route that takes
 * only ids bundles none of those (every schema built at module scope is code the bundler keeps).
 */
import * as z from 'zod/mini';
import { idParam } from './params.ts';

export const instanceIdPathSchema = z.strictObject({ id: idParam });
export const historyIdPathSchema = z.strictObject({ history_id: idParam });
export const comparePathSchema = z.strictObject({ id1: idParam, id2: idParam });
export const restorePathSchema = z.strictObject({ id: idParam, history_id: idParam });
