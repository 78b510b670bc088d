import PDFDocument from 'pdfkit';

/**
 * Page furniture and building blocks for the PDF (pdfkit): headings that feed the table of
 * contents and the outline, paragraphs, tables that split across pages with repeated headers,
 * and the running header/footer drawn last (so "n of N" is known). No data access here.
 */

export const PAGE = { width: 595.28, height: 841.89, margin: 50, top: 62, bottom: 62 } as const;
export const CONTENT_WIDTH = PAGE.width - 2 * PAGE.margin;

export const COLORS = {
  text: '#1f2933',
  muted: '#616e7c',
  rule: '#cbd2d9',
  header: '#e4e7eb',
  zebra: '#f5f7fa',
  accent: '#1f4e79',
  satisfied: '#2e7d32',
  findings: '#c62828',
  'no evidence': '#e65100',
  'not applicable': '#757575',
  critical: '#7f0000',
  high: '#d32f2f',
  medium: '#ef6c00',
  low: '#f9a825',
  info: '#607d8b',
} as const;

export function colorOf(key: string): string {
  return (COLORS as Record<string, string>)[key] ?? COLORS.text;
}

// WinAnsi (the standard fonts' encoding) beyond Latin-1.
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
const REPLACE: Record<string, string> = { '→': '->', '←': '<-', '≥': '>=', '≤': '<=', '×': 'x', '✓': 'v' };

/** Text the standard fonts can show: anything else becomes a close ASCII form or '?'. */
export function safe(text: string | number | null | undefined): string {
  if (text === null || text === undefined) return '';
  let out = '';
  for (const ch of String(text)) {
    const code = ch.codePointAt(0) ?? 0;
    if (
      code === 9 ||
      code === 10 ||
      (code >= 32 && code < 127) ||
      (code >= 160 && code <= 255) ||
      WIN_ANSI_EXTRA.has(ch)
    )
      out += ch;
    else out += REPLACE[ch] ?? '?';
  }
  return out;
}

export interface TocEntry {
  title: string;
  level: 1 | 2;
  page: number;
  dest: string;
}

export interface Column {
  header: string;
  width: number;
  align?: 'left' | 'right' | 'center';
  mono?: boolean;
}

export interface Cell {
  text: string;
  color?: string;
  bold?: boolean;
}

export type Row = (string | Cell)[];

export class Layout {
  readonly doc: PDFKit.PDFDocument;
  readonly toc: TocEntry[] = [];
  private outlineParent: PDFKit.PDFOutline | null = null;
  private destCount = 0;

  constructor(info: { title: string; author: string; subject: string; keywords: string; date: Date }) {
    this.doc = new PDFDocument({
      size: 'A4',
      margins: { top: PAGE.top, bottom: PAGE.bottom, left: PAGE.margin, right: PAGE.margin },
      bufferPages: true,
      autoFirstPage: true,
      compress: true,
      // Fixed dates make the file id (an md5 of the info) and the bytes reproducible.
      info: {
        Title: safe(info.title),
        Author: safe(info.author),
        Subject: safe(info.subject),
        Keywords: safe(info.keywords),
        Creator: 'auditlake',
        Producer: 'auditlake (pdfkit)',
        CreationDate: info.date,
        ModDate: info.date,
      },
      displayTitle: true,
      lang: 'en',
    });
    this.doc.font('Helvetica').fontSize(10).fillColor(COLORS.text);
  }

  get y(): number {
    return this.doc.y;
  }

  get bottom(): number {
    return PAGE.height - PAGE.bottom;
  }

  newPage(): void {
    this.doc.addPage();
    this.doc.x = PAGE.margin;
  }

  /** Starts a new page unless `height` points fit below the cursor. */
  ensure(height: number): void {
    if (this.doc.y + height > this.bottom) this.newPage();
  }

  /** A section heading: level 1 starts a page; both go to the outline and the table of contents. */
  heading(title: string, level: 1 | 2, options: { toc?: boolean } = {}): void {
    const doc = this.doc;
    if (level === 1) {
      if (doc.y > PAGE.top + 1) this.newPage();
    } else this.ensure(70);
    const dest = `s${++this.destCount}`;
    doc.addNamedDestination(dest, 'XYZ', 0, PAGE.height - doc.y + 10, null as unknown as number);
    if (level === 1) this.outlineParent = doc.outline.addItem(safe(title));
    else (this.outlineParent ?? doc.outline).addItem(safe(title));
    if (options.toc !== false) this.toc.push({ title, level, page: this.pageIndex(), dest });
    doc
      .font('Helvetica-Bold')
      .fontSize(level === 1 ? 17 : 12.5)
      .fillColor(level === 1 ? COLORS.accent : COLORS.text)
      .text(safe(title), PAGE.margin, doc.y, { width: CONTENT_WIDTH });
    if (level === 1) {
      doc
        .moveTo(PAGE.margin, doc.y + 2)
        .lineTo(PAGE.margin + CONTENT_WIDTH, doc.y + 2)
        .lineWidth(0.8)
        .strokeColor(COLORS.accent)
        .stroke();
      doc.moveDown(0.6);
    } else doc.moveDown(0.25);
    this.body();
  }

