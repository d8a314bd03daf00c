/**
 * The few HTML building blocks report.html needs. Every piece of text goes through `escapeHtml`
 * (run, phase and model names come from user files); `Html` marks markup that is already safe.
 */

/** Markup that is safe to insert as is (built from escaped text or rendered by vega). */
export interface Html {
  readonly html: string;
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export const raw = (html: string): Html => ({ html });

/** Text is escaped; `Html` is inserted as is. */
export type Content = string | Html;

export function content(c: Content): string {
  return typeof c === 'string' ? escapeHtml(c) : c.html;
}

/** `<tag attrs>children</tag>`; attribute values are escaped. */
export function element(
  tag: string,
  attributes: Readonly<Record<string, string>>,
  ...children: readonly Content[]
): Html {
  const attrs = Object.entries(attributes)
    .map(([name, value]) => ` ${name}="${escapeHtml(value)}"`)
    .join('');
  return raw(`<${tag}${attrs}>${children.map(content).join('')}</${tag}>`);
}

export interface TableColumn {
  readonly header: string;
  /** Numbers are right-aligned. */
  readonly numeric?: boolean;
  /** Adjacent columns of one group share a heading above theirs. */
  readonly group?: string;
}

/** The row of group headings above the column headers (none if no column has a group). */
function groupRow(columns: readonly TableColumn[]): Html[] {
  if (!columns.some((c) => c.group !== undefined)) return [];
  const cells: Html[] = [];
  for (let i = 0; i < columns.length; ) {
    const group = columns[i]!.group;
    let span = 1;
    while (i + span < columns.length && group !== undefined && columns[i + span]!.group === group) span++;
    cells.push(element('th', { scope: 'colgroup', colspan: String(span), class: 'group' }, group ?? ''));
    i += span;
  }
  return [element('tr', {}, ...cells)];
}

/** A table; a row marked `total` is set apart (the sums over a run's phases). */
export function table(
  columns: readonly TableColumn[],
  rows: readonly { readonly cells: readonly Content[]; readonly total?: boolean }[],
  caption?: string,
): Html {
  const cls = (c: TableColumn | undefined): Record<string, string> => (c?.numeric ? { class: 'num' } : {});
  const head = element('tr', {}, ...columns.map((c) => element('th', { scope: 'col', ...cls(c) }, c.header)));
  const body = rows.map((row) =>
    element(
      'tr',
      row.total ? { class: 'total' } : {},
      ...row.cells.map((cell, i) => element('td', cls(columns[i]), cell)),
    ),
  );
  return element(
    'table',
    {},
    ...(caption === undefined ? [] : [element('caption', {}, caption)]),
    element('thead', {}, ...groupRow(columns), head),
    element('tbody', {}, ...body),
  );
}
