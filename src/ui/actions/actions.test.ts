// The action registry: the toolbar's accessible names and the shortcut map.
import { describe, expect, it } from 'vitest';
import { ACTIONS, TOOLBAR_ACTIONS, actionForKey } from './index.ts';

describe('action registry', () => {
  it('has the toolbar buttons of DESIGN section 7, in order', () => {
    expect(TOOLBAR_ACTIONS.map((a) => a.label)).toEqual(['Step', 'Step back', 'Run', 'Stop', 'Reset', 'Share']);
  });

  it('maps each shortcut to one action', () => {
    expect(actionForKey({ key: 'F10', shiftKey: false })?.id).toBe('step');
    expect(actionForKey({ key: 'F10', shiftKey: true })?.id).toBe('step-back');
    expect(actionForKey({ key: 'F5', shiftKey: false })?.id).toBe('run');
    expect(actionForKey({ key: 'F5', shiftKey: true })?.id).toBe('stop');
    expect(actionForKey({ key: 'F9', shiftKey: false })?.id).toBe('toggle-breakpoint');
    expect(actionForKey({ key: 'F10', shiftKey: false, ctrlKey: true })).toBeUndefined();
    const keys = ACTIONS.filter((a) => a.shortcut).map((a) => `${a.shortcut!.shift}${a.shortcut!.key}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(ACTIONS.map((a) => a.id)).size).toBe(ACTIONS.length);
  });
});
