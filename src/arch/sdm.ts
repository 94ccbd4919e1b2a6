// References into the Intel SDM, carried by every hardware fact and every check.
// Volume 3 section numbers follow the current SDM (order no. 325462, 2024+) unless a
// reference says otherwise; titles are given so a reader can find them in any edition.

/** A pointer into the Intel SDM: volume, section number and section title. */
export interface SdmRef {
  readonly vol: '1' | '2A' | '2B' | '2C' | '2D' | '3A' | '3B' | '3C' | '3D' | '4';
  readonly section: string;
  readonly title: string;
}

/** Builds an SdmRef; `sdm('3C', '26.2.1.1', 'VM-Execution Control Fields')`. */
export function sdm(vol: SdmRef['vol'], section: string, title: string): SdmRef {
  return { vol, section, title };
}

/** "SDM Vol. 3C §26.2.1.1 VM-Execution Control Fields" */
export function formatSdm(ref: SdmRef): string {
  return `SDM Vol. ${ref.vol} §${ref.section} ${ref.title}`;
}
