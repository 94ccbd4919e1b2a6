// Which source line last wrote each field of the current VMCS, and at which step: the VMCS panel
// shows it beside the value, Explain beside the values of a failing rule, and "go to the write"
// travels there. Built from the machine's `vmx` events: after a successful VMWRITE the fields
// that changed are the ones it wrote (a VMWRITE of the value already there is not noticed).

import type { Machine } from '../machine/machine.ts';
import type { VmxModel } from '../vmx/index.ts';

export interface FieldWrite {
  readonly step: number;
  readonly line?: number;
}

/** The write history of the current VMCS's fields; follows time travel. */
export class FieldWrites {
  private readonly writes = new Map<number, FieldWrite[]>();
  private shadow = new Map<number, bigint>();
  private pointer = -1n;

  constructor(private readonly machine: Machine, private readonly model: () => VmxModel | undefined) {
    machine.on('vmx', (e) => {
      if (e.result !== 'VMsucceed') return;
      const text = e.text?.trim().toLowerCase() ?? '';
      if (text.startsWith('vmwrite')) this.record(e.step, e.line);
      else if (text.startsWith('vmptrld') || text.startsWith('vmclear')) this.resync();
    });
  }

  private current(): Map<number, bigint> {
    return new Map((this.model()?.currentFields() ?? []).map((f) => [f.encoding, f.value]));
  }

  private record(step: number, line: number | undefined): void {
    const now = this.current();
    for (const [enc, v] of now) {
      if (this.shadow.get(enc) === v) continue;
      let list = this.writes.get(enc);
      if (!list) this.writes.set(enc, (list = []));
      list.push({ step, line });
    }
    this.shadow = now;
  }

  /** After VMPTRLD/VMCLEAR or time travel: forget writes after now and re-read the current VMCS. */
  resync(): void {
    const p = this.model()?.currentPointer() ?? -1n;
    if (p !== this.pointer) {
      this.writes.clear();
      this.pointer = p;
    }
    const steps = this.machine.steps;
    for (const [enc, list] of this.writes) {
      while (list.length > 0 && list[list.length - 1]!.step > steps) list.pop();
      if (list.length === 0) this.writes.delete(enc);
    }
    this.shadow = this.current();
  }

  /** The last write of a field (by full encoding), if the program made one. */
  last(encoding: number): FieldWrite | undefined {
    const list = this.writes.get(encoding);
    return list?.[list.length - 1];
  }
}
