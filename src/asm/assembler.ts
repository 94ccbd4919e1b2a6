// The assembler pipeline with the encoder passed in: preprocess, parse, lay out, list.
// index.ts binds it to the instruction table's encoder; tests may bind a fake one.

import { DiagnosticSink } from './diagnostics.ts';
import type { Diagnostic } from './diagnostics.ts';
import type { Encoder } from './layout.ts';
import { layout } from './layout.ts';
import type { LineSpan, ListingEntry } from './listing.ts';
import { buildListing } from './listing.ts';
import { Parser } from './parser.ts';
import { MacroTable, preprocess } from './preprocess.ts';

/** Largest program image lab-asm produces (16 MiB). */
export const MAX_IMAGE = 16 * 1024 * 1024;
/** NASM gives up after about a thousand passes; so do we. */
export const MAX_PASSES = 1000;

export interface AssembleOptions {
  /** Shown in messages only. */
  readonly fileName?: string;
}

/** What assembling a program gives: the image, where it goes, and how it maps to the source. */
export interface AssemblyResult {
  /** No error diagnostics. */
  readonly ok: boolean;
  /** The flat image (empty when not ok). */
  readonly bytes: Uint8Array;
  /** Virtual address of bytes[0]: LAB_BASE. */
  readonly origin: bigint;
  /** Errors, warnings and notes, sorted by line and column (1-based). */
  readonly diagnostics: Diagnostic[];
  /** Which bytes each source line produced, sorted by address. */
  readonly lineMap: LineSpan[];
  /** Every source line with its address and bytes. */
  readonly listing: ListingEntry[];
  /** Labels and equ symbols of the program (full names, locals as `global.local`) and their values. */
  readonly symbols: Map<string, bigint>;
}

export interface AssemblerSetup {
  readonly origin: bigint;
  readonly predefined: ReadonlyMap<string, bigint>;
  /** Preprocessor text defined before the program (vmx.inc's %define lines). */
  readonly macros: readonly string[];
  readonly encode: Encoder;
}

/** Assembles `source` with the given encoder and predefinitions. Never throws. */
export function assembleWith(source: string, setup: AssemblerSetup, _opts: AssembleOptions = {}): AssemblyResult {
  const diags = new DiagnosticSink();
  try {
    const macros = new MacroTable();
    const scratch = new DiagnosticSink();
    preprocess(setup.macros.join('\n'), macros, scratch);
    const lines = preprocess(source, macros, diags);
    const parser = new Parser(diags, setup.origin);
    parser.parseAll(lines);
    const laid = diags.hasErrors() && parser.stmts.length === 0
      ? { bytes: new Uint8Array(0), spans: [], symbols: new Map<string, bigint>() }
      : layout(parser.stmts, { origin: setup.origin, predefined: setup.predefined, encode: setup.encode, maxImage: MAX_IMAGE, maxPasses: MAX_PASSES }, diags);
    const ok = !diags.hasErrors();
    const bytes = ok ? laid.bytes : new Uint8Array(0);
    const spans = ok ? laid.spans : [];
    return {
      ok, bytes, origin: setup.origin, diagnostics: diags.sorted(), lineMap: spans,
      listing: buildListing(source, spans, bytes, setup.origin), symbols: laid.symbols,
    };
  } catch (e) {
    // A bug in the assembler must not take the lab down: report it as a diagnostic.
    diags.error(1, 1, `internal assembler error: ${e instanceof Error ? e.message : String(e)}`);
    return { ok: false, bytes: new Uint8Array(0), origin: setup.origin, diagnostics: diags.sorted(), lineMap: [], listing: [], symbols: new Map() };
  }
}
