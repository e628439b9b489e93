import { OPERATION_STATUSES, OPERATION_TYPES } from '../../../../shared/ops/view.ts';
import { oneOf, validated, type RawSearch } from '../../lib/search.ts';

export interface OperationsSearch {
  status?: (typeof OPERATION_STATUSES)[number] | undefined;
  type?: (typeof OPERATION_TYPES)[number] | undefined;
}

export function validateOperationsSearch(raw: RawSearch): OperationsSearch {
  const out: OperationsSearch = {
    status: oneOf(raw.status, OPERATION_STATUSES),
    type: oneOf(raw.type, OPERATION_TYPES),
  };
  return validated(raw, out);
}
