// Narrow selectors: each panel subscribes to the slice of state it shows, nothing more.

import type { LabState } from './slices.ts';

export const selectSnapshot = (s: LabState) => s.snapshot;
export const selectPrevious = (s: LabState) => s.previous;
export const selectStatus = (s: LabState) => s.status;
export const selectMessage = (s: LabState) => s.message;
export const selectSource = (s: LabState) => s.source;
export const selectBreakpoints = (s: LabState) => s.breakpoints;
export const selectDiagnostics = (s: LabState) => s.diagnostics;
export const selectProfile = (s: LabState) => s.profile;
export const selectProfiles = (s: LabState) => s.profiles;
export const selectTheme = (s: LabState) => s.theme;
export const selectLine = (s: LabState) => s.snapshot?.line;
export const selectGprs = (s: LabState) => s.snapshot?.gprs;
export const selectRflags = (s: LabState) => s.snapshot?.rflags;
export const selectSegments = (s: LabState) => s.snapshot?.segments;
export const selectCrs = (s: LabState) => s.snapshot?.crs;
export const selectMsrs = (s: LabState) => s.snapshot?.msrs;
export const selectVmcs = (s: LabState) => s.snapshot?.vmcs;
export const selectEvents = (s: LabState) => s.snapshot?.events;
export const selectExplain = (s: LabState) => s.snapshot?.explain;
export const selectVmError = (s: LabState) => s.snapshot?.vmError;
export const selectLabels = (s: LabState) => s.snapshot?.labels;
export const selectCatalog = (s: LabState) => s.catalog;
export const selectRegions = (s: LabState) => s.snapshot?.regions;
