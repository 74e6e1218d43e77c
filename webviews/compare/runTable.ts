import { type CompareColumn, type CompareRun, cellValue, deltaAgainst } from '../../src/compare/compareTable.ts';
import { formatMetricValue, formatParamValue } from '../../src/platform/format.ts';
import { formatDuration } from '../../src/platform/time.ts';
import { h, icon } from '../shared/dom.ts';

/** A compared run as the page keeps it: `id` is the panel's key for the run, `runId` the store's id. */
export interface PageRun extends CompareRun {
  runId: string;
  color: string;
}

export interface RunTableActions {
  openRun(key: string): void;
  toggleBaseline(key: string): void;
  removeRun(key: string): void;
  sortBy(columnId: string): void;
}

const ROW_HEIGHT = 26;
const HEADER_HEIGHT = 30;
const NAME_WIDTH = 260;
const COLUMN_WIDTH = 132;
const OVERSCAN_ROWS = 6;
const OVERSCAN_COLUMNS = 2;

function formatCell(column: CompareColumn, value: ReturnType<typeof cellValue>): string {
  if (value === undefined || value === null) return '';
  if (column.id === 'info:started' && typeof value === 'number') return new Date(value).toLocaleString();
  if (column.id === 'info:duration' && typeof value === 'number') return formatDuration(value);
  if (typeof value === 'number') return formatMetricValue(value);
  return formatParamValue(value);
}

/**
 * The comparison table, virtualized both ways: a scroll box over a canvas the size of the whole table, holding
 * only the cells in view (plus a margin). The header row and the run column are redrawn at the scroll offset,
 * so they stay in place while the rest scrolls.
 */
export class RunTable {
  readonly element: HTMLElement;
  private readonly canvas: HTMLElement;
  private readonly actions: RunTableActions;
  private runs: PageRun[] = [];
  private columns: CompareColumn[] = [];
  private baseline: PageRun | undefined;
  private sort: { column: string; descending: boolean } | null = null;
  /** The cells in the DOM, by what they show: run and column, run name, column header. */
  private cells = new Map<string, HTMLElement>();
  private readonly cellSources = new WeakMap<HTMLElement, { run: PageRun; column: CompareColumn }>();
  private readonly positions = new WeakMap<HTMLElement, string>();

  constructor(actions: RunTableActions) {
    this.actions = actions;
    this.canvas = h('div', { className: 'grid-canvas', attributes: { role: 'presentation' } });
    this.element = h('div', { className: 'grid', attributes: { tabindex: '0', role: 'grid', 'aria-label': 'Compared runs' } }, this.canvas);
    this.element.addEventListener('scroll', () => this.render(), { passive: true });
    this.element.addEventListener('mouseover', (event) => this.describeOnHover(event), { passive: true });
    new ResizeObserver(() => this.render()).observe(this.element);
  }

  setData(runs: PageRun[], columns: CompareColumn[], baselineKey: string | null, sort: { column: string; descending: boolean } | null): void {
    this.runs = runs;
    this.columns = columns;
    this.baseline = runs.find((run) => run.id === baselineKey);
    this.sort = sort;
    this.element.setAttribute('aria-rowcount', String(runs.length + 1));
    this.element.setAttribute('aria-colcount', String(columns.length + 1));
    this.canvas.style.width = `${NAME_WIDTH + columns.length * COLUMN_WIDTH}px`;
    this.canvas.style.height = `${HEADER_HEIGHT + runs.length * ROW_HEIGHT}px`;
    // Values, deltas and sort marks may all have changed: every cell is made again.
    for (const cell of this.cells.values()) cell.remove();
    this.cells = new Map();
    this.render();
  }

  private render(): void {
    const { scrollTop, scrollLeft, clientHeight, clientWidth } = this.element;
    const firstRow = Math.max(0, Math.floor((scrollTop - HEADER_HEIGHT) / ROW_HEIGHT) - OVERSCAN_ROWS);
    const lastRow = Math.min(this.runs.length, Math.ceil((scrollTop + clientHeight) / ROW_HEIGHT) + OVERSCAN_ROWS);
    const firstColumn = Math.max(0, Math.floor(scrollLeft / COLUMN_WIDTH) - OVERSCAN_COLUMNS);
    const lastColumn = Math.min(this.columns.length, Math.ceil((scrollLeft + clientWidth) / COLUMN_WIDTH) + OVERSCAN_COLUMNS);
    // Cells still in view are kept and only moved; the rest are made, and those out of view are removed.
    const next = new Map<string, HTMLElement>();
    const added: HTMLElement[] = [];
    const keep = (key: string, create: () => HTMLElement, left: number, top: number, width: number) => {
      let cell = this.cells.get(key);
      if (!cell) added.push((cell = create()));
      next.set(key, this.place(cell, left, top, width));
    };
    for (let row = firstRow; row < lastRow; row++) {
      const run = this.runs[row] as PageRun;
      const top = HEADER_HEIGHT + row * ROW_HEIGHT;
      for (let column = firstColumn; column < lastColumn; column++) {
        const compareColumn = this.columns[column] as CompareColumn;
        keep(`d\u0000${run.id}\u0000${compareColumn.id}`, () => this.dataCell(run, compareColumn), NAME_WIDTH + column * COLUMN_WIDTH, top, COLUMN_WIDTH);
      }
      keep(`r\u0000${run.id}`, () => this.nameCell(run), scrollLeft, top, NAME_WIDTH);
      this.cellIndexes(next.get(`r\u0000${run.id}`) as HTMLElement, row, 1);
    }
    for (let column = firstColumn; column < lastColumn; column++) {
      const compareColumn = this.columns[column] as CompareColumn;
      keep(`h\u0000${compareColumn.id}`, () => this.headerCell(compareColumn), NAME_WIDTH + column * COLUMN_WIDTH, scrollTop, COLUMN_WIDTH);
    }
    keep('corner', () => this.corner(), scrollLeft, scrollTop, NAME_WIDTH);
    for (const [key, cell] of this.cells) if (!next.has(key)) cell.remove();
    this.cells = next;
    if (added.length > 0) this.canvas.append(...added);
  }

