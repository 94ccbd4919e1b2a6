// A register as a grid of named bits, each with its meaning on hover; optionally clickable.

import { memo } from 'react';
import type { BitView, RegisterView } from '../../worker/types.ts';

/** Memoised: `reg` keeps its identity while its value is unchanged (snapshot patches, decision 0078). */
export const BitGrid = memo(function BitGrid({ reg, onFlip, prominent = [] }: { reg: RegisterView; onFlip?: (bit: BitView) => void; prominent?: readonly string[] }) {
  return (
    <div className="bitgrid" role="group" aria-label={`${reg.name} bits`}>
      {reg.bits.map((b) => {
        const on = b.value !== '0';
        const rule = b.mustBe === 1 ? 'must be 1' : b.mustBe === 0 ? 'must be 0' : '';
        const broken = (b.mustBe === 1 && !on) || (b.mustBe === 0 && on);
        const title = `${b.sdmName ?? b.name} (bit ${b.bit}${b.width > 1 ? `:${b.bit + b.width - 1}` : ''}): ${b.doc}${rule ? ` In VMX operation this bit ${rule}.` : ''}${b.sdm ? ` ${b.sdm}` : ''}`;
        const cls = `bit ${on ? 'on' : 'off'} ${prominent.includes(b.name) ? 'prominent' : ''} ${broken ? 'broken' : ''}`;
        const label = b.width > 1 ? `${b.name}=${b.value}` : b.name;
        return onFlip && b.width === 1 ? (
          <button key={b.name} type="button" className={cls} title={title} aria-label={`${reg.name}.${b.name}`} aria-pressed={on} onClick={() => onFlip(b)}>
            <span className="bname">{label}</span>
            {rule && <span className="rule">{rule}</span>}
          </button>
        ) : (
          <span key={b.name} className={cls} title={title} aria-label={`${reg.name}.${b.name} = ${b.value}`}>
            <span className="bname">{label}</span>
            {rule && <span className="rule">{rule}</span>}
          </span>
        );
      })}
    </div>
  );
});
