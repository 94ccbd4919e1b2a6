// Share: a placeholder that copies the page address; the state URL is issue 6.
import type { LabAction } from './types.ts';

export const shareAction: LabAction = {
  id: 'share',
  label: 'Share',
  description: 'Copy the address of this page. For now only the page address: the link that carries the whole lab state is issue 6.',
  enabled: () => true,
  perform: (api) => api.share(),
};
