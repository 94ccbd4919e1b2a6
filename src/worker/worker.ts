// The Web Worker entry: one lab session exposed over comlink (DESIGN section 2).

import { expose } from 'comlink';
import { createLabApi } from './api.ts';

expose(createLabApi());
