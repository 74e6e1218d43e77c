import { h } from './dom.ts';

export interface Cell {
  text: string;
  /** Shown on hover: the exact value behind a rounded one. */
  title?: string;
  numeric?: boolean;
}

/**
 * A table whose rows are keyed (metric or parameter name), so a delta updates, adds or removes single rows and
 * a live run does not redraw the whole table. A filter hides rows whose cells do not contain the text.
 */
export class KeyedTable {
  readonly element: HTMLTableElement;
  private readonly body: HTMLTableSectionElement;
  private readonly rows = new Map<string, HTMLTableRowElement>();
  private filterText = '';

  constructor(caption: string, columns: Array<{ label: string; numeric?: boolean }>) {
    this.body = h('tbody');
    this.element = h(
      'table',
      { className: 'data-table' },
      h('caption', { className: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, ...columns.map((column) => h('th', { attributes: { scope: 'col' }, className: column.numeric ? 'numeric' : '' }, column.label)))),
      this.body,
    );
  }

  get size(): number {
    return this.rows.size;
  }

  get visibleCount(): number {
    let count = 0;
    for (const row of this.rows.values()) if (!row.hidden) count += 1;
    return count;
  }

  set(key: string, cells: Cell[], highlight = false): void {
    const row = h('tr', { attributes: { 'data-key': key } }, ...cells.map((cell, index) => {
      const content = index === 0 ? h('th', { attributes: { scope: 'row' } }, cell.text) : h('td', {}, cell.text);
      if (cell.numeric) content.classList.add('numeric');
      if (cell.title !== undefined) content.title = cell.title;
      return content;
    }));
    const existing = this.rows.get(key);
    if (existing) {
      // Mark only the cells whose text changed, so a live row shows what moved.
      if (highlight) [...row.children].forEach((cell, index) => cell.textContent !== existing.children[index]?.textContent && cell.classList.add('changed'));
      existing.replaceWith(row);
    } else {
      this.body.appendChild(row);
    }
    this.rows.set(key, row);
    this.applyFilter(row);
  }

  remove(key: string): void {
    this.rows.get(key)?.remove();
    this.rows.delete(key);
  }

  clear(): void {
    this.rows.clear();
    this.body.replaceChildren();
  }

  filter(text: string): void {
    this.filterText = text.trim().toLowerCase();
    for (const row of this.rows.values()) this.applyFilter(row);
  }

  private applyFilter(row: HTMLTableRowElement): void {
    row.hidden = this.filterText.length > 0 && !(row.textContent ?? '').toLowerCase().includes(this.filterText);
  }
}
