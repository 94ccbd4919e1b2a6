// The lab page: toolbar, status, and the panels of DESIGN section 7.

import { useEffect } from 'react';
import type { Vocabulary } from '../../worker/api.ts';
import { ControlRegistersPanel } from '../panels/ControlRegistersPanel.tsx';
import { DevicesPanel } from '../panels/DevicesPanel.tsx';
import { EventsPanel } from '../panels/EventsPanel.tsx';
import { ExplainPanel } from '../panels/ExplainPanel.tsx';
import { LessonPanel } from '../panels/LessonPanel.tsx';
import { MemoryPanel } from '../panels/MemoryPanel.tsx';
import { MsrsPanel } from '../panels/MsrsPanel.tsx';
import { ProgramPanel } from '../panels/ProgramPanel.tsx';
import { RegistersPanel } from '../panels/RegistersPanel.tsx';
import { VmcsPanel } from '../panels/VmcsPanel.tsx';
import { selectTheme } from '../store/selectors.ts';
import { useLab, useLabStore } from './LabContext.tsx';
import { OpenFile, ShareBox } from './ShareBox.tsx';
import { ShortcutList, useShortcuts } from './Shortcuts.tsx';
import { StatusBar } from './StatusBar.tsx';
import { Toolbar } from './Toolbar.tsx';

function ThemeToggle() {
  const theme = useLab(selectTheme);
  const store = useLabStore();
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  return (
    <>
      <button type="button" aria-pressed={theme === 'dark'} onClick={() => store.setState({ theme: theme === 'dark' ? 'light' : 'dark' })}>
        Dark theme
      </button>
      <button type="button" aria-pressed={theme === 'contrast'} onClick={() => store.setState({ theme: theme === 'contrast' ? 'light' : 'contrast' })}>
        High contrast
      </button>
    </>
  );
}

function FontSize() {
  const size = useLab((s) => s.fontSize);
  const store = useLabStore();
  useEffect(() => {
    document.documentElement.style.setProperty('--font-size', `${size}px`);
  }, [size]);
  const set = (n: number) => store.setState({ fontSize: Math.min(28, Math.max(12, n)) });
  return (
    <span className="fontsize" role="group" aria-label="Text size">
      <button type="button" onClick={() => set(size - 2)} aria-label="Smaller text">A−</button>
      <button type="button" onClick={() => set(size + 2)} aria-label="Larger text">A+</button>
    </span>
  );
}

export function App({ plainEditor, vocabulary, embed = false }: { plainEditor: boolean; vocabulary: () => Promise<Vocabulary>; embed?: boolean }) {
  useShortcuts();
  // An open lesson comes first in its column; without one the panel (the lesson list) sits last.
  const inLesson = useLab((s) => s.lesson !== null) || embed;
  // `?embed=1` (a lesson inside a course page): no title, settings or file controls; the lesson first.
  return (
    <div className={embed ? 'lab embed' : 'lab'}>
      <header className="top">
        {embed ? <h1 className="visually-hidden">VMX Lab</h1> : <h1>VMX Lab</h1>}
        <Toolbar />
        {!embed && (
          <>
            <OpenFile />
            <ThemeToggle />
            <FontSize />
            <ShortcutList />
          </>
        )}
      </header>
      <StatusBar />
      <ShareBox />
      <main className="grid">
        <div className="col col-left">
          {inLesson && <LessonPanel embed={embed} />}
          <ProgramPanel plain={plainEditor} vocabulary={vocabulary} />
          <EventsPanel />
          {!inLesson && <LessonPanel />}
        </div>
        <div className="col col-mid">
          <ExplainPanel />
          <RegistersPanel />
          <ControlRegistersPanel />
          <DevicesPanel />
        </div>
        <div className="col col-right">
          <VmcsPanel />
          <MsrsPanel />
          <MemoryPanel />
        </div>
      </main>
    </div>
  );
}
