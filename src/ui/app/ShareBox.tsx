// What Share made: the link (copied, and shown to copy by hand), and the state file to download,
// offered first when the state is too large for a link. "Open file" reads a state file back.

import { useRef } from 'react';
import { useCommands, useLab, useLabStore } from './LabContext.tsx';

function download(text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = 'vmx-lab-state.json';
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function ShareBox() {
  const share = useLab((s) => s.share);
  const store = useLabStore();
  if (!share) return null;
  return (
    <div className="sharebox" role="group" aria-label="Shared state">
      {share.url
        ? <label>Link to this state <input type="text" readOnly value={share.url} aria-label="Share link" onFocus={(e) => e.currentTarget.select()} /></label>
        : <span>Too large for a link (more than about 7,500 characters): share the file instead.</span>}
      <button type="button" onClick={() => download(share.file)}>Download state file</button>
      <button type="button" onClick={() => store.setState({ share: null })} aria-label="Close the shared state">Close</button>
    </div>
  );
}

/** "Open file": loads a state file made by Share (checked like a link; a refusal shows why). */
export function OpenFile() {
  const commands = useCommands();
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" onClick={() => input.current?.click()}>Open file</button>
      <input ref={input} type="file" accept=".json,application/json" hidden aria-label="State file"
        onChange={async (e) => {
          const f = e.currentTarget.files?.[0];
          e.currentTarget.value = '';
          if (!f) return;
          // Past src/share's size cap it refuses with its own message: read no more than that.
          await commands.openShared(await f.slice(0, 2_097_153).text(), 'file');
        }} />
    </>
  );
}
