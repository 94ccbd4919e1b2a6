// Which VMCS fields hold each segment register of the guest-state and host-state areas
// (SDM Vol. 3C §25.4.1 "Guest Register State", §25.5 "Host-State Area").

import { SegIndex } from '../../x86/state.ts';
import { F } from '../vmcs-fields.ts';

export interface GuestSegmentFields {
  readonly slot: number;
  readonly selector: number;
  readonly base: number;
  readonly limit: number;
  readonly ar: number;
}

/** Guest ES, CS, SS, DS, FS, GS, LDTR, TR, in SegIndex order. */
export const GUEST_SEGMENTS: readonly GuestSegmentFields[] = [
  { slot: SegIndex.ES, selector: F.GUEST_ES_SELECTOR, base: F.GUEST_ES_BASE, limit: F.GUEST_ES_LIMIT, ar: F.GUEST_ES_AR_BYTES },
  { slot: SegIndex.CS, selector: F.GUEST_CS_SELECTOR, base: F.GUEST_CS_BASE, limit: F.GUEST_CS_LIMIT, ar: F.GUEST_CS_AR_BYTES },
  { slot: SegIndex.SS, selector: F.GUEST_SS_SELECTOR, base: F.GUEST_SS_BASE, limit: F.GUEST_SS_LIMIT, ar: F.GUEST_SS_AR_BYTES },
  { slot: SegIndex.DS, selector: F.GUEST_DS_SELECTOR, base: F.GUEST_DS_BASE, limit: F.GUEST_DS_LIMIT, ar: F.GUEST_DS_AR_BYTES },
  { slot: SegIndex.FS, selector: F.GUEST_FS_SELECTOR, base: F.GUEST_FS_BASE, limit: F.GUEST_FS_LIMIT, ar: F.GUEST_FS_AR_BYTES },
  { slot: SegIndex.GS, selector: F.GUEST_GS_SELECTOR, base: F.GUEST_GS_BASE, limit: F.GUEST_GS_LIMIT, ar: F.GUEST_GS_AR_BYTES },
  { slot: SegIndex.LDTR, selector: F.GUEST_LDTR_SELECTOR, base: F.GUEST_LDTR_BASE, limit: F.GUEST_LDTR_LIMIT, ar: F.GUEST_LDTR_AR_BYTES },
  { slot: SegIndex.TR, selector: F.GUEST_TR_SELECTOR, base: F.GUEST_TR_BASE, limit: F.GUEST_TR_LIMIT, ar: F.GUEST_TR_AR_BYTES },
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
