// The IPC sequence webview's entry (bundled to dist/media/sequence.js): binds SequenceView to the
// page and to the extension (extension/views/sequenceView.ts) through messages.
/// <reference lib="dom" />

import { SequenceView, type ViewArrow, type ViewData, type ViewGroup, type ViewLifeline } from './view';

/** Messages from the extension. */
type Incoming =
  | { readonly type: 'data'; readonly data: ViewData }
  | { readonly type: 'append'; readonly arrows: readonly ViewArrow[]; readonly currentStep: number; readonly lifelines?: readonly ViewLifeline[]; readonly groups?: readonly ViewGroup[] }
  | { readonly type: 'message'; readonly text: string }
  | { readonly type: 'select'; readonly index: number };

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

const vscode = acquireVsCodeApi();
const root = document.getElementById('root')!;
const view = new SequenceView(root as never, {
  document: document as never,
  getComputedStyle: (element) => getComputedStyle(element as unknown as Element),
  requestFrame: (callback) => requestAnimationFrame(() => callback()),
  get devicePixelRatio() {
    return window.devicePixelRatio || 1;
  },
});
view.onSelect = (arrow) => vscode.postMessage({ type: 'select', index: arrow.index });

window.addEventListener('message', (event: MessageEvent<Incoming>) => {
  const message = event.data;
  switch (message.type) {
    case 'data':
      view.setData(message.data);
      break;
    case 'append':
      view.append(message.arrows, message.currentStep, message.lifelines, message.groups);
      break;
    case 'message':
      view.showMessage(message.text);
      break;
    case 'select':
      view.select(message.index, false);
      break;
  }
});
new ResizeObserver(() => view.resize()).observe(document.body);
// VS Code changes the body's classes and style variables when the theme changes.
new MutationObserver(() => view.refreshTheme()).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
vscode.postMessage({ type: 'ready' });