  subheading(title: string): void {
    this.ensure(40);
    this.doc
      .font('Helvetica-Bold')
      .fontSize(10.5)
      .fillColor(COLORS.text)
      .text(safe(title), PAGE.margin, this.doc.y);
    this.doc.moveDown(0.2);
    this.body();
  }

  body(): void {
    this.doc.font('Helvetica').fontSize(9.5).fillColor(COLORS.text);
  }

  paragraph(text: string, options: { color?: string; size?: number; gap?: number } = {}): void {
    this.doc
      .font('Helvetica')
      .fontSize(options.size ?? 9.5)
      .fillColor(options.color ?? COLORS.text)
      .text(safe(text), PAGE.margin, this.doc.y, { width: CONTENT_WIDTH, lineGap: 1.5 });
    this.doc.moveDown(options.gap ?? 0.4);
    this.body();
  }

  bullets(items: readonly string[]): void {
    for (const item of items) {
      this.ensure(14);
      const y = this.doc.y;
      this.doc
        .font('Helvetica')
        .fontSize(9.5)
        .fillColor(COLORS.text)
        .text('•', PAGE.margin + 4, y);
      this.doc.text(safe(item), PAGE.margin + 16, y, { width: CONTENT_WIDTH - 16, lineGap: 1.5 });
      this.doc.moveDown(0.25);
    }
    this.doc.x = PAGE.margin;
  }

  /** Label: value lines, the label in a fixed column. */
  fields(pairs: readonly [string, string | null | undefined][], labelWidth = 95): void {
    const doc = this.doc;
    for (const [label, value] of pairs) {
      if (value === null || value === undefined || value === '') continue;
      const text = safe(value);
      const h = doc
        .font('Helvetica')
        .fontSize(9)
        .heightOfString(text, { width: CONTENT_WIDTH - labelWidth });
      this.ensure(Math.min(h, 60) + 2);
      const y = doc.y;
      doc
        .font('Helvetica-Bold')
        .fontSize(9)
        .fillColor(COLORS.muted)
        .text(safe(label), PAGE.margin, y, {
          width: labelWidth - 6,
        });
      doc
        .font('Helvetica')
        .fontSize(9)
        .fillColor(COLORS.text)
        .text(text, PAGE.margin + labelWidth, y, {
          width: CONTENT_WIDTH - labelWidth,
          lineGap: 1,
        });
      doc.y = Math.max(doc.y, y + 11);
      doc.moveDown(0.15);
    }
    doc.x = PAGE.margin;
    this.body();
  }

  mono(text: string, size = 7.5): void {
    const doc = this.doc;
    const lines = safe(text).split('\n');
    for (const line of lines) {
      this.ensure(size + 3);
      doc
        .font('Courier')
        .fontSize(size)
        .fillColor(COLORS.text)
        .text(line || ' ', PAGE.margin + 8, doc.y, {
          width: CONTENT_WIDTH - 8,
          lineGap: 0.5,
        });
    }
    doc.moveDown(0.4);
    doc.x = PAGE.margin;
    this.body();
  }

