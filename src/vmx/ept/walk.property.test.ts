// Property: for any permissions at the four levels and any access, the walk translates exactly
// when the AND of the levels' permissions allows the access, and otherwise the qualification
// reports the access and that AND (SDM Vol. 3C §29.3.3.2; Table 28-7).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findProfile } from '../../arch/profiles/index.ts';
import { eptViolationQualification } from './qualification.ts';
import { EptBuilder } from './testing.ts';
import { eptWalk } from './walk.ts';

const CAPS = findProfile('skylake-client')!.msrs[0x48c]!;
/** Present, well-formed permission combinations on Skylake (execute-only supported). */
const PERMS = [1, 3, 4, 5, 7] as const;

describe('EPT permissions are the AND over the levels', () => {
  it('for every combination of level permissions and access kind', () => {
    fc.assert(fc.property(
      fc.tuple(fc.constantFrom(...PERMS), fc.constantFrom(...PERMS), fc.constantFrom(...PERMS), fc.constantFrom(...PERMS)),
      fc.constantFrom<'read' | 'write' | 'fetch'>('read', 'write', 'fetch'),
      fc.integer({ min: 0, max: 511 }),
      (perms, kind, page) => {
        const gpa = 0x4000_0000 + page * 0x1000;
        const b = new EptBuilder(4);
        for (const [i, level] of [4, 3, 2].entries()) b.set(level, gpa, BigInt(b.alloc()) | BigInt(perms[i]!));
        b.map(gpa, 0x80_0000, BigInt(perms[3]) | (6n << 3n));
        const and = perms.reduce<number>((a, p) => a & p, 7);
        const bit = kind === 'read' ? 1 : kind === 'write' ? 2 : 4;
        const access = kind === 'read' ? { read: true } : kind === 'write' ? { write: true } : { fetch: true };
        const r = eptWalk(b.eptp(), gpa + 0x10, access, b.mem, { caps: CAPS, maxPhysAddr: 39 });
        expect(r.ok).toBe((and & bit) !== 0);
        if (r.ok) {
          expect(r.hpa).toBe(0x80_0010);
        } else if (r.kind === 'violation') {
          expect(eptViolationQualification(r)).toBe(BigInt(bit | (and << 3)));
        } else {
          throw new Error(`unexpected misconfiguration: ${r.reason}`);
        }
      },
    ), { numRuns: 300 });
  });
});
