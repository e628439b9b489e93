/**
 * CSV per RFC 4180 (CRLF line ends; a field holding `"`, `,`, CR or LF is quoted and its
 * quotes doubled), safe to open in a spreadsheet: a text cell a spreadsheet could read as a
 * formula gets a leading `'` (OWASP's advice), which makes it text and keeps the value visible.
 */
export type Cell = string | number | boolean | null | undefined;

/** A leading tab or CR alone is enough for some spreadsheets (OWASP's list). */
const CONTROL_START = /^[\t\r]/;
/**
 * Leading characters that may be gone by the time a spreadsheet looks at the cell (LibreOffice
 * and Google Sheets can trim spaces on import) or that a reader does not see: whitespace (`\s`
 * covers the Unicode spaces, NBSP and the BOM), control and format characters (zero-width
 * spaces, direction marks).
 */
const SKIPPED_LEAD = /^[\s\p{Cc}\p{Cf}]+/u;
/** `=`, `+`, `-`, `@` start formulas; `|` starts a DDE call (`|calc`, `cmd|' /C calc'!A0`). */
const FORMULA_START = /^[=+\-@|]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * True when a spreadsheet could evaluate the text. Checked after NFKC normalisation, because
 * compatibility forms (fullwidth `＝`, small `﹦`) can be folded into the ASCII operator by a
 * spreadsheet's input handling or a cleanup step, and after the leading characters above.
 */
export function looksLikeFormula(text: string): boolean {
  if (CONTROL_START.test(text)) return true;
  return FORMULA_START.test(text.normalize('NFKC').replace(SKIPPED_LEAD, ''));
}

/** Neutralises a text cell a spreadsheet would evaluate as a formula; the text is kept as is. */
export function neutralizeFormula(text: string): string {
  return looksLikeFormula(text) ? `'${text}` : text;
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
