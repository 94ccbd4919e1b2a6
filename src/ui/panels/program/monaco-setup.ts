// Monaco 0.57 bundled (no CDN, TOOLCHAIN.md): the editor API, its features without built-in
// languages, its worker, and @monaco-editor/react told to use this copy. Only the lazy editor
// chunk imports this file.

import * as monaco from 'monaco-editor/editor';
import 'monaco-editor/features/register.all';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import { loader } from '@monaco-editor/react';

(self as unknown as { MonacoEnvironment: unknown }).MonacoEnvironment = { getWorker: () => new EditorWorker() };
loader.config({ monaco: monaco as never });

export { monaco };