  /** Row and column indexes for screen readers, which change as rows are sorted and columns hidden. */
  private cellIndexes(cell: HTMLElement, row: number, column: number): void {
    cell.setAttribute('aria-rowindex', String(row + 2));
    cell.setAttribute('aria-colindex', String(column));
  }

  /** Titles are made when a cell is first hovered: thousands of cells need none up front. */
  private describeOnHover(event: Event): void {
    const cell = (event.target as HTMLElement).closest?.('.cell') as HTMLElement | null;
    const source = cell ? this.cellSources.get(cell) : undefined;
    if (!cell || !source || cell.title) return;
    const { run, column } = source;
    if (column.kind === 'metric') {
      const summary = run.metrics[column.name];
      if (summary) cell.title = `${column.name}: last ${summary.last} at step ${summary.step}\nmin ${summary.min} · max ${summary.max} · ${summary.count.toLocaleString('en-US')} points`;
      return;
    }
    const value = cellValue(run, column);
    if (value !== undefined && value !== null) cell.title = formatCell(column, value);
  }

  private place(cell: HTMLElement, left: number, top: number, width: number): HTMLElement {
    const position = `left:${left}px;top:${top}px;width:${width}px`;
    if (this.positions.get(cell) !== position) {
      this.positions.set(cell, position);
      cell.style.left = `${left}px`;
      cell.style.top = `${top}px`;
      cell.style.width = `${width}px`;
    }
    return cell;
  }

  private corner(): HTMLElement {
    const cell = h('div', { className: 'cell header pinned-column', attributes: { role: 'columnheader', 'aria-colindex': '1' } }, `Run (${this.runs.length.toLocaleString('en-US')})`);
    cell.style.zIndex = '4';
    return cell;
  }

  private headerCell(column: CompareColumn): HTMLElement {
    const sorted = this.sort?.column === column.id ? (this.sort.descending ? 'descending' : 'ascending') : 'none';
    const cell = h(
      'div',
      {
        className: `cell header${column.kind === 'info' ? '' : ' numeric'}`,
        attributes: { role: 'columnheader', 'aria-sort': sorted, title: `${column.kind === 'info' ? '' : `${column.kind} `}${column.name} — click to sort`, 'data-column': column.id },
        on: { click: () => this.actions.sortBy(column.id) },
      },
      column.kind === 'info' ? null : h('span', { className: 'kind' }, column.kind === 'param' ? 'P' : 'M'),
      column.name,
      sorted === 'none' ? null : icon(sorted === 'descending' ? 'arrow-down' : 'arrow-up'),
    );
    return cell;
  }

  private nameCell(run: PageRun): HTMLElement {
    const isBaseline = this.baseline === run;
    const swatch = h('span', { className: 'swatch', attributes: { 'aria-hidden': 'true' } });
    swatch.style.background = run.color;
    const pin = h('button', { className: `icon-button${isBaseline ? ' active' : ''}`, attributes: { title: isBaseline ? 'Unpin baseline' : 'Pin as baseline: other runs show deltas against it', 'aria-pressed': String(isBaseline), 'aria-label': `Baseline: ${run.name}` }, on: { click: () => this.actions.toggleBaseline(run.id) } }, icon(isBaseline ? 'pinned' : 'pin'));
    const remove = h('button', { className: 'icon-button', attributes: { title: 'Remove from comparison', 'aria-label': `Remove ${run.name} from comparison` }, on: { click: () => this.actions.removeRun(run.id) } }, icon('close'));
    const link = h('button', { className: 'run-link', attributes: { title: `${run.name}\n${run.runId} · ${run.experiment}`, 'data-run': run.id }, on: { click: () => this.actions.openRun(run.id) } }, run.name);
    return h('div', { className: `cell pinned-column${isBaseline ? ' baseline' : ''}`, attributes: { role: 'rowheader' } }, swatch, link, run.source ? h('span', { className: 'source-mark', attributes: { title: `Read from ${run.source}` } }, run.source) : null, pin, remove);
  }

  private dataCell(run: PageRun, column: CompareColumn): HTMLElement {
    const value = cellValue(run, column);
    const cell = document.createElement('div');
    cell.className = `cell${typeof value === 'number' ? ' numeric' : ''}${this.baseline === run ? ' baseline' : ''}`;
    cell.setAttribute('role', 'gridcell');
    cell.textContent = formatCell(column, value);
    this.cellSources.set(cell, { run, column });
    if (this.baseline && this.baseline !== run && column.kind !== 'info' && typeof value === 'number') {
      const delta = deltaAgainst(value, cellValue(this.baseline, column));
      if (delta && delta.absolute !== 0) {
        const relative = delta.relative === undefined ? '' : ` (${delta.relative > 0 ? '+' : ''}${(delta.relative * 100).toFixed(1)}%)`;
        cell.append(h('span', { className: 'delta', attributes: { title: 'Against the pinned baseline run' } }, `${delta.absolute > 0 ? '+' : ''}${formatMetricValue(delta.absolute)}${relative}`));
      }
    }
    return cell;
  }

}
