// The typed API the lab's Web Worker exposes over comlink (filled in by the UI issue).
// It mirrors the Machine facade and returns plain data only (STYLE rule 14).

/** Version of the worker protocol, bumped on any incompatible change. */
export const WORKER_API_VERSION = 1;
