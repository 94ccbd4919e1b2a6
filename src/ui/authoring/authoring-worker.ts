// Author mode's own worker (the lab's API, src/worker/api.ts), started on first use: trying goals
// or reading a lesson file never waits on, or disturbs, the machine the panels show. The lesson
// code and src/share's parser stay out of the page's entry chunk.

import type { Remote } from 'comlink';
import type { LabApi } from '../../worker/api.ts';
import { createLabClient, type LabClient } from '../../worker/client.ts';

let client: LabClient | undefined;

/** The authoring worker's API (started on the first call). */
export function authoringApi(): Remote<LabApi> {
  client ??= createLabClient();
  return client.api();
}
