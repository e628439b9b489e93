/**
 * CSV per RFC 4180 (CRLF line ends; a field holding `"`, `,`, CR or LF is quoted and its
 * quotes doubled), safe to open in a spreadsheet: a text cell that starts with `=`, `+`, `-`,
 * `@`, tab or CR would be read as a formula, so it gets a leading `'` (OWASP's advice).
 */
export type Cell = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** Neutralises a text cell a spreadsheet would evaluate as a formula. */
export function neutralizeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** One CSV field. Numbers and booleans are written as they are; text is neutralised and quoted. */
export function csvField(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = neutralizeFormula(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record, CRLF-terminated. */
export function csvRow(cells: readonly Cell[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}
