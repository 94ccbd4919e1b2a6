// Which VMCS fields hold each segment register of the guest-state and host-state areas
// (SDM Vol. 3C §25.4.1 "Guest Register State", §25.5 "Host-State Area"), by encoding and by
// store index (src/vmx/vmcs-values.ts) for the VM-entry and VM-exit hot paths.

import { SegIndex } from '../../x86/state.ts';
import { F, X, type FieldName } from '../vmcs-fields.ts';

export interface GuestSegmentFields {
  readonly slot: number;
  readonly selector: number;
  readonly base: number;
  readonly limit: number;
  readonly ar: number;
  /** Store indices of the same four fields. */
  readonly ix: { readonly selector: number; readonly base: number; readonly limit: number; readonly ar: number };
}

type Seg = 'ES' | 'CS' | 'SS' | 'DS' | 'FS' | 'GS' | 'LDTR' | 'TR';

function guest(slot: number, seg: Seg): GuestSegmentFields {
  const n = (part: string) => `GUEST_${seg}_${part}` as FieldName;
  return {
    slot,
    selector: F[n('SELECTOR')], base: F[n('BASE')], limit: F[n('LIMIT')], ar: F[n('AR_BYTES')],
    ix: { selector: X[n('SELECTOR')], base: X[n('BASE')], limit: X[n('LIMIT')], ar: X[n('AR_BYTES')] },
  };
}

/** Guest ES, CS, SS, DS, FS, GS, LDTR, TR, in SegIndex order. */
export const GUEST_SEGMENTS: readonly GuestSegmentFields[] = [
  guest(SegIndex.ES, 'ES'),
  guest(SegIndex.CS, 'CS'),
  guest(SegIndex.SS, 'SS'),
  guest(SegIndex.DS, 'DS'),
  guest(SegIndex.FS, 'FS'),
  guest(SegIndex.GS, 'GS'),
  guest(SegIndex.LDTR, 'LDTR'),
  guest(SegIndex.TR, 'TR'),
];

/** Host selector fields of ES, CS, SS, DS, FS, GS, TR by SegIndex (the host area has no LDTR). */
export const HOST_SELECTORS: ReadonlyMap<number, number> = new Map([
  [SegIndex.ES, F.HOST_ES_SELECTOR],
  [SegIndex.CS, F.HOST_CS_SELECTOR],
  [SegIndex.SS, F.HOST_SS_SELECTOR],
  [SegIndex.DS, F.HOST_DS_SELECTOR],
  [SegIndex.FS, F.HOST_FS_SELECTOR],
  [SegIndex.GS, F.HOST_GS_SELECTOR],
  [SegIndex.TR, F.HOST_TR_SELECTOR],
]);

/** `HOST_SELECTORS` as [SegIndex, store index] pairs. */
export const HOST_SELECTOR_IX: readonly (readonly [number, number])[] = [
  [SegIndex.ES, X.HOST_ES_SELECTOR],
  [SegIndex.CS, X.HOST_CS_SELECTOR],
  [SegIndex.SS, X.HOST_SS_SELECTOR],
  [SegIndex.DS, X.HOST_DS_SELECTOR],
  [SegIndex.FS, X.HOST_FS_SELECTOR],
  [SegIndex.GS, X.HOST_GS_SELECTOR],
  [SegIndex.TR, X.HOST_TR_SELECTOR],
];
