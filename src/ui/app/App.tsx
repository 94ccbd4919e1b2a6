// The first page: proves the toolchain end to end. The real lab UI is its own issue.
const SAMPLE = `; check that this CPU has VMX
    mov eax, 1
    cpuid
    bt ecx, 5          ; CPUID.1:ECX.VMX[bit 5]
    hlt`;

export function App() {
  return (
    <main>
      <h1>VMX Lab</h1>
      <p>Learn Intel VT-x by doing it, on an exact emulated processor.</p>
      <section aria-label="Program">
        <pre>{SAMPLE}</pre>
      </section>
    </main>
  );
}
