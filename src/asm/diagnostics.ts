// Assembler diagnostics: collected, never thrown (STYLE rule 9). Lines and columns are
// 1-based, in the source as given. Messages follow NASM's wording where NASM has one,
// so a learner who moves to real NASM recognises them.

export type Severity = 'error' | 'warning' | 'info';

/** One message about the program, at a 1-based line and column. */
export interface Diagnostic {
  readonly line: number;
  readonly col: number;
  readonly message: string;
  readonly severity: Severity;
}

/** Most diagnostics kept for one program; beyond it one summary line is added. */
export const MAX_DIAGNOSTICS = 5000;

/** Collects diagnostics, deduplicating identical ones and capping the count. */
export class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  private readonly seen = new Set<string>();
  private dropped = 0;

  /** Records an error at `line`:`col`. */
  error(line: number, col: number, message: string): void {
    this.add({ line, col, message, severity: 'error' });
  }

  /** Records a warning at `line`:`col`. */
  warning(line: number, col: number, message: string): void {
    this.add({ line, col, message, severity: 'warning' });
  }

  /** Records an informational note (NASM's `info:` lines). */
  info(line: number, col: number, message: string): void {
    this.add({ line, col, message, severity: 'info' });
  }

  /** Records a diagnostic unless an identical one is already there. */
  add(d: Diagnostic): void {
    const key = `${d.line}:${d.col}:${d.severity}:${d.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    if (this.list.length >= MAX_DIAGNOSTICS) {
      this.dropped++;
      return;
    }
    this.list.push({ line: Math.max(1, d.line), col: Math.max(1, d.col), message: d.message, severity: d.severity });
  }

  /** Whether any error was recorded. */
  hasErrors(): boolean {
    return this.dropped > 0 || this.list.some((d) => d.severity === 'error');
  }

  /** The diagnostics sorted by line then column, with a note if some were dropped. */
  sorted(): Diagnostic[] {
    const out = [...this.list].sort((a, b) => a.line - b.line || a.col - b.col);
    if (this.dropped > 0) {
      const last = out[out.length - 1];
      out.push({ line: last?.line ?? 1, col: 1, message: `${this.dropped} more diagnostics not shown`, severity: 'info' });
    }
    return out;
  }
}