  /**
   * A table: rows of fixed-height cells (long text is cut with an ellipsis), split across pages
   * with the header row repeated.
   */
  table(
    columns: readonly Column[],
    rows: readonly Row[],
    options: { size?: number; maxLines?: number } = {},
  ): void {
    const doc = this.doc;
    const size = options.size ?? 8;
    const maxLines = options.maxLines ?? 3;
    const pad = 3;
    const lineHeight = size * 1.18;
    const totalWidth = columns.reduce((n, c) => n + c.width, 0);
    const scale = totalWidth > CONTENT_WIDTH ? CONTENT_WIDTH / totalWidth : 1;
    const widths = columns.map((c) => c.width * scale);
    const drawHeader = (): void => {
      const h = lineHeight * (columns.some((c) => c.header.includes('\n')) ? 2 : 1) + 2 * pad;
      const y = doc.y;
      doc.rect(PAGE.margin, y, CONTENT_WIDTH, h).fill(COLORS.header);
      let x = PAGE.margin;
      columns.forEach((c, i) => {
        doc
          .font('Helvetica-Bold')
          .fontSize(size)
          .fillColor(COLORS.text)
          .text(safe(c.header), x + pad, y + pad, {
            width: (widths[i] ?? 0) - 2 * pad,
            align: c.align ?? 'left',
          });
        x += widths[i] ?? 0;
      });
      doc.y = y + h;
    };
    this.ensure(lineHeight * 2 + 4 * pad);
    drawHeader();
    rows.forEach((row, r) => {
      const cells = row.map((c) => (typeof c === 'string' ? { text: c } : c));
      let lines = 1;
      cells.forEach((c, i) => {
        const col = columns[i];
        doc.font(col?.mono ? 'Courier' : c.bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(size);
        const h = doc.heightOfString(safe(c.text) || ' ', { width: (widths[i] ?? 0) - 2 * pad });
        lines = Math.max(lines, Math.min(maxLines, Math.round(h / lineHeight)));
      });
      const h = lines * lineHeight + 2 * pad;
      if (doc.y + h > this.bottom) {
        this.newPage();
        drawHeader();
      }
      const y = doc.y;
      if (r % 2 === 1) doc.rect(PAGE.margin, y, CONTENT_WIDTH, h).fill(COLORS.zebra);
      let x = PAGE.margin;
      cells.forEach((c, i) => {
        const col = columns[i];
        doc
          .font(col?.mono ? 'Courier' : c.bold ? 'Helvetica-Bold' : 'Helvetica')
          .fontSize(size)
          .fillColor(c.color ?? COLORS.text)
          .text(safe(c.text), x + pad, y + pad, {
            width: (widths[i] ?? 0) - 2 * pad,
            height: lines * lineHeight,
            ellipsis: true,
            align: col?.align ?? 'left',
          });
        x += widths[i] ?? 0;
      });
      doc
        .moveTo(PAGE.margin, y + h)
        .lineTo(PAGE.margin + CONTENT_WIDTH, y + h)
        .lineWidth(0.3)
        .strokeColor(COLORS.rule)
        .stroke();
      doc.y = y + h;
    });
    doc.x = PAGE.margin;
    doc.moveDown(0.6);
    this.body();
  }

  /** Zero-based index of the current page among buffered pages. */
  pageIndex(): number {
    const range = this.doc.bufferedPageRange();
    return range.start + range.count - 1;
  }

  /** Header and "n of N" footer on every page but the cover, drawn inside the page's margins. */
  furniture(headerText: string): void {
    const doc = this.doc;
    const range = doc.bufferedPageRange();
    const total = range.count;
    for (let i = range.start; i < range.start + total; i++) {
      doc.switchToPage(i);
      if (i === 0) continue;
      // Margins to zero while drawing outside the content box, or pdfkit adds a page per footer.
      const margins = { ...doc.page.margins };
      doc.page.margins = { top: 0, bottom: 0, left: 0, right: 0 };
      doc.font('Helvetica').fontSize(7.5).fillColor(COLORS.muted);
      doc.text(safe(headerText), PAGE.margin, 30, { width: CONTENT_WIDTH, lineBreak: false, ellipsis: true });
      doc
        .moveTo(PAGE.margin, 42)
        .lineTo(PAGE.margin + CONTENT_WIDTH, 42)
        .lineWidth(0.4)
        .strokeColor(COLORS.rule)
        .stroke();
      doc.text(`${i + 1} of ${total}`, PAGE.margin, PAGE.height - 38, {
        width: CONTENT_WIDTH,
        align: 'right',
        lineBreak: false,
      });
      doc.text('auditlake compliance report', PAGE.margin, PAGE.height - 38, {
        width: 250,
        lineBreak: false,
      });
      doc.page.margins = margins;
    }
  }

  /** Writes the table of contents on the page reserved for it (`page`, zero-based). */
  tableOfContents(page: number, maxEntries = 44): void {
    const doc = this.doc;
    doc.switchToPage(page);
    doc.y = PAGE.top;
    doc.font('Helvetica-Bold').fontSize(17).fillColor(COLORS.accent).text('Contents', PAGE.margin, doc.y);
    doc
      .moveTo(PAGE.margin, doc.y + 2)
      .lineTo(PAGE.margin + CONTENT_WIDTH, doc.y + 2)
      .lineWidth(0.8)
      .strokeColor(COLORS.accent)
      .stroke();
    doc.moveDown(0.8);
    const level1 = this.toc.filter((e) => e.level === 1).length;
    let room = maxEntries - level1;
    for (const e of this.toc) {
      if (e.level === 2) {
        if (room <= 0) continue;
        room--;
      }
      const indent = e.level === 1 ? 0 : 16;
      const y = doc.y;
      doc
        .font(e.level === 1 ? 'Helvetica-Bold' : 'Helvetica')
        .fontSize(e.level === 1 ? 10.5 : 9.5)
        .fillColor(COLORS.text)
        .text(safe(e.title), PAGE.margin + indent, y, {
          width: CONTENT_WIDTH - indent - 40,
          lineBreak: false,
          ellipsis: true,
          goTo: e.dest,
        });
      doc.text(String(e.page + 1), PAGE.margin, y, {
        width: CONTENT_WIDTH,
        align: 'right',
        lineBreak: false,
      });
      doc.y = y + (e.level === 1 ? 17 : 14);
    }
  }

  async toBuffer(): Promise<Buffer> {
    const chunks: Buffer[] = [];
    const done = new Promise<void>((resolve, reject) => {
      this.doc.on('data', (c: Buffer) => chunks.push(c));
      this.doc.on('end', () => resolve());
      this.doc.on('error', reject);
    });
    this.doc.end();
    await done;
    return Buffer.concat(chunks);
  }
}
