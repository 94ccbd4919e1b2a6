// What just happened, in plain words, and the current VM-instruction error (DESIGN section 7:
// an element labelled `VM-instruction error`).

import { selectMessage, selectSnapshot, selectStatus, selectVmError } from '../store/selectors.ts';
import { useLab } from './LabContext.tsx';

export function StatusBar() {
  const snap = useLab(selectSnapshot);
  const status = useLab(selectStatus);
  const message = useLab(selectMessage);
  const vmError = useLab(selectVmError);
  const state = !snap ? 'Loading…' : status === 'running' ? 'Running…' : snap.stopped ? `Stopped (${snap.stopped})` : 'Paused';
  return (
    <div className="status">
      <span role="status" aria-label="Machine state">
        {state}{snap ? ` · step ${snap.steps} · VMX ${snap.mode === 'off' ? 'off' : snap.mode}` : ''}
      </span>
      <output aria-label="VM-instruction error" className={vmError ? 'vmerror bad' : 'vmerror'} title={vmError?.sdm}>
        {vmError ? `VM-instruction error ${vmError.number}: ${vmError.meaning}` : 'VM-instruction error: none'}
      </output>
      {snap?.stopMessage && <span className="stopmsg">{snap.stopMessage}</span>}
      {message && <span aria-live="polite" className={message.ok ? 'msg ok' : 'msg bad'}>{message.text}</span>}
    </div>
  );
}
