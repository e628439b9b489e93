/**
 * A minimal streaming XLSX (Office Open XML SpreadsheetML) writer: one worksheet, text as
 * inline strings (no shared-string table to hold), numbers and booleans typed, a bold header
 * row. Rows are deflated into the ZIP (fflate, ~12 KB minified) as they arrive, so memory holds
 * the compressed output plus the rows of the current page, never the whole sheet as XML.
 *
 * Why not a library: the light ones (write-excel-file, zipcelx, SheetJS) take the whole table
 * at once; the streaming ones (exceljs, xlsx-write-stream) pull in archiver and weigh
 * 0.3–1 MB minified. See README, Export.
 */
import { Zip, ZipDeflate, strToU8 } from 'fflate';
import { looksLikeFormula, type Cell } from './csv.ts';

/** Excel's limit on the characters of one cell; longer text is cut with a marker. */
export const XLSX_MAX_CELL_CHARS = 32_767;
const TRUNCATED = '…[truncated]';

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`;

const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`;

const workbook = (sheetName: string) => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="${escapeXml(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`;

const WORKBOOK_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`;

/**
 * Style 0: default; 1: bold (the header row); 2 and 3: the same with `quotePrefix`. Inline
 * strings are never evaluated, but a formula-like one would become a live formula the moment
 * someone edits the cell (F2, Enter) or re-saves the sheet as CSV. `quotePrefix` is what Excel
 * itself records for a typed `'=1+1`: the cell shows `=1+1` and stays text when edited.
 */
const STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" quotePrefix="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`;

const SHEET_START = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>`;
const SHEET_END = '</sheetData></worksheet>';

/** XML text escaping; characters XML 1.0 cannot carry are written as OOXML `_xHHHH_`. */
export function escapeXml(text: string): string {
  return text
    .replace(/_x[0-9A-Fa-f]{4}_/g, (m) => `_x005F${m}`)
    .replace(/[&<>"]/g, (c) =>
      c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;',
    )
    .replace(
      // eslint-disable-next-line no-control-regex
      /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g,
      (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`,
    );
}

/** `A`, `B`, …, `Z`, `AA`, … for a zero-based column index. */
export function columnName(index: number): string {
  let n = index + 1;
  let name = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    name = String.fromCharCode(65 + rem) + name;
    n = Math.floor((n - 1) / 26);
  }
  return name;
}

/** Offset from a style to its `quotePrefix` twin (see STYLES). */
const QUOTE_PREFIXED = 2;

function cellXml(ref: string, value: Cell, style: 0 | 1): string {
  const s = style ? ` s="${style}"` : '';
  if (value === null || value === undefined || value === '') return '';
  if (typeof value === 'number' && Number.isFinite(value))
    return `<c r="${ref}"${s}><v>${value}</v></c>`;
  if (typeof value === 'boolean') return `<c r="${ref}"${s} t="b"><v>${value ? 1 : 0}</v></c>`;
  let text = String(value);
  const textStyle = looksLikeFormula(text) ? ` s="${style + QUOTE_PREFIXED}"` : s;
  if (text.length > XLSX_MAX_CELL_CHARS)
    text = text.slice(0, XLSX_MAX_CELL_CHARS - TRUNCATED.length) + TRUNCATED;
  return `<c r="${ref}"${textStyle} t="inlineStr"><is><t xml:space="preserve">${escapeXml(text)}</t></is></c>`;
}

export class XlsxWriter {
  private readonly chunks: Uint8Array[] = [];
  private bytes = 0;
  private readonly zip: Zip;
  private readonly sheet: ZipDeflate;
  private rows = 0;
  private pending: string[] = [];
  private error: Error | null = null;

  constructor(sheetName: string) {
    this.zip = new Zip((err, data) => {
      if (err) this.error = err;
      else {
        this.chunks.push(data);
        this.bytes += data.length;
      }
    });
    const parts: [string, string][] = [
      ['[Content_Types].xml', CONTENT_TYPES],
      ['_rels/.rels', ROOT_RELS],
      ['xl/workbook.xml', workbook(sheetName.slice(0, 31))],
      ['xl/_rels/workbook.xml.rels', WORKBOOK_RELS],
      ['xl/styles.xml', STYLES],
    ];
    for (const [name, xml] of parts) {
      const f = new ZipDeflate(name, { level: 6 });
      this.zip.add(f);
      f.push(strToU8(xml), true);
    }
    this.sheet = new ZipDeflate('xl/worksheets/sheet1.xml', { level: 6 });
    this.zip.add(this.sheet);
    this.sheet.push(strToU8(SHEET_START));
  }

  /** Compressed bytes produced so far (what the finished file will be, give or take a page). */
  get size(): number {
    return this.bytes;
  }

  addRow(cells: readonly Cell[], style: 0 | 1 = 0): void {
    const r = ++this.rows;
    const xml = cells.map((v, i) => cellXml(`${columnName(i)}${r}`, v, style)).join('');
    this.pending.push(`<row r="${r}">${xml}</row>`);
  }

  /** Compresses the rows added since the last flush (call once per page). */
  flush(): void {
    if (this.pending.length === 0) return;
    this.sheet.push(strToU8(this.pending.join('')));
    this.pending = [];
    this.check();
  }

  finish(): Buffer {
    this.flush();
    this.sheet.push(strToU8(SHEET_END), true);
    this.zip.end();
    this.check();
    return Buffer.concat(this.chunks);
  }

  private check(): void {
    if (this.error) throw this.error;
  }
}
