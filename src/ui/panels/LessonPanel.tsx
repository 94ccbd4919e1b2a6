// The lesson region (DESIGN section 7); lessons are a later issue.

import { Panel } from '../app/Panel.tsx';

export function LessonPanel() {
  return (
    <Panel name="Lesson" className="lesson">
      <p className="hint">No lesson is open. The program on the left is a complete VT-x bring-up: press <kbd>F10</kbd> to step through it, or <kbd>F5</kbd> to run it to the guest's VMCALL exits.</p>
    </Panel>
  );
}
