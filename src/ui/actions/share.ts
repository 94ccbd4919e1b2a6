// Share: the whole lab state as a `#s=` link (src/share's encoder, run in the worker), copied and
// shown; a state too large for a link is offered as a file instead.
import type { LabAction } from './types.ts';

export const shareAction: LabAction = {
  id: 'share',
  label: 'Share',
  description: 'Copy a link that opens this lab state: lesson and hints reached, program, profile, MSR edits, breakpoints. Too large for a link: download it as a file.',
  enabled: () => true,
  perform: (api) => api.share(),
};
