import { describe, it, expect } from 'vitest';
import { eventToJson, hex } from './json.ts';

describe('json', () => {
  it('writes hex without padding, unsigned 64-bit', () => {
    expect(hex(0n)).toBe('0x0');
    expect(hex(0xffff888000100000n)).toBe('0xffff888000100000');
    expect(hex(-1)).toBe('0xffffffffffffffff');
  });

  it('orders keys as the contract shows', () => {
    const vmx = eventToJson({ kind: 'vmx', step: 7, line: 12, rip: 0xffff888000100010n, text: 'vmxon [rax]', result: 'VMsucceed' });
    expect(JSON.stringify(vmx)).toBe('{"step":7,"line":12,"rip":"0xffff888000100010","text":"vmxon [rax]","kind":"vmx","result":"VMsucceed"}');
    const fault = eventToJson({ kind: 'fault', step: 20, line: 30, vector: 13, name: '#GP', errorCode: 0, explain: 'x' });
    expect(JSON.stringify(fault)).toBe('{"step":20,"line":30,"kind":"fault","vector":13,"name":"#GP","errorCode":0,"explain":"x"}');
    const exit = eventToJson({ kind: 'vmexit', step: 41, reason: 18, name: 'VMCALL', entryFailure: false, qualification: 0n, guestRip: 0x1000n, rip: 5n, text: 'vmcall' });
    expect(JSON.stringify(exit)).toBe('{"step":41,"kind":"vmexit","reason":18,"name":"VMCALL","entryFailure":false,"qualification":"0x0","guestRip":"0x1000"}');
    const fail = eventToJson({ kind: 'vmexit', step: 52, reason: 33, name: 'INVALID_GUEST_STATE', entryFailure: true, qualification: 0n, check: 'guest.cr0.fixed' });
    expect(fail.check).toBe('guest.cr0.fixed');
  });
});
