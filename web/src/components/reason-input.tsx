import { TextInput } from '@mantine/core';
import { MAX_REASON_CHARS } from '../../../shared/domain/change-reason.ts';

/** Optional "why" of a write, sent as X-Change-Reason and kept on the history record. */
export function ReasonInput({
  value,
  onChange,
  disabled,
}: {
  value: string;
  onChange: (value: string) => void;
  disabled?: boolean;
}) {
  return (
    <TextInput
      label="Change reason (optional)"
      description="Kept on the history record"
      placeholder="e.g. scale up for the launch traffic"
      maxLength={MAX_REASON_CHARS}
      value={value}
      disabled={disabled}
      onChange={(e) => onChange(e.currentTarget.value)}
    />
  );
}
