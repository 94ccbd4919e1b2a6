// src/arch: the hardware as data. One import point for the other layers.

export * from './bitfield.ts';
export * from './sdm.ts';
export * from './sdm-refs.ts';
export * from './lab.ts';
export * from './cr.ts';
export * from './efer.ts';
export * from './rflags.ts';
export * from './segments.ts';
export * from './exceptions.ts';
export * from './paging.ts';
export * from './msrs.ts';
export * from './feature-control.ts';
export * from './cpuid.ts';
export * from './symbols.ts';
export * from './check.ts';
export * from './profiles/index.ts';
export * from './controls/index.ts';
export * from './vmcs/encoding.ts';
export * from './vmcs/fields.ts';
export * from './vmcs/exists.ts';
export * from './vmx-msrs.ts';
export * from './exit-reasons.ts';
export * from './vm-instruction-errors.ts';
export * from './ept.ts';
export * from './vmx-info.ts';
export * from './controls/capabilities.ts';
