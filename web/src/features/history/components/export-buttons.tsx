import { useState } from 'react';
import { Button, Group } from '@mantine/core';
import { useApi } from '../../../lib/api.tsx';
import { notifyError } from '../../../lib/errors.ts';

type Format = 'json' | 'csv' | 'xlsx';
const TYPES: Record<Format, string> = {
  json: 'application/json',
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Downloads the instance's history through the client (so the token and retries apply). */
export function ExportButtons({ id }: { id: number }) {
  const api = useApi();
  const [busy, setBusy] = useState<Format | null>(null);
  const download = async (format: Format) => {
    setBusy(format);
    try {
      const file =
        format === 'json'
          ? await api.exportHistory(id, 'json')
          : format === 'csv'
            ? await api.exportHistory(id, 'csv')
            : await api.exportHistory(id, 'xlsx');
      const data = file.data;
      const blob = new Blob(
        [
          data instanceof Uint8Array
            ? (data as Uint8Array<ArrayBuffer>)
            : typeof data === 'string'
              ? data
              : JSON.stringify(data, null, 2),
        ],
        { type: TYPES[format] },
      );
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = file.filename ?? `instance-${id}-history.${format}`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (e) {
      notifyError(e, 'Export failed');
    } finally {
      setBusy(null);
    }
  };
  return (
    <Group gap="xs" role="group" aria-label="Export history">
      {(['json', 'csv', 'xlsx'] as const).map((f) => (
        <Button
          key={f}
          size="xs"
          variant="default"
          loading={busy === f}
          onClick={() => void download(f)}
        >
          Export {f.toUpperCase()}
        </Button>
      ))}
    </Group>
  );
}
