/**
 * The soak's output: one table row per phase (stdout and docs/reliability.md share it) and the
 * docs section between its markers, rewritten in place so edits elsewhere in the file survive.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import type { PhaseResult } from './run-phase.ts';

const HEADER = [
  'phase',
  'acked writes',
  'history records',
  'missing',
  'duplicated',
  '500 during / after',
  '503 during / after',
  'refused',
  'write p50 / p99 ms',
  'steady sub missing / dup',
  'dropping sub missing / dup (drops)',
  'checks',
];

function row(r: PhaseResult): string[] {
  const [steady, dropping] = r.subscribers;
  const failed = r.checks.filter((c) => !c.ok).length;
  return [
    r.phase,
    String(r.acknowledged),
    String(r.historyRecords),
    String(r.missing),
    String(r.duplicated),
    `${r.status500.during} / ${r.status500.after}`,
    `${r.status503.during} / ${r.status503.after}`,
    String(r.refused),
    `${r.p50} / ${r.p99}`,
    `${steady?.missing ?? '-'} / ${steady?.duplicated ?? '-'}`,
    `${dropping?.missing ?? '-'} / ${dropping?.duplicated ?? '-'} (${dropping?.drops ?? 0})`,
    failed ? `${failed} failed` : `${r.checks.length} ok`,
  ];
}

export function table(results: PhaseResult[]): string {
  const rows = [HEADER, ...results.map(row)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(HEADER), rule, ...rows.slice(1).map(line)].join('\n');
}

export function totals(results: PhaseResult[]): { passed: number; failed: number } {
  const all = results.flatMap((r) => r.checks);
  const failed = all.filter((c) => !c.ok).length;
  return { passed: all.length - failed, failed };
}

export const BEGIN = '<!-- soak:begin -->';
export const END = '<!-- soak:end -->';

/** Replaces what is between the markers (appending them at the end if missing). */
export function replaceSection(doc: string, section: string): string {
  const begin = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  const body = `\n\n${section.trim()}\n\n`;
  if (begin < 0 || end < begin) return `${doc.trimEnd()}\n\n${BEGIN}${body}${END}\n`;
  return `${doc.slice(0, begin + BEGIN.length)}${body}${doc.slice(end)}`;
}

/** Writes the section, formatted as `npm test`'s format check wants it (only the section). */
export async function writeDocs(file: string, section: string): Promise<void> {
  const options = { ...(await resolveConfig(file)), parser: 'markdown' };
  const formatted = await format(section, options);
  // Read right before writing: someone may have edited another section meanwhile.
  writeFileSync(file, replaceSection(readFileSync(file, 'utf8'), formatted));
}
