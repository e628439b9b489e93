/** Error notifications that always name the request id, so a report can be traced in the logs. */
import { notifications } from '@mantine/notifications';
import { ApiError, NetworkError } from '../../../client/index.ts';

export function describeError(err: unknown): { title: string; message: string } {
  if (err instanceof ApiError) {
    const id = err.requestId ? ` (request ${err.requestId})` : '';
    return { title: `${err.status} ${err.type}`, message: `${err.message}${id}` };
  }
  if (err instanceof NetworkError) return { title: 'Network error', message: err.message };
  return { title: 'Error', message: err instanceof Error ? err.message : String(err) };
}

export function notifyError(err: unknown, what?: string): void {
  const { title, message } = describeError(err);
  notifications.show({
    color: 'red',
    title: what ? `${what}: ${title}` : title,
    message,
    autoClose: 10_000,
  });
}

export function notifySuccess(message: string): void {
  notifications.show({ color: 'teal', message, autoClose: 3000 });
}
